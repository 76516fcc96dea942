import CRMDomain
import EventSourcing
import Foundation

/// The read models the analysis layer (CRMAnalytics) reads: employee indicators, customer activity, the
/// KPI rule versions, and the facts of the reports (docs/ANALYTICS.md).
///
/// ```swift
/// for projection in AnalyticsProjections.all { runtime.register(projection) }
/// ```
public enum AnalyticsProjections {
    /// Every projection of this folder, for the runtime to register.
    public static let all: [any Projection] = [
        EmployeeIndicators(), CustomerActivity(), KPIRuleVersions(), CustomerDirectory(), CostLedger(), MaintenanceAssessment(),
        SurveyResults(), FeedbackForms(), TicketSatisfaction(), UsageReadings(), OpportunityOutcomes(),
    ]

    /// The calendar of a branch from a projection's own `branch → zone` table; UTC when unknown.
    static func calendar(of branch: String?, table: ViewTable, in views: any ViewReader) throws -> LocalCalendar {
        guard let branch else { return .utc }
        let calendar = try views.withValue(forKey: ViewKey().string(branch).bytes, in: table) {
            LocalCalendar.cached(timeZoneID: String(decoding: $0, as: UTF8.self))
        }
        return (calendar ?? nil) ?? .utc
    }
}
