import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The churn signals as the engine judges them (R-ANA-4, R-ANA-5): the last contact on or before the
/// analysis day, days in the customer's branch calendar, and the contract-expiring signal from the active
/// contracts and the open opportunities. Expected values computed by hand in the comments.
@Suite struct ChurnSignalsEngineTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    /// Logs a phone call with `customer` at `instant` (the clock set there first: a contact is never after its logging).
    func contact(_ f: EngineFixture, _ customer: UUID, _ label: String, at instant: String) async throws {
        f.clock.set(try Self.at(instant))
        let id = UUID.derived("log", label)
        try await f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: customer, details: ContactLogEntry.Details(
            channel: .phone, subject: "Check-in", occurredAt: try Self.at(instant))), as: f.admin)
    }

    func reasons(_ f: EngineFixture, _ customer: UUID, on day: String) async throws -> [Churn.Reason] {
        let risks = try await f.engine.churnRisks(on: try EngineFixture.day(day), currency: .cny, as: f.admin)
        return try #require(risks.first { $0.customerID == customer }).risk.contributions.map(\.reason)
    }

    @Test func aContactAfterThePastDayDoesNotCountForIt() async throws {
        let f = try await EngineFixture.make("churn-contact-after-day")
        let customer = try await f.customer("Quiet", branch: "north")
        // Contacts on 5 January and 20 March 2026. On 10 March the last contact then was 5 January: 64 days
        // (> 60, noContact fires); the one of 20 March had not happened yet.
        try await contact(f, customer, "january", at: "2026-01-05T10:00:00Z")
        try await contact(f, customer, "march", at: "2026-03-20T10:00:00Z")
        try await caughtUp(f)
        #expect(try await reasons(f, customer, on: "2026-03-10").contains(.noContact))
        #expect(try await !reasons(f, customer, on: "2026-03-04").contains(.noContact), "58 days")
        #expect(try await !reasons(f, customer, on: "2026-03-21").contains(.noContact), "1 day after the second contact")
        // Before any contact the signal has nothing to count from.
        #expect(try await !reasons(f, customer, on: "2026-01-01").contains(.noContact))
        await f.close()
    }

    /// Asia/Shanghai is UTC+8: 2026-09-28T17:00Z is 29 September there, 60 days before 28 November (not 61).
    @Test func noContactCountsDaysInTheBranchCalendarInTheReportAndTheWatch() async throws {
        let f = try await EngineFixture.make("churn-contact-zone")
        f.clock.set(try Self.at("2026-09-01T00:00:00Z"))
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "SH", timeZoneID: "Asia/Shanghai"), as: f.admin)
        // noContact alone (15 points) opens an episode: the watch acts on that signal only.
        try await f.engine.execute(Settings.self, id: UUID(), .setWarningThreshold(WarningThreshold(metric: "churnRiskThreshold", value: 15)), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "SH", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Shanghai Buyer", branch: "SH", owner: owner.id)
        // One purchase on 1 November (the watch judges buyers only; no gap, no drop): only noContact can fire.
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", "shanghai"), customerID: customer, chargeItem: "gas", businessLine: "gas",
            date: try EngineFixture.day("2026-11-01"), amount: Money(100, .cny))), as: f.admin)
        try await contact(f, customer, "shanghai", at: "2026-09-28T17:00:00Z")
        try await caughtUp(f)
        #expect(try await reasons(f, customer, on: "2026-11-28").isEmpty, "60 days in Shanghai: not more than 60")
        #expect(try await reasons(f, customer, on: "2026-11-29") == [.noContact], "61 days")

        // The watch on 28 November in Shanghai (2026-11-28T02:00Z): no episode, no retention task.
        f.clock.set(try Self.at("2026-11-28T02:00:00Z"))
        #expect(try await f.engine.churnRisks(currency: .cny, as: f.admin).first { $0.customerID == customer }?.risk.score == 0)
        let run = try await f.engine.runScheduledWork()
        #expect(run.retentionTasksDispatched == 0 && run.failures.isEmpty, "\(run.failures)")
        #expect(try await f.engine.store.streamVersion(of: ChurnWatch.stream(customer)) == .noStream)
        await f.close()
    }

    /// An active contract of `customer` whose last day is `expiry`, drafted from an accepted quote.
    func activeContract(_ f: EngineFixture, _ customer: UUID, owner: String, expiry: String, renewalTermMonths: Int? = nil) async throws {
        try await f.meterProduct()
        let quote = UUID.derived("quote", "churn-contract")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "CHN", date: try EngineFixture.day("2025-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        let id = UUID.derived("contract", "churn-contract")
        try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: owner, branch: nil, title: "Supply",
                                                                 quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                 terms: Contract.Terms(effective: try EngineFixture.day("2025-01-01"), serviceStart: try EngineFixture.day("2025-01-01"),
                                                                                       expiry: try EngineFixture.day(expiry), renewalTermMonths: renewalTermMonths)), as: f.admin)
        try await f.engine.execute(Contract.self, id: id, .submitForApproval, as: f.admin)
        try await f.engine.execute(Contract.self, id: id, .approve(note: nil), as: .system)  // its submitter may not approve it
        try await f.engine.execute(Contract.self, id: id, .activate, as: f.admin)
    }

    @Test func anExpiringContractWithoutAnOpenOpportunityAddsTheContractSignal() async throws {
        let f = try await EngineFixture.make("churn-contract", start: try Self.at("2025-11-01T00:00:00Z"))
        // The customer and its contract from 1 December 2025 (churn judges a day's existing customers only).
        f.clock.set(try Self.at("2025-12-01T00:00:00Z"))
        let owner = try await f.hire("Seller", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Contracted", branch: "north", owner: owner.id)
        // The contract's last day is 15 February 2026: 45 days after 1 January (within 60), 75 after 2 December 2025.
        try await activeContract(f, customer, owner: owner.id, expiry: "2026-02-15")
        f.clock.set(try Self.at("2026-01-01T00:00:00Z"))
        let position = try await f.engine.store.headPosition()
        let risks = try await f.engine.churnRisks(on: try EngineFixture.day("2026-01-01"), currency: .cny, as: f.admin, consistentWith: position)
        let risk = try #require(risks.first { $0.customerID == customer }).risk
        #expect(risk.contributions.map(\.reason) == [.contractExpiring] && risk.score == 20)
        #expect(try await reasons(f, customer, on: "2025-12-02").isEmpty, "75 days: outside the window")
        #expect(try await reasons(f, customer, on: "2026-02-16").isEmpty, "after its last day")

        // An open opportunity of the customer (a renewal in the works): the signal does not fire.
        let opportunity = UUID.derived("opportunity", "renewal")
        try await f.engine.execute(Opportunity.self, id: opportunity, .open(
            opportunityID: opportunity, details: Opportunity.Details(customerID: customer, title: "Renewal", source: "visit",
                                                                     expectedRevenue: Money(8_000, .cny), closeDate: try EngineFixture.day("2026-02-10")),
            pipeline: .default, stage: nil, owner: owner.id, contacts: []), as: f.admin)
        let afterOpening = try await f.engine.store.headPosition()
        let renewing = try await f.engine.churnRisks(on: try EngineFixture.day("2026-01-01"), currency: .cny, as: f.admin, consistentWith: afterOpening)
        #expect(renewing.first { $0.customerID == customer }?.risk.score == 0)
        await f.close()
    }

    @Test func aContractThatRenewsByItselfIsNoExpiringContract() async throws {
        let f = try await EngineFixture.make("churn-contract-renews")
        let owner = try await f.hire("Seller", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Renewing", branch: "north", owner: owner.id)
        // Last day 15 February 2026, 45 days after 1 January, but with a 12-month auto-renewal clause.
        try await activeContract(f, customer, owner: owner.id, expiry: "2026-02-15", renewalTermMonths: 12)
        let risks = try await f.engine.churnRisks(on: try EngineFixture.day("2026-01-01"), currency: .cny, as: f.admin,
                                                  consistentWith: try await f.engine.store.headPosition())
        #expect(risks.first { $0.customerID == customer }?.risk.score == 0)
        await f.close()
    }

    @Test func churnRisksRefusesAPositionBeyondTheLogsHead() async throws {
        let f = try await EngineFixture.make("churn-consistent")
        let head = try await f.engine.store.headPosition()
        let beyond = GlobalPosition(rawValue: head.rawValue + 1_000)
        let error = await #expect(throws: EngineError.self) {
            _ = try await f.engine.churnRisks(currency: .cny, as: f.admin, consistentWith: beyond)
        }
        #expect(error?.code == .invalid && error?.field == "consistentWith")
        await f.close()
    }

    func purchase(_ f: EngineFixture, _ customer: UUID, _ label: String, on day: String, _ amount: Decimal, _ currency: Currency = .cny) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", label), customerID: customer, chargeItem: "gas", businessLine: "gas",
            date: try EngineFixture.day(day), amount: Money(amount, currency))), as: f.admin)
    }

    @Test func aPurchaseDatedAfterThePastDayDoesNotCountForIt() async throws {
        let f = try await EngineFixture.make("churn-purchase-after-day")
        let customer = try await f.customer("Lapsed", branch: "north")
        // One purchase on 10 January: on 1 May that is 111 days (> the 90-day default gap): purchaseGap fires.
        // A purchase dated 1 June had not happened on 1 May.
        try await purchase(f, customer, "january", on: "2026-01-10", 100)
        try await purchase(f, customer, "june", on: "2026-06-01", 100)
        try await caughtUp(f)
        #expect(try await reasons(f, customer, on: "2026-05-01").contains(.purchaseGap))
        #expect(try await !reasons(f, customer, on: "2026-06-02").contains(.purchaseGap), "1 day after the June purchase")
        await f.close()
    }

    @Test func churnRefusesACurrencyWithoutARateAsRFMDoes() async throws {
        let f = try await EngineFixture.make("churn-missing-rate")
        let customer = try await f.customer("Abroad", branch: "north")
        try await purchase(f, customer, "usd", on: "2026-03-05", 10, .usd)
        try await caughtUp(f)
        let error = await #expect(throws: EngineError.self) {
            _ = try await f.engine.churnRisks(on: try EngineFixture.day("2026-03-31"), currency: .cny, as: f.admin)
        }
        #expect(error?.code == .rejected && error?.field == "exchangeRates" && error?.message.contains("USD→CNY (first needed on 2026-03-01)") == true,
                "\(String(describing: error))")
        // In the customer's own currency nothing needs a rate.
        #expect(try await f.engine.churnRisks(on: try EngineFixture.day("2026-03-31"), currency: .usd, as: f.admin).contains { $0.customerID == customer })
        await f.close()
    }
}
