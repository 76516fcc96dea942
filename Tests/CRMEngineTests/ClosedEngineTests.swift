import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A closed engine answers every call with its own error, `unavailable` — what adapters and embedders
/// switch on —, not its log's `closed` or a view environment's "bad file descriptor".
@Suite struct ClosedEngineTests {
    /// What a call to the closed engine threw: its code, or nil when it was no ``EngineError``.
    static func code(_ call: () async throws -> Void) async -> EngineError.Code? {
        do {
            try await call()
            Issue.record("the closed engine answered")
            return nil
        } catch let error as EngineError {
            return error.code
        } catch {
            Issue.record("not an engine error: \(type(of: error)) \(error)")
            return nil
        }
    }

    @Test func everyCallToAClosedEngineAnswersUnavailable() async throws {
        let f = try await EngineFixture.make("closed-engine")
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        let customer = try await f.customer("Closed Carl", branch: "north")
        let engine = f.engine
        let admin = f.admin
        let token = f.adminToken.token
        await f.closeEngine()
        let other = UUID.derived("customer", "Closed Other")
        let create = Customer.Command.create(customerID: other, NewCustomer(kind: .person, name: "Closed Other", group: "residential", branch: "north"),
                                             form: .empty(group: "residential"))
        let calls: [(String, () async throws -> Void)] = [
            ("execute", { try await engine.execute(Customer.self, id: other, create, as: admin) }),
            ("dryRun", { _ = try await engine.dryRun(Customer.self, id: other, create, as: admin) }),
            ("state", { _ = try await engine.state(Customer.self, id: customer, as: admin) }),
            ("state as of", { _ = try await engine.state(Customer.self, id: customer, asOf: .position(GlobalPosition(1)), as: admin) }),
            ("position(at:)", { _ = try await engine.position(at: Date()) }),
            ("customer", { _ = try await engine.customer(customer, as: admin) }),
            ("customers", { _ = try await engine.customers(as: admin) }),
            ("search", { _ = try await engine.search("carl", as: admin) }),
            ("activity", { _ = try await engine.activity(as: admin, filter: .init(customerID: customer)) }),
            ("history", { _ = try await engine.history(of: Customer.stream(customer), as: admin) }),
            ("customer history", { _ = try await engine.history(ofCustomer: customer, as: admin) }),
            ("task board", { _ = try await engine.taskBoard(for: admin.id, as: admin) }),
            ("authenticate", { _ = try await engine.authenticate(token: token) }),
            ("principal", { _ = try await engine.principal(employeeID: UUID.derived("employee", "admin")) }),
            ("bootstrap", { _ = try await engine.bootstrap(administrator: NewEmployee(
                id: UUID(), name: "Late", position: "administrator", branch: "head-office", hiredOn: try EngineFixture.day("2020-01-01"))) }),
        ]
        for (name, call) in calls {
            let code = await Self.code(call)
            #expect(code == .unavailable, "\(name)")
        }
        // Closing twice stays harmless.
        await engine.close()
    }

    /// The message says what happened and names no store internals.
    @Test func theClosedEnginesErrorSaysSo() async throws {
        let f = try await EngineFixture.make("closed-engine-message")
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        await f.closeEngine()
        do {
            _ = try await f.engine.customer(UUID(), as: f.admin)
            Issue.record("the closed engine answered")
        } catch let error as EngineError {
            #expect(error.code == .unavailable)
            #expect(error.message == "the engine is closed")
        }
    }
}
