import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A revenue entry's date and a usage reading's period lie from `RevenueLedger.earliestYear` (1900) to a year
/// after today: `0001-01-01` is an empty field's default or a typo, refused `invalid` naming the date's field
/// with nothing recorded; a usage reading's period has the entry's bounds (`periodStart`, `periodEnd`);
/// entries and readings recorded before the bounds still fold.
@Suite struct RevenueAndUsagePastBoundsTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
    static let customer = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!

    static func entry(_ n: Int, on day: String) -> RevenueLedger.Entry {
        RevenueLedger.Entry(id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, customerID: customer,
                            chargeItem: "monthly fee", businessLine: "gas", date: date(day), amount: Money(Decimal(10), .cny))
    }

    static func reading(_ n: Int, from start: String, to end: String) -> RevenueLedger.UsageReading {
        RevenueLedger.UsageReading(id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, customerID: customer,
                                   meter: "M-1", periodStart: date(start), periodEnd: date(end), quantity: 12, unit: "m3")
    }

    static let batch = RevenueLedger.BatchSource(system: "billing", batchID: "B-1")

    @Test(arguments: ["0001-01-01", "1000-06-30", "1899-12-31"])
    func anEntryDatedBefore1900IsRefusedNamingDate(day: String) {
        let s = Scenario(RevenueLedger.self, at: Self.now)
        let error = s.whenRefused(.record(Self.entry(1, on: day)))
        #expect(error?.code == .invalid && error?.field == "date")
        let batch = s.whenRefused(.importBatch(Self.batch, entries: [Self.entry(2, on: "2026-01-05"), Self.entry(3, on: day)], readings: []))
        #expect(batch?.code == .invalid && batch?.field == "date")
    }

    @Test func anEntryRecordedWithAnAncientDateBeforeTheBoundStillFolds() {
        let old = Self.entry(1, on: "0001-01-01")
        let s = Scenario(RevenueLedger.self, given: [.entryRecorded(RevenueEntryRecorded(entry: old, recordedBy: "emp-1", recordedAt: Self.now))],
                         at: Self.now)
        #expect(s.state.entries == [old])
    }

    @Test(arguments: [("0001-01-01", "2025-12-31", "periodStart"), ("1899-12-01", "1899-12-31", "periodStart"),
                      ("2026-01-01", "2099-01-31", "periodEnd"), ("2026-12-01", "2027-01-03", "periodEnd"), ("2027-01-03", "2027-01-31", "periodStart")])
    func aUsageReadingOutsideTheEntryBoundsIsRefusedNamingItsPeriodField(start: String, end: String, field: String) {
        let s = Scenario(RevenueLedger.self, at: Self.now)
        let error = s.whenRefused(.recordUsage(Self.reading(1, from: start, to: end)))
        #expect(error?.code == .invalid && error?.field == field)
        let batch = s.whenRefused(.importBatch(Self.batch, entries: [],
                                               readings: [Self.reading(2, from: "2025-12-01", to: "2025-12-31"), Self.reading(3, from: start, to: end)]))
        #expect(batch?.code == .invalid && batch?.field == field)
    }

    @Test(arguments: [("1900-01-01", "1900-01-31"), ("2025-12-01", "2025-12-31"), ("2026-12-01", "2027-01-01")])
    func aUsageReadingWithinTheBoundsIsRecorded(start: String, end: String) {
        #expect(Scenario(RevenueLedger.self, at: Self.now).when(.recordUsage(Self.reading(1, from: start, to: end))).count == 1)
    }

    @Test func aUsageReadingRecordedBeforeTheBoundsStillFolds() {
        let old = Self.reading(1, from: "0001-01-01", to: "2099-01-01")
        let s = Scenario(RevenueLedger.self, given: [.usageRecorded(UsageReadingRecorded(reading: old, recordedBy: "emp-1", recordedAt: Self.now))],
                         at: Self.now)
        #expect(s.state.readings == [old])
    }
}
