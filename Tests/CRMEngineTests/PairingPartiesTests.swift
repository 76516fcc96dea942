import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Two-layer maintenance (R-CUS-9) with the demo's roles: the pairing's agent and manager rate each other as
/// their own act (``PartyCommands``), without rights to edit customers; and a pairing names only an agent and a
/// manager who may work on it — `query` in customers over the customer's scope, not counting the ownership the
/// pairing gives — else `invalid`, naming `agent` or `manager`, nothing written.
@Suite struct PairingPartiesTests {
    /// The demo's "Service agent <branch>": tickets, contacts, tasks and customers `query` over the branch.
    static func serviceAgent(_ branch: String) -> [Permission] {
        [Permission(module: .tickets, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .tasks, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .customers, actions: [.query], scope: .branch(branch)),
         Permission(module: .organisation, actions: [.query, .edit], scope: .own)]
    }
    /// The demo's "Account manager <branch>": customers `query`, `create`, `edit` over the branch.
    static func accountManager(_ branch: String) -> [Permission] {
        [Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .organisation, actions: [.query, .edit], scope: .own)]
    }

    static func feedback(_ f: EngineFixture, _ pairing: UUID, _ label: String, _ direction: FeedbackDirection, rating: Int,
                         as principal: Principal) async throws {
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .giveFeedback(
            feedbackID: UUID.derived("feedback", label), direction: direction, giver: "", rating: rating, comment: nil, about: nil), as: principal)
    }

    @Test func thePairedServiceAgentRatesTheManagerWithoutRightsToEditCustomers() async throws {
        let f = try await EngineFixture.make("pairing-parties-feedback")
        let agent = try await f.hire("Leon", branch: "berlin", permissions: Self.serviceAgent("berlin"))
        let otherAgent = try await f.hire("Lena", branch: "berlin", permissions: Self.serviceAgent("berlin"))
        let manager = try await f.hire("Felix", branch: "berlin", permissions: Self.accountManager("berlin"))
        let customer = try await f.customer("Berlin Gas", branch: "berlin")
        let pairing = MaintenancePairing.id(customerID: customer)
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: customer, agent: agent.id, manager: manager.id), as: manager)
        // The agent reads the pairing and rates the manager; the manager rates the agent.
        #expect(try await f.engine.state(MaintenancePairing.self, id: pairing, as: agent).state.agent == agent.id)
        try await Self.feedback(f, pairing, "agent", .agentRatesManager, rating: 4, as: agent)
        try await Self.feedback(f, pairing, "manager", .managerRatesAgent, rating: 5, as: manager)
        // A party rating in the other's direction is refused by the domain, as before.
        let wrongWay = await #expect(throws: EngineError.self) { try await Self.feedback(f, pairing, "wrong-way", .managerRatesAgent, rating: 1, as: agent) }
        #expect(wrongWay?.domain?.code == .forbidden && wrongWay?.field == "giver", "\(String(describing: wrongWay))")
        // Being a party gives nothing else: the agent changes no partner and unpairs nothing.
        let change = await #expect(throws: EngineError.self) {
            try await f.engine.execute(MaintenancePairing.self, id: pairing, .changeAgent(newAgent: otherAgent.id, reason: nil), as: agent)
        }
        #expect(change?.code == .forbidden, "\(String(describing: change))")
        // Another agent of the branch, no party, still needs `edit` in customers to give feedback.
        let stranger = await #expect(throws: EngineError.self) { try await Self.feedback(f, pairing, "stranger", .agentRatesManager, rating: 1, as: otherAgent) }
        #expect(stranger?.code == .forbidden && stranger?.field == nil, "\(String(describing: stranger))")
        let state = try await f.engine.state(MaintenancePairing.self, id: pairing, as: f.admin).state
        #expect(state.feedback.map(\.giver) == [agent.id, manager.id])
        #expect(state.feedback.map(\.direction) == [.agentRatesManager, .managerRatesAgent])
        #expect(state.agent == agent.id)
        await f.close()
    }

    @Test func aPairingNamesNoAgentOrManagerWhoMayNotWorkOnTheCustomer() async throws {
        let f = try await EngineFixture.make("pairing-parties-named")
        let northManager = try await f.hire("MgrNorth", branch: "north", permissions: Self.accountManager("north"))
        let northAgent = try await f.hire("AgentNorth", branch: "north", permissions: Self.serviceAgent("north"))
        let northAgent2 = try await f.hire("AgentNorth2", branch: "north", permissions: Self.serviceAgent("north"))
        let southAgent = try await f.hire("AgentSouth", branch: "south", permissions: Self.serviceAgent("south"))
        let southManager = try await f.hire("MgrSouth", branch: "south", permissions: Self.accountManager("south"))
        let customer = try await f.customer("North Water", branch: "north")
        let pairing = MaintenancePairing.id(customerID: customer)
        let head = try await f.engine.store.headPosition()
        for (agent, manager, field) in [(southAgent, northManager, "agent"), (northAgent, southManager, "manager")] {
            let refused = await #expect(throws: EngineError.self) {
                try await f.engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: customer, agent: agent.id, manager: manager.id),
                                           as: northManager)
            }
            #expect(refused?.code == .invalid && refused?.field == field, "\(String(describing: refused))")
            #expect(refused?.message.contains(agent.id) == false && refused?.message.contains(manager.id) == false)
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // The branch's own service agent and account manager are paired.
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: customer, agent: northAgent.id, manager: northManager.id),
                                   as: northManager)
        let before = try await f.engine.state(MaintenancePairing.self, id: pairing, as: f.admin).version
        let commands: [(MaintenancePairing.Command, String)] = [(.changeAgent(newAgent: southAgent.id, reason: nil), "agent"),
                                                                (.changeManager(newManager: southManager.id, reason: nil), "manager")]
        for (command, field) in commands {
            for principal in [f.admin, Principal.operator(sourceSystem: "crm-cli")] {
                let refused = await #expect(throws: EngineError.self) {
                    try await f.engine.execute(MaintenancePairing.self, id: pairing, command, as: principal)
                }
                #expect(refused?.code == .invalid && refused?.field == field, "\(String(describing: refused))")
            }
        }
        #expect(try await f.engine.state(MaintenancePairing.self, id: pairing, as: f.admin).version == before, "nothing written")
        // The foreign agent never reads the pairing.
        await #expect(throws: EngineError.self) { try await f.engine.state(MaintenancePairing.self, id: pairing, as: southAgent) }
        // A colleague of the branch takes over.
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .changeAgent(newAgent: northAgent2.id, reason: nil), as: northManager)
        #expect(try await f.engine.state(MaintenancePairing.self, id: pairing, as: f.admin).state.agent == northAgent2.id)
        await f.close()
    }
}
