import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// What a person's command may not claim for itself: feedback in another's name, a contract's day, a quote's
/// validity already passed — each judged by the engine, not taken from the caller.
@Suite struct CallerClaimsTests {
    private static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        do { try await body(); return nil } catch let error as EngineError { return error } catch { return nil }
    }

    @Test func pairingFeedbackIsGivenInTheCallersOwnNameOnly() async throws {
        let f = try await EngineFixture.make("claims-feedback")
        let agent = try await f.hire("Agent", branch: "A", permissions: ScopeTests.allRights)
        let manager = try await f.hire("Manager", branch: "A", permissions: ScopeTests.allRights)
        let other = try await f.hire("Other", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Paired", branch: "A")
        let pairing = MaintenancePairing.id(customerID: customer)
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: customer, agent: agent.id, manager: manager.id), as: agent)
        func feedback(_ label: String, _ direction: FeedbackDirection, giver: String, rating: Int = 5, as principal: Principal) async throws {
            try await f.engine.execute(MaintenancePairing.self, id: pairing, .giveFeedback(feedbackID: UUID.derived("fb", label), direction: direction,
                                                                                           giver: giver, rating: rating, comment: nil, about: nil), as: principal)
        }
        // The tester's case: the agent records the manager rating the agent 5.
        let forged = await Self.refusal { try await feedback("forged", .managerRatesAgent, giver: manager.id, as: agent) }
        #expect(forged?.code == .forbidden && forged?.field == "giver", "\(String(describing: forged))")
        // In one's own name, the direction must fit: the agent does not rate themselves.
        let ownWrongWay = await Self.refusal { try await feedback("wrong-way", .managerRatesAgent, giver: "", as: agent) }
        #expect(ownWrongWay?.code == .rejected && ownWrongWay?.domain?.code == .forbidden && ownWrongWay?.field == "giver")
        // Someone who may edit the pairing but is not a party gives none.
        let stranger = await Self.refusal { try await feedback("stranger", .agentRatesManager, giver: other.id, as: other) }
        #expect(stranger?.domain?.code == .forbidden && stranger?.field == "giver", "\(String(describing: stranger))")
        // The parties, each their own way (a blank giver is the caller; their own id in capitals is them too).
        try await feedback("agent", .agentRatesManager, giver: "", rating: 4, as: agent)
        try await feedback("manager", .managerRatesAgent, giver: manager.id.uppercased(), rating: 2, as: manager)
        // The system's commands pass as given.
        try await feedback("system", .managerRatesAgent, giver: manager.id, rating: 3, as: .system)
        let state = try await f.engine.state(MaintenancePairing.self, id: pairing, as: f.admin).state
        #expect(state.feedback.map(\.giver) == [agent.id, manager.id, manager.id])
        #expect(state.feedback.map(\.rating) == [4, 2, 3])
        #expect(!state.feedback.contains { $0.rating == 5 })
        await f.close()
    }

    @Test func aPersonExpiresAContractOnTheEngineClocksDayInItsBranchCalendar() async throws {
        let f = try await EngineFixture.make("claims-expire")
        let seller = try await f.hire("Seller", branch: "A", permissions: ScopeTests.allRights)
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "A", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let customer = try await f.customer("Contracted", branch: "A", owner: seller.id)
        try await f.meterProduct()
        let quote = UUID.derived("quote", "claims")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "CLM", date: try EngineFixture.day("2026-01-01"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        func contract(_ label: String, renewal: Int?) async throws -> UUID {
            let id = UUID.derived("contract", label)
            try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: seller.id, branch: "A", title: label,
                                                                     quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                     terms: Contract.Terms(effective: try EngineFixture.day("2025-01-06"), serviceStart: try EngineFixture.day("2025-01-06"),
                                                                                           expiry: try EngineFixture.day("2026-01-05"), renewalTermMonths: renewal)), as: f.admin)
            for command: Contract.Command in [.submitForApproval, .approve(note: nil), .activate] {
                try await f.engine.execute(Contract.self, id: id, command, as: command == .approve(note: nil) ? .system : f.admin)
            }
            return id
        }
        let ending = try await contract("ending", renewal: nil)
        let renewing = try await contract("renewing", renewal: 12)
        // 1 January 2026: a day the caller makes up does not end the contract early.
        let early = await Self.refusal { try await f.engine.execute(Contract.self, id: ending, .expire(today: try EngineFixture.day("2027-06-01")), as: seller) }
        #expect(early?.code == .rejected && early?.field == "today", "\(String(describing: early))")
        // 5 January 18:00Z is the 6th in Shanghai, the branch's calendar: the contract has run out there (not yet in UTC),
        // whatever day the caller names.
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 4 * 86_400 + 18 * 3600))
        try await f.engine.execute(Contract.self, id: ending, .expire(today: try EngineFixture.day("2020-01-01")), as: seller)
        #expect(try await f.engine.state(Contract.self, id: ending, as: f.admin).state.status == .expired)
        // An auto-renewing contract is renewed by its clause, never expired by hand.
        let byHand = await Self.refusal { try await f.engine.execute(Contract.self, id: renewing, .expire(today: try EngineFixture.day("2027-06-01")), as: seller) }
        #expect(byHand?.domain?.code == .invalidTransition, "\(String(describing: byHand))")
        let run = try await f.engine.runScheduledWork()
        #expect(run.contractsRenewed == 1 && run.contractsExpired == 0)
        let renewed = try await f.engine.state(Contract.self, id: renewing, as: f.admin).state
        let renewedUntil = try EngineFixture.day("2027-01-05")
        #expect(renewed.status == .active && renewed.terms?.expiry == renewedUntil)
        await f.close()
    }

    @Test func aQuoteIsValidOnlyUntilItsValidUntilDayOnTheEngineClock() async throws {
        let f = try await EngineFixture.make("claims-quote")
        let seller = try await f.hire("Seller", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Quoted", branch: "A", owner: seller.id)
        try await f.meterProduct()
        func draft(_ validUntil: String) throws -> QuoteDraft {
            var draft = ScopeTestsPart2.draft
            draft.validUntil = try EngineFixture.day(validUntil)
            return draft
        }
        let stale = UUID.derived("quote", "stale")
        let refused = await Self.refusal {
            try await f.engine.execute(Quote.self, id: stale, .create(quoteID: stale, customerID: customer, customerCode: "", date: try EngineFixture.day("2026-01-01"),
                                                                      sequence: 0, draft: try draft("2020-12-31"), authorRole: "role of Seller", limits: []), as: seller)
        }
        #expect(refused?.code == .rejected && refused?.domain?.code == .invalid && refused?.field == "validUntil", "\(String(describing: refused))")
        #expect(await Self.refusal { _ = try await f.engine.state(Quote.self, id: stale, as: f.admin) }?.code == .notFound, "nothing written")

        let quote = UUID.derived("quote", "fresh")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "", date: try EngineFixture.day("2026-01-01"),
                                                                  sequence: 0, draft: try draft("2026-01-10"), authorRole: "role of Seller", limits: []), as: seller)
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 12 * 86_400))  // 13 January
        let send = await Self.refusal { try await f.engine.execute(Quote.self, id: quote, .send, as: seller) }
        #expect(send?.domain?.code == .invalidTransition && send?.field == "validUntil", "\(String(describing: send))")
        let accept = await Self.refusal { try await f.engine.execute(Quote.self, id: quote, .accept, as: seller) }
        #expect(accept?.domain?.code == .invalidTransition)
        try await f.engine.execute(Quote.self, id: quote, .revise(draft: try draft("2026-01-31"), authorRole: "role of Seller", limits: []), as: seller)
        try await f.engine.execute(Quote.self, id: quote, .send, as: seller)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: seller)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .accepted)
        await f.close()
    }
}
