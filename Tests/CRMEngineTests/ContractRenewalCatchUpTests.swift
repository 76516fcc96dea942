import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// R-SAL-4: a contract with an auto-renewal clause several terms behind (the scheduler did not run for a while)
/// is brought current by one scheduler run, each term renewed once, on this node or another sharing the log.
@Suite struct ContractRenewalCatchUpTests {
    /// An active contract of 2025 (last day 31 December 2025) renewing by `months`, activated on its last day.
    func activeContract(_ f: EngineFixture, renewingBy months: Int) async throws -> UUID {
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Contracted", branch: "north", owner: owner.id)
        try await f.meterProduct()
        let quote = UUID.derived("quote", "catch-up")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "CUP", date: try EngineFixture.day("2025-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 - 43_200))  // 2025-12-31T12:00Z
        let id = UUID.derived("contract", "catch-up")
        try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: owner.id, branch: nil, title: "Supply",
                                                                 quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                 terms: Contract.Terms(effective: try EngineFixture.day("2025-01-01"), serviceStart: try EngineFixture.day("2025-01-01"),
                                                                                       expiry: try EngineFixture.day("2025-12-31"), renewalTermMonths: months)), as: f.admin)
        try await f.engine.execute(Contract.self, id: id, .submitForApproval, as: f.admin)
        try await f.engine.execute(Contract.self, id: id, .approve(note: nil), as: .system)  // its submitter may not approve it
        try await f.engine.execute(Contract.self, id: id, .activate, as: f.admin)
        return id
    }

    @Test func aContractSeveralTermsBehindIsRenewedThroughTheRunsDayInOneRun() async throws {
        let f = try await EngineFixture.make("contract-catch-up")
        let id = try await activeContract(f, renewingBy: 3)
        // The scheduler was down until 15 August 2026: three quarterly terms ran out meanwhile.
        f.clock.set(Date(timeIntervalSince1970: 1_786_752_000))  // 2026-08-15T00:00Z
        let run = try await f.engine.runScheduledWork()
        #expect(run.contractsRenewed == 1 && run.failures.isEmpty, "\(run.failures)")
        let state = try await f.engine.state(Contract.self, id: id, as: f.admin).state
        #expect(state.status == .active && state.renewals == 3)
        #expect(state.terms?.expiry == (try EngineFixture.day("2026-09-30")), "\(String(describing: state.terms?.expiry))")
        // Each term renewed once: one renewal event a term.
        let recorded = try await f.engine.store.readStream(Contract.stream(id)).filter { $0.type == ContractRenewed.eventType }
        #expect(recorded.count == 3)
        // A second run here, or on another node sharing the log, renews nothing more.
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.runScheduledWork().contractsRenewed == 0)
        await f.closeEngine()
        let node = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock))
        #expect(try await node.runScheduledWork().contractsRenewed == 0)
        #expect(try await node.store.headPosition() == head)
        await node.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func catchingUpIsDecidedOnTheContractsOwnExpirySoARepeatRenewsNothing() async throws {
        let f = try await EngineFixture.make("contract-catch-up-repeat")
        let id = try await activeContract(f, renewingBy: 1)
        f.clock.set(Date(timeIntervalSince1970: 1_775_001_600))  // 2026-04-01T00:00Z
        // A person renews by the clause's term meanwhile; the catch-up then renews only what is still due.
        try await f.engine.execute(Contract.self, id: id, .renew(termMonths: 2), as: f.admin)
        let today = try EngineFixture.day("2026-04-01")
        let first = try await f.engine.execute(Contract.self, id: id, .renewThrough(today: today), as: .system)
        #expect(first.events.count == 2)
        #expect(try await f.engine.state(Contract.self, id: id, as: f.admin).state.terms?.expiry == (try EngineFixture.day("2026-04-30")))
        // The same again (another node, another key) writes nothing: the expiry is no longer before the day.
        #expect(try await f.engine.execute(Contract.self, id: id, .renewThrough(today: today), as: .system).events.isEmpty)
        // A person's day is the engine clock's, whatever the command names.
        #expect(try await f.engine.execute(Contract.self, id: id, .renewThrough(today: try EngineFixture.day("2030-01-01")), as: f.admin).events.isEmpty)
        await f.close()
    }
}
