import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A visit's costs and a two-layer rating belong to their customer's branch as it is now: a customer moved
/// from north to south takes them along, as its tickets, revenue and RFM go along (they used to stay under
/// the branch the customer had when the visit was planned or the rating given).
@Suite struct CostScopeFollowsCustomerTests {
    /// A customer of branch north owned by emp-1, visited by emp-2 with a 40 CNY transport cost, paired with
    /// agent emp-3 and manager emp-4, who rated the agent; then moved to branch south and owner emp-9.
    func movedCustomer() throws -> (log: WorkTestLog, customer: UUID) {
        let log = WorkTestLog()
        let customer = try log.customer("Moving C", branch: "north", owner: "emp-1")
        let visit = UUID.derived("visit", "moving")
        try log.run(Visit.self, visit, .plan(id: visit, customerID: customer, visitor: "emp-2", scheduledAt: WorkTestLog.at(hours: 30),
                                             contacts: [], agenda: "check", place: "site"), at: WorkTestLog.start)
        try log.run(Visit.self, visit, .addCostLine(Visit.CostLine(id: UUID.derived("line", "moving"), kind: .transport, amount: Money(40, .cny))),
                    at: WorkTestLog.start)
        let pairing = UUID.derived("pairing", "moving")
        log.append(MaintenancePaired(customerID: customer, agent: "emp-3", manager: "emp-4", pairedAt: WorkTestLog.start),
                   stream: MaintenancePairing.stream(pairing), at: WorkTestLog.start)
        log.append(MaintenanceFeedbackGiven(customerID: customer, feedbackID: UUID.derived("feedback", "moving"), direction: .managerRatesAgent,
                                            giver: "emp-4", subject: "emp-3", rating: 2, comment: nil, givenAt: WorkTestLog.at(hours: 2)),
                   stream: MaintenancePairing.stream(pairing), at: WorkTestLog.at(hours: 2))
        log.move(customer, fromBranch: "north", toBranch: "south", owner: ("emp-1", "emp-9"))
        return (log, customer)
    }

    func inBranch(_ branch: String) -> (RecordScope) -> Bool { { $0.branch == branch } }

    @Test func aVisitsCostsMoveWithTheirCustomerToItsNewBranchAndOwner() throws {
        let (log, customer) = try movedCustomer()
        let views = try log.views(CostLedger())
        #expect(try CostLedger.visitsWithCosts(in: views, where: inBranch("north")).isEmpty, "north no longer holds the customer's costs")
        let south = try CostLedger.visitsWithCosts(in: views, where: inBranch("south"))
        #expect(south.map(\.customerID) == [customer])
        #expect(south.first?.scope == RecordScope(branch: "south", group: "residential", owners: ["emp-9", "emp-2"]),
                "the customer's scope now, the visitor among its owners; the former owner is not")
        #expect(try CostLedger.all(in: views, where: inBranch("south")).visits.map(\.visit.customerID) == [customer])
        #expect(try CostLedger.all(in: views, where: inBranch("north")).visits.isEmpty)
        // The visit's day is read in the customer's branch zone now (the query's calendar gets the new branch).
        let totals = CostLedger.visitCostTotals(south, by: .customer) { branch in
            #expect(branch == "south")
            return .utc
        }
        #expect(totals.map(\.amount) == [40])
        try log.expectSameTablesInTwoBatchings(CostLedger())
    }

    @Test func aTwoLayerRatingMovesWithItsCustomer() throws {
        let (log, customer) = try movedCustomer()
        let views = try log.views(MaintenanceAssessment())
        let north = try MaintenanceAssessment.all(in: views, where: inBranch("north"))
        #expect(north.ratings.isEmpty && north.pairs.isEmpty)
        let south = try MaintenanceAssessment.all(in: views, where: inBranch("south"))
        #expect(south.ratings.map(\.customerID) == [customer])
        #expect(south.ratings.first?.scope == RecordScope(branch: "south", group: "residential", owners: ["emp-9", "emp-4", "emp-3"]))
        #expect(south.pairs.map(\.pair.customerID) == [customer])
        try log.expectSameTablesInTwoBatchings(MaintenanceAssessment())
    }

    @Test func aCustomerEditWritesOneScopeRowWhateverItsVisitsAndRatings() throws {
        let (log, customer) = try movedCustomer()
        // Ten more visits with costs before another move.
        for n in 0..<10 {
            let visit = UUID.derived("visit", "more-\(n)")
            try log.run(Visit.self, visit, .plan(id: visit, customerID: customer, visitor: "emp-2", scheduledAt: WorkTestLog.at(hours: 30),
                                                 contacts: [], agenda: "check", place: "site"), at: WorkTestLog.start)
        }
        let before = log.events
        log.move(customer, fromBranch: "south", toBranch: "east", owner: ("emp-9", "emp-1"))
        let expected: [(any Projection, [String: Int])] = [
            (CostLedger(), [CustomerScopes.table.name: 1, CustomerProfiles.table.name: 1]),
            (MaintenanceAssessment(), [CustomerScopes.table.name: 1]),
        ]
        for (projection, puts) in expected {
            let counting = CountingViews()
            try counting.base.apply(before, to: projection)
            try projection.apply(try #require(log.events.last), to: counting)
            #expect(counting.puts == puts, "\(projection.name): \(counting.puts)")
        }
    }
}
