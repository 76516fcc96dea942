import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A revenue entry's date lies at most a year after today (`RevenueLedger.futureReachMonths`): `2099-01-01` is a
/// typo or a placeholder, refused `invalid` naming `date` with nothing recorded; an entry already recorded
/// still folds.
@Suite struct RevenueDateBoundsTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
    static let customer = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!

    static func entry(_ n: Int, on day: String) -> RevenueLedger.Entry {
        RevenueLedger.Entry(id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, customerID: customer,
                            chargeItem: "monthly fee", businessLine: "gas", date: date(day), amount: Money(Decimal(10), .cny))
    }

    @Test(arguments: ["2099-01-01", "9999-12-31", "2027-01-03"])
    func anEntryDatedMoreThanAYearAheadIsRefusedNamingDate(day: String) {
        let s = Scenario(RevenueLedger.self, at: Self.now)
        let error = s.whenRefused(.record(Self.entry(1, on: day)))
        #expect(error?.code == .invalid && error?.field == "date")
        let batch = s.whenRefused(.importBatch(RevenueLedger.BatchSource(system: "billing", batchID: "B-1"),
                                               entries: [Self.entry(2, on: "2026-01-05"), Self.entry(3, on: day)], readings: []))
        #expect(batch?.code == .invalid && batch?.field == "date")
    }

    @Test(arguments: ["2026-12-31", "2027-01-01", "2020-06-30", "1900-01-01"])
    func anEntryDatedUpToAYearAheadOrInThePastIsRecorded(day: String) {
        #expect(Scenario(RevenueLedger.self, at: Self.now).when(.record(Self.entry(1, on: day))).count == 1)
    }

    @Test func anEntryRecordedFarAheadBeforeTheBoundStillFoldsAndReverses() {
        let old = Self.entry(1, on: "2099-01-01")
        var s = Scenario(RevenueLedger.self, given: [.entryRecorded(RevenueEntryRecorded(entry: old, recordedBy: "emp-1", recordedAt: Self.now))],
                         at: Self.now)
        #expect(s.state.entries == [old])
        let reversal = UUID(uuidString: "00000000-0000-0000-0000-000000000099")!
        #expect(s.apply(.reverse(entryID: old.id, reversalID: reversal, reason: "placeholder date")).count == 1)
        #expect(s.state.entries.last?.date == old.date)
    }

    @Test func anExactRepeatOfAnEntryRecordedFarAheadIsStillTheNoOpItWas() throws {
        let old = Self.entry(1, on: "2099-01-01")
        let state = RevenueLedger.evolve(RevenueLedger.initialState, .entryRecorded(RevenueEntryRecorded(entry: old, recordedBy: "emp-1", recordedAt: Self.now)))
        let repeated = try RevenueLedger.decide(.record(old), state: state, context: CommandContext(now: Self.now, actor: "emp-1"))
        #expect(repeated.isEmpty, "a retry of the recorded entry records nothing and is not refused")
    }
}
