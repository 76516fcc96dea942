import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Churn for a past day reads contracts and opportunities as they stood at the end of that day (R-ANA-4):
/// a contract terminated or renewed later, an opportunity won later, does not change the day's answer.
/// Every record is written at the fixture's clock; the contract is active from 2026-01-01T00:00Z with its last day on 15 February 2026 — 36 days after 10 January.
@Suite struct ChurnRecordsAsOfEngineTests {
    let contract = UUID.derived("contract", "churn-as-of")

    func setUp(_ label: String) async throws -> (EngineFixture, customer: UUID, owner: String) {
        let f = try await EngineFixture.make(label, start: try ChurnSignalsEngineTests.at("2025-11-01T00:00:00Z"))
        // The customer from 1 December 2025 (churn judges a day's existing customers only), its contract from 1 January 2026.
        f.clock.set(try ChurnSignalsEngineTests.at("2025-12-01T00:00:00Z"))
        let owner = try await f.hire("Seller", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Contracted", branch: "north", owner: owner.id)
        f.clock.set(try ChurnSignalsEngineTests.at("2026-01-01T00:00:00Z"))
        // Drafted from an accepted quote and submitted by its owner, approved and activated by the administrator.
        try await f.meterProduct()
        let quote = UUID.derived("quote", "churn-as-of")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "CHN", date: try EngineFixture.day("2025-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .draft(
            id: contract, customerID: customer, owner: owner.id, branch: nil, title: "Supply", quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
            terms: Contract.Terms(effective: try EngineFixture.day("2025-01-01"), serviceStart: try EngineFixture.day("2025-01-01"),
                                  expiry: try EngineFixture.day("2026-02-15"))), as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .submitForApproval, as: owner)
        try await f.engine.execute(Contract.self, id: contract, .approve(note: nil), as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .activate, as: f.admin)
        return (f, customer, owner.id)
    }

    func reasons(_ f: EngineFixture, _ customer: UUID, on day: String) async throws -> [Churn.Reason] {
        let risks = try await f.engine.churnRisks(on: try EngineFixture.day(day), currency: .cny, as: f.admin,
                                                  consistentWith: try await f.engine.store.headPosition())
        return try #require(risks.first { $0.customerID == customer }).risk.contributions.map(\.reason)
    }

    @Test func aContractTerminatedAfterThePastDayWasExpiringOnIt() async throws {
        let (f, customer, _) = try await setUp("churn-asof-terminated")
        f.clock.set(try ChurnSignalsEngineTests.at("2026-01-20T10:00:00Z"))
        try await f.engine.execute(Contract.self, id: contract, .terminate(reason: "Moving away", lastDay: try EngineFixture.day("2026-01-20")), as: f.admin)
        #expect(try await reasons(f, customer, on: "2026-01-10") == [.contractExpiring], "active on 10 January, 36 days to its last day")
        #expect(try await reasons(f, customer, on: "2026-01-21").isEmpty, "terminated on 20 January")
        #expect(try await reasons(f, customer, on: "2025-12-31").isEmpty, "not active yet")
        await f.close()
    }

    @Test func aContractRenewedAfterThePastDayKeepsThatDaysExpiry() async throws {
        let (f, customer, _) = try await setUp("churn-asof-renewed")
        f.clock.set(try ChurnSignalsEngineTests.at("2026-01-20T10:00:00Z"))
        try await f.engine.execute(Contract.self, id: contract, .renew(termMonths: 12), as: f.admin)
        #expect(try await reasons(f, customer, on: "2026-01-10") == [.contractExpiring], "15 February 2026 then")
        #expect(try await reasons(f, customer, on: "2026-01-21").isEmpty, "15 February 2027 from 20 January on")
        #expect(try await reasons(f, customer, on: "2027-01-01") == [.contractExpiring], "45 days to 15 February 2027")
        await f.close()
    }

    @Test func anOpportunityWonAfterThePastDayWasOpenOnIt() async throws {
        let (f, customer, owner) = try await setUp("churn-asof-won")
        let opportunity = UUID.derived("opportunity", "renewal-won")
        f.clock.set(try ChurnSignalsEngineTests.at("2026-01-05T10:00:00Z"))
        try await f.engine.execute(Opportunity.self, id: opportunity, .open(
            opportunityID: opportunity, details: Opportunity.Details(customerID: customer, title: "Renewal", source: "visit",
                                                                     expectedRevenue: Money(8_000, .cny), closeDate: try EngineFixture.day("2026-02-10")),
            pipeline: .default, stage: nil, owner: owner, contacts: []), as: f.admin)
        f.clock.set(try ChurnSignalsEngineTests.at("2026-01-20T10:00:00Z"))
        try await f.engine.execute(Opportunity.self, id: opportunity, .win(reason: "Signed"), as: f.admin)
        #expect(try await reasons(f, customer, on: "2026-01-10").isEmpty, "a renewal was in the works on 10 January")
        #expect(try await reasons(f, customer, on: "2026-01-04") == [.contractExpiring], "the opportunity was not open yet")
        #expect(try await reasons(f, customer, on: "2026-01-21") == [.contractExpiring], "won on 20 January: none open")
        await f.close()
    }

    @Test func aContractRenewedAfterItExpiredIsActiveAgain() async throws {
        let (f, customer, _) = try await setUp("churn-asof-expired-renewed")
        f.clock.set(try ChurnSignalsEngineTests.at("2026-02-20T10:00:00Z"))
        try await f.engine.execute(Contract.self, id: contract, .expire(today: try EngineFixture.day("2026-02-20")), as: f.admin)
        f.clock.set(try ChurnSignalsEngineTests.at("2026-02-25T10:00:00Z"))
        try await f.engine.execute(Contract.self, id: contract, .renew(termMonths: 12), as: f.admin)
        #expect(try await reasons(f, customer, on: "2026-02-22").isEmpty, "expired on 20 February")
        #expect(try await reasons(f, customer, on: "2027-01-01") == [.contractExpiring], "active again until 15 February 2027")
        await f.close()
    }
}
