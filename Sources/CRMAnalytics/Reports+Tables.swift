import CRMDomain
import Foundation

// The existing report results as table rows (docs/ANALYTICS.md, "Reports").

extension Reports.TaskCompletion: ReportRow {
    public static let header = ["assignee", "completed", "on_time", "late", "on_time_percent"]
    public var cells: [String] { [assignee, Cell.text(completed), Cell.text(onTime), Cell.text(late), Cell.text(onTimePercent)] }
}

extension Reports.ManagerRevenue: ReportRow {
    public static let header = ["manager", "customers", "current", "previous", "growth_percent"]
    public var cells: [String] { [manager, Cell.text(customers), Cell.text(current), Cell.text(previous), Cell.text(growthPercent)] }
}

extension Reports.ServiceQuality: ReportRow {
    /// The row's first cell: `(all)` for the total, `(unassigned)` for the tickets without an assignee, else the assignee.
    public var label: String {
        switch group {
        case .all: return "(all)"
        case .unassigned: return "(unassigned)"
        case .assignee: return assignee
        }
    }

    public static let header = [
        "assignee", "tickets", "response_rate_percent", "responded_in_time_percent", "average_wait_minutes",
        "average_handling_minutes", "resolved", "resolved_in_sla_percent", "average_satisfaction",
    ]
    public var cells: [String] {
        [label, Cell.text(tickets), Cell.text(responseRatePercent), Cell.text(respondedInTimePercent),
         Cell.text(averageWaitMinutes), Cell.text(averageHandlingMinutes), Cell.text(resolved), Cell.text(resolvedInSLAPercent),
         Cell.text(averageSatisfaction)]
    }
}

extension Reports.Share: ReportRow {
    public static let header = ["class", "customers", "percent", "value"]
    public var cells: [String] { [key, Cell.text(count), Cell.text(percent), Cell.text(value)] }
}

extension Reports {
    // MARK: - Monthly overdue per department (R-TSK-6)

    /// The late tickets of one department in one month.
    public struct OverdueRow: Hashable, Sendable, ReportRow {
        public var month: RevenueMonth
        public var department: String
        public var lateTickets: Int

        public static let header = ["month", "department", "late_tickets"]
        public var cells: [String] { [Cell.text(month), department, Cell.text(lateTickets)] }
    }

    /// The domain's monthly overdue reports (one per month and branch time zone, R-TSK-6) merged: late
    /// tickets per month and department; by month, then most late first, ties by department.
    public static func overdueByDepartment(_ reports: [OverdueReport]) -> [OverdueRow] {
        var counts: [RevenueMonth: [String: Int]] = [:]
        for report in reports {
            let month = RevenueMonth(year: report.year, month: report.month)
            for d in report.departments { counts[month, default: [:]][d.department, default: 0] += d.count }
        }
        return counts.keys.sorted().flatMap { month in
            (counts[month] ?? [:]).map { OverdueRow(month: month, department: $0.key, lateTickets: $0.value) }
                .sorted { ($1.lateTickets, $0.department) < ($0.lateTickets, $1.department) }
        }
    }
}
