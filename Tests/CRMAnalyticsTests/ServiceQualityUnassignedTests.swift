import CRMAnalytics
import Foundation
import Testing

/// The service-quality report's unassigned tickets have a row of their own, labelled apart from the total.
@Suite struct ServiceQualityUnassignedTests {
    @Test("unassigned tickets are a row labelled (unassigned), right after the (all) row, in the table and its CSV")
    func unassignedTicketsAreLabelledApartFromTheTotal() {
        let t0 = Date(timeIntervalSince1970: 1_773_532_800)
        func ticket(_ assignee: String?, responded: Double?) -> Reports.TicketFacts {
            Reports.TicketFacts(assignee: assignee, openedAt: t0, responseDueAt: t0.addingTimeInterval(3600),
                                firstRespondedAt: responded.map { t0.addingTimeInterval($0 * 60) }, resolutionDueAt: t0.addingTimeInterval(7200), resolvedAt: nil)
        }
        let report = Reports.serviceQuality([ticket("a1", responded: 10), ticket(nil, responded: nil), ticket("", responded: nil), ticket("a2", responded: 20)])
        #expect(report.map(\.group) == [.all, .unassigned, .assignee, .assignee])
        #expect(report.map(\.tickets) == [4, 2, 1, 1])
        #expect(report[1].responseRatePercent == 0)
        let table = ReportTable(rows: report)
        #expect(table.rows.map { $0.first ?? "" } == ["(all)", "(unassigned)", "a1", "a2"])
        #expect(table.csv().contains("\r\n(unassigned),2,"), "\(table.csv())")
        // Every ticket assigned: no unassigned row.
        #expect(Reports.serviceQuality([ticket("a1", responded: 10)]).map { ReportTable(rows: [$0]).rows[0][0] } == ["(all)", "a1"])
    }
}
