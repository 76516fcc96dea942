import EventSourcing

/// Every read model of the CRM, in one list: what the engine keeps up to date by default.
public enum CRMViews {
    public static var all: [any Projection] { RecordsProjections.all + WorkProjections.all + AnalyticsProjections.all }
}
