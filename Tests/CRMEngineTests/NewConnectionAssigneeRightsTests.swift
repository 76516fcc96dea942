import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A new connection's stage goes only to an employee who may work on it: `edit` in customers over its
/// customer's scope (or a role over one's own records), as a ticket's assignment — refused `invalid`,
/// naming `assignee`, with nothing written.
@Suite struct NewConnectionAssigneeRightsTests {
    static func staff(_ branch: String) -> [Permission] {
        [Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch(branch))]
    }

    @Test func aConnectionStageCannotGoToAnotherBranchsEmployee() async throws {
        let f = try await EngineFixture.make("connection-assignee-rights")
        let berlin = try await f.hire("Berta", branch: "berlin", permissions: Self.staff("berlin"))
        let berlin2 = try await f.hire("Bruno", branch: "berlin", permissions: Self.staff("berlin"))
        let newYork = try await f.hire("Nora", branch: "new-york", permissions: Self.staff("new-york"))
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        let id = UUID.derived("connection", "rights")
        let deadline = f.clock.now().addingTimeInterval(7 * 86_400)
        // Opening it for another branch's employee is refused; nothing is written.
        let refusedOpen = await #expect(throws: EngineError.self) {
            try await f.engine.execute(NewConnection.self, id: id, .open(connectionID: id, customerID: customer, address: "1 Main St",
                                                                         deadline: deadline, assignee: newYork.id), as: berlin)
        }
        #expect(refusedOpen?.code == .invalid && refusedOpen?.field == "assignee", "\(String(describing: refusedOpen))")
        #expect(try await f.engine.store.streamVersion(of: NewConnection.stream(id)) == .noStream)
        try await f.engine.execute(NewConnection.self, id: id, .open(connectionID: id, customerID: customer, address: "1 Main St",
                                                                     deadline: deadline, assignee: berlin2.id), as: berlin)
        let before = try await f.engine.state(NewConnection.self, id: id, as: f.admin).version
        for command: NewConnection.Command in [.replan(deadline: deadline, assignee: newYork.id),
                                               .advance(note: nil, deadline: deadline, assignee: newYork.id)] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(NewConnection.self, id: id, command, as: f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "assignee", "\(String(describing: error))")
            #expect(error?.message.contains(newYork.id) == false)
        }
        // An operator (crm-cli) is judged as a person is.
        let byOperator = await #expect(throws: EngineError.self) {
            try await f.engine.execute(NewConnection.self, id: id, .replan(deadline: deadline, assignee: newYork.id),
                                       as: .operator(sourceSystem: "crm-cli"))
        }
        #expect(byOperator?.code == .invalid && byOperator?.field == "assignee", "\(String(describing: byOperator))")
        #expect(try await f.engine.state(NewConnection.self, id: id, as: f.admin).version == before, "nothing written")
        // A Berlin colleague may take it over.
        try await f.engine.execute(NewConnection.self, id: id, .replan(deadline: deadline, assignee: berlin.id), as: berlin2)
        #expect(try await f.engine.state(NewConnection.self, id: id, as: f.admin).state.currentAssignee == berlin.id)
        await f.close()
    }
}
