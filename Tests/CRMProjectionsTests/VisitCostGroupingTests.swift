import CRMDomain
import EventSourcing
import Foundation
import Testing

@testable import CRMProjections

/// The cost ledger's visit rows keep the place (version 2), and visit costs sum by visit, customer, month
/// and place per kind and currency at query time (R-SRV-4). WorkTestLog.start is 2026-03-10T09:00Z.
@Suite struct VisitCostGroupingTests {
    let projection = CostLedger()
    static let utc: @Sendable (String?) -> LocalCalendar = { _ in .utc }

    func plan(_ log: WorkTestLog, _ label: String, customer: UUID, place: String, hours: Double, visitor: String = "emp-1") throws -> UUID {
        let id = UUID.derived("visit", label)
        _ = try log.run(Visit.self, id, .plan(id: id, customerID: customer, visitor: visitor, scheduledAt: WorkTestLog.at(hours: hours),
                                              contacts: [], agenda: "review", place: place), at: WorkTestLog.start)
        return id
    }

    func cost(_ log: WorkTestLog, _ visit: UUID, _ label: String, _ kind: Visit.CostKind, _ amount: Decimal, _ currency: Currency = .cny) throws {
        _ = try log.run(Visit.self, visit, .addCostLine(Visit.CostLine(id: UUID.derived("visit-cost", label), kind: kind, amount: Money(amount, currency))),
                        at: WorkTestLog.start)
    }

    func visits(_ log: WorkTestLog) throws -> [CostLedger.VisitCosts] {
        try CostLedger.visitsWithCosts(in: log.views(projection))
    }

    func summary(_ rows: [CostLedger.VisitCostTotal]) -> [String] {
        rows.map { "\($0.key) \($0.kind.rawValue) \($0.amount) \($0.currency.rawValue) \($0.visits)" }
    }

    @Test func visitRowsKeepThePlannedPlaceUntilTheActualPlaceIsRecorded() throws {
        let log = WorkTestLog()
        let customer = try log.customer("Placed", branch: "east", owner: "emp-1")
        let visit = try plan(log, "placed", customer: customer, place: "Head Office", hours: -48)
        try cost(log, visit, "p1", .transport, 10)
        #expect(try visits(log).map(\.effectivePlace) == ["Head Office"])
        _ = try log.run(Visit.self, visit, .reschedule(to: WorkTestLog.at(hours: -24), place: "Plant 2", reason: nil), at: WorkTestLog.start)
        #expect(try visits(log).map(\.place) == ["Plant 2"])
        _ = try log.run(Visit.self, visit, .recordActual(Visit.Actual(date: try WorkTestLog.day("2026-03-09"), place: "Warehouse 7", summary: "ok")),
                        at: WorkTestLog.start)
        let row = try #require(try visits(log).first)
        #expect(row.place == "Plant 2" && row.actualPlace == "Warehouse 7" && row.effectivePlace == "Warehouse 7")
        try log.expectSameTablesInTwoBatchings(projection)
    }

    @Test func visitRowsWithPlacesWriteTheirCodableBytes() throws {
        let day = try #require(LocalDate(year: 2026, month: 3, day: 9))
        let rows = [
            CostLedger.VisitCosts(visitID: UUID.derived("visit", "codec"), customerID: UUID.derived("customer", "codec"), scheduledAt: WorkTestLog.start,
                                  actualDate: day, lines: [Visit.CostLine(id: UUID.derived("line", "codec"), kind: .lodging, amount: Money(12, .eur))],
                                  scope: RecordScope(branch: "南区", owners: ["e-1"]), place: "总部", actualPlace: "Plant 2"),
            CostLedger.VisitCosts(visitID: UUID.derived("visit", "codec"), customerID: UUID.derived("customer", "codec"), scheduledAt: WorkTestLog.start,
                                  actualDate: nil, lines: [], scope: .global, place: "Depot", actualPlace: nil),
        ]
        for row in rows {
            let hand = try BinaryPayloadEncoder.encode(row)
            #expect(hand == (try BinaryPayloadEncoder.encodeWithCodable(row)))
            #expect(try BinaryPayloadDecoder.decode(CostLedger.VisitCosts.self, from: hand) == row)
            #expect(try BinaryPayloadDecoder.decodeWithCodable(CostLedger.VisitCosts.self, from: hand) == row)
        }
    }

    @Test func everyVisitEventStillWritesOneRowAndNothingElse() throws {
        let log = WorkTestLog()
        let customer = try log.customer("Counted", branch: "east", owner: "emp-1")
        let views = CountingViews()
        try views.base.apply(log.events, to: projection)
        let before = log.events.count
        let visit = try plan(log, "counted", customer: customer, place: "Depot", hours: -48)
        _ = try log.run(Visit.self, visit, .reschedule(to: WorkTestLog.at(hours: -24), place: "Depot 2", reason: nil), at: WorkTestLog.start)
        try cost(log, visit, "c1", .lodging, 80)
        _ = try log.run(Visit.self, visit, .recordActual(Visit.Actual(date: try WorkTestLog.day("2026-03-09"), place: "Depot 3", summary: "ok")),
                        at: WorkTestLog.start)
        for event in log.events.dropFirst(before) { try projection.apply(event, to: views) }
        #expect(views.puts == ["visits": 4], "one put per visit event (plan, reschedule, cost, actual): \(views.puts)")
    }

