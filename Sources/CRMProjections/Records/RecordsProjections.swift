import EventSourcing

/// The read models of this folder: customer 360, modification history, keyword index, contact and visit log.
public enum RecordsProjections {
    /// One instance of each, for the engine's projection runtime.
    public static let all: [any Projection] = [
        Customer360Projection(), ModificationHistory(), KeywordIndex(), ContactVisitLog(),
    ]
}
