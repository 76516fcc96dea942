import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A meter keeps one reading per day and one unit: a new reading of a meter whose period shares a day with a
/// recorded reading of that meter is refused `alreadyExists` naming `periodStart` (or `periodEnd` when it starts
/// before the recorded one), one in another unit `invalid` naming `unit`; nothing is recorded, no value is echoed.
/// An identical repeat stays the no-op it was; other meters and adjacent periods are untouched.
@Suite struct UsageReadingOverlapTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
    static let customer = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!

    static func reading(_ n: Int, meter: String = "gas-1", from start: String = "2025-11-01", to end: String = "2025-11-27",
                        quantity: Decimal = 10, unit: String = "m3") -> RevenueLedger.UsageReading {
        RevenueLedger.UsageReading(id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, customerID: customer,
                                   meter: meter, periodStart: date(start), periodEnd: date(end), quantity: quantity, unit: unit)
    }

    static func recorded(_ readings: RevenueLedger.UsageReading...) -> Scenario<RevenueLedger> {
        Scenario(RevenueLedger.self, given: readings.map { .usageRecorded(UsageReadingRecorded(reading: $0, recordedBy: "emp-1", recordedAt: now)) },
                 at: now)
    }

    @Test func aSecondReadingOfTheSameMeterAndPeriodIsRefusedNamingThePeriod() {
        let s = Self.recorded(Self.reading(1))
        let again = s.whenRefused(.recordUsage(Self.reading(2, quantity: 500)))
        #expect(again?.code == .alreadyExists && again?.field == "periodStart")
        #expect(again.map { !$0.detail.contains("gas-1") && !$0.detail.contains("500") } == true)
        #expect(s.when(.recordUsage(Self.reading(1))).isEmpty, "an identical repeat records nothing")
    }

    @Test(arguments: [("2025-11-27", "2025-12-26", "periodStart"), ("2025-11-10", "2025-11-12", "periodStart"),
                      ("2025-10-05", "2025-11-01", "periodEnd"), ("2025-10-01", "2025-12-31", "periodEnd")])
    func aReadingWhosePeriodSharesADayWithARecordedOneIsRefused(start: String, end: String, field: String) {
        let error = Self.recorded(Self.reading(1)).whenRefused(.recordUsage(Self.reading(2, from: start, to: end)))
        #expect(error?.code == .alreadyExists && error?.field == field)
    }

    @Test func aReadingInAnotherUnitThanTheMetersIsRefusedNamingUnit() {
        let s = Self.recorded(Self.reading(1))
        let sameDays = s.whenRefused(.recordUsage(Self.reading(2, unit: "kWh")))
        #expect(sameDays?.code == .invalid && sameDays?.field == "unit")
        let nextMonth = s.whenRefused(.recordUsage(Self.reading(3, from: "2025-11-28", to: "2025-12-27", unit: "kWh")))
        #expect(nextMonth?.code == .invalid && nextMonth?.field == "unit")
        #expect(nextMonth.map { !$0.detail.contains("kWh") && !$0.detail.contains("m3") } == true)
    }

    @Test func theNextPeriodAndOtherMetersAreRecorded() {
        let s = Self.recorded(Self.reading(1))
        #expect(s.when(.recordUsage(Self.reading(2, from: "2025-11-28", to: "2025-12-27"))).count == 1)
        #expect(s.when(.recordUsage(Self.reading(3, from: "2025-10-01", to: "2025-10-31"))).count == 1, "an earlier period is back-filled")
        #expect(s.when(.recordUsage(Self.reading(4, meter: "water-2", unit: "kWh"))).count == 1, "another meter has its own periods and unit")
        #expect(Scenario(RevenueLedger.self, at: Self.now).when(.recordUsage(Self.reading(5, unit: "kWh"))).count == 1, "a first reading sets the unit")
    }

    @Test func aBatchReadingClashingWithARecordedOneOrAnotherOfTheBatchIsRefused() {
        let batch = RevenueLedger.BatchSource(system: "billing", batchID: "B-7")
        let s = Self.recorded(Self.reading(1))
        let withRecorded = s.whenRefused(.importBatch(batch, entries: [], readings: [Self.reading(2, from: "2025-11-20", to: "2025-12-19")]))
        #expect(withRecorded?.code == .alreadyExists && withRecorded?.field == "periodStart")
        let unit = s.whenRefused(.importBatch(batch, entries: [], readings: [Self.reading(2, from: "2025-11-28", to: "2025-12-27", unit: "kWh")]))
        #expect(unit?.code == .invalid && unit?.field == "unit")
        let fresh = Scenario(RevenueLedger.self, at: Self.now)
        let withinBatch = fresh.whenRefused(.importBatch(batch, entries: [], readings: [Self.reading(2), Self.reading(3, quantity: 11)]))
        #expect(withinBatch?.code == .alreadyExists && withinBatch?.field == "periodStart")
        #expect(fresh.when(.importBatch(batch, entries: [], readings: [Self.reading(2), Self.reading(3, from: "2025-11-28", to: "2025-12-27")])).count == 1)
    }
}