    @Test func placesGroupTrimmedAndCaseFoldedAndShowTheSpellingMostVisitsRecorded() throws {
        let log = WorkTestLog()
        let customer = try log.customer("Travelled", branch: "east", owner: "emp-1")
        let a = try plan(log, "a", customer: customer, place: "Head Office", hours: 1)
        let b = try plan(log, "b", customer: customer, place: "Head Office", hours: 2)
        let c = try plan(log, "c", customer: customer, place: "head  OFFICE", hours: 3)
        let d = try plan(log, "d", customer: customer, place: "Plant 2", hours: 4)
        _ = try plan(log, "no costs", customer: customer, place: "Nowhere", hours: 5)
        try cost(log, a, "a1", .transport, 10)
        try cost(log, b, "b1", .transport, Decimal(string: "20.50") ?? 0)
        try cost(log, c, "c1", .entertainment, 30)
        try cost(log, c, "c2", .transport, 5, .eur)
        try cost(log, d, "d1", .lodging, 200)
        let rows = CostLedger.visitCostTotals(try visits(log), by: .place, calendar: Self.utc)
        #expect(summary(rows) == ["head office transport 30.5 CNY 2", "head office transport 5 EUR 1", "head office entertainment 30 CNY 1",
                                  "plant 2 lodging 200 CNY 1"])
        #expect(rows.map { $0.place ?? "-" } == ["Head Office", "Head Office", "Head Office", "Plant 2"])
        #expect(rows.allSatisfy { $0.customerID == nil && $0.day == nil })
        #expect(CostLedger.placeKey("  Head \t Office ") == CostLedger.placeKey("HEAD OFFICE"))
        #expect(CostLedger.placeKey("Plant 2") != CostLedger.placeKey("Plant 3"))
    }

    @Test func totalsByVisitCustomerAndMonthSplitByKindAndCurrency() throws {
        let log = WorkTestLog()
        let one = try log.customer("One", branch: "east", owner: "emp-1")
        let two = try log.customer("Two", branch: "east", owner: "emp-1")
        let march = try plan(log, "march", customer: one, place: "Site", hours: 1)
        let april = try plan(log, "april", customer: one, place: "Site", hours: 24 * 30)
        let other = try plan(log, "other", customer: two, place: "Yard", hours: 2)
        try cost(log, march, "m1", .transport, 10)
        try cost(log, march, "m2", .transport, 15)
        try cost(log, march, "m3", .lodging, 100)
        try cost(log, april, "a1", .transport, 7)
        try cost(log, other, "o1", .entertainment, 40, .usd)
        let all = try visits(log)

        let byVisit = CostLedger.visitCostTotals(all, by: .visit, calendar: Self.utc)
        let marchRows = byVisit.filter { $0.key == march.lowercasedString }
        #expect(summary(marchRows) == ["\(march.lowercasedString) transport 25 CNY 1", "\(march.lowercasedString) lodging 100 CNY 1"])
        #expect(marchRows.allSatisfy { $0.customerID == one && $0.day == LocalDate(year: 2026, month: 3, day: 10) && $0.place == "Site" })

        let byCustomer = CostLedger.visitCostTotals(all, by: .customer, calendar: Self.utc)
        #expect(byCustomer.filter { $0.customerID == one }.map { "\($0.kind.rawValue) \($0.amount) \($0.visits)" } == ["transport 32 2", "lodging 100 1"])
        #expect(byCustomer.filter { $0.customerID == two }.map { "\($0.kind.rawValue) \($0.amount) \($0.currency.rawValue)" } == ["entertainment 40 USD"])

        let byMonth = CostLedger.visitCostTotals(all, by: .month, calendar: Self.utc)
        #expect(summary(byMonth) == ["2026-03 transport 25 CNY 1", "2026-03 lodging 100 CNY 1", "2026-03 entertainment 40 USD 1",
                                     "2026-04 transport 7 CNY 1"])
        let onlyApril = CostLedger.visitCostTotals(all, by: .month, in: RevenueMonth(year: 2026, month: 4)...RevenueMonth(year: 2026, month: 4),
                                                   calendar: Self.utc)
        #expect(summary(onlyApril) == ["2026-04 transport 7 CNY 1"])
    }

    @Test func aVisitsMonthIsReadInItsBranchZoneUntilTheActualDateIsRecorded() throws {
        let log = WorkTestLog()
        let customer = try log.customer("Late", branch: "east", owner: "emp-1")
        // 2026-03-31T17:00Z is April 1 in Shanghai: 512 hours after 2026-03-10T09:00Z.
        let visit = try plan(log, "late", customer: customer, place: "Site", hours: 512)
        try cost(log, visit, "l1", .transport, 9)
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let zoned: (String?) -> LocalCalendar = { $0 == "east" ? shanghai : .utc }
        #expect(CostLedger.visitCostTotals(try visits(log), by: .month, calendar: Self.utc).map(\.key) == ["2026-03"])
        #expect(CostLedger.visitCostTotals(try visits(log), by: .month, calendar: zoned).map(\.key) == ["2026-04"])
    }
}
