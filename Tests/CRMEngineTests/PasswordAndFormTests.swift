import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct PasswordAndFormTests {
    /// A stand-in for the adapter's one-way hash (the console uses bcrypt).
    static func hash(_ password: String) -> String { "test$" + String(password.reversed()) }

    @Test func aPasswordHashIsRecordedAndCheckedByTheAdaptersVerifier() async throws {
        let f = try await EngineFixture.make("passwords")
        let clerk = try await f.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let other = try await f.hire("Other", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let clerkID = try #require(clerk.employeeID)
        #expect(try await f.engine.hasPassword(employeeID: clerkID) == false)
        await #expect(throws: EngineError.self) {
            try await f.engine.authenticate(employeeID: clerkID, verify: { _ in true })
        }

        // One's own, yes; another's only with organisation edit rights.
        try await f.engine.setPasswordHash(Self.hash("first secret"), for: clerkID, as: clerk)
        await #expect(throws: EngineError.self) { try await f.engine.setPasswordHash(Self.hash("x"), for: clerkID, as: other) }
        try await f.engine.setPasswordHash(Self.hash("second secret"), for: clerkID, as: f.admin)
        #expect(try await f.engine.hasPassword(employeeID: clerkID))

        // The last hash counts; the verifier sees it and decides.
        let principal = try await f.engine.authenticate(employeeID: clerkID, clientIP: "192.0.2.7") { $0 == Self.hash("second secret") }
        #expect(principal.employeeID == clerkID && principal.clientIP == "192.0.2.7")
        await #expect(throws: EngineError.self) {
            try await f.engine.authenticate(employeeID: clerkID) { $0 == Self.hash("first secret") }
        }
        // Only the hash is in the log.
        let events = try await f.engine.store.readStream(StreamID(category: "password", id: clerkID.uuidString.lowercased()))
        #expect(events.count == 2)
        #expect(events.allSatisfy { Data($0.payload).range(of: Data("second secret".utf8)) == nil })

        // A deactivated employee no longer signs in, whatever the password.
        try await f.engine.execute(Organisation.self, id: clerkID, .deactivate(employeeID: clerkID, reason: nil), as: f.admin)
        await #expect(throws: EngineError.self) {
            try await f.engine.authenticate(employeeID: clerkID) { _ in true }
        }
        await f.close()
    }

    @Test func aPasswordSessionEndsWhenThePasswordIsSetAgainAnywhere() async throws {
        let f = try await EngineFixture.make("password-sessions")
        let clerk = try await f.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let clerkID = try #require(clerk.employeeID)
        let set = try await f.engine.setPasswordHash(Self.hash("first secret"), for: clerkID, as: clerk)
        let signIn = try await f.engine.signIn(employeeID: clerkID, clientIP: "192.0.2.7") { $0 == Self.hash("first secret") }
        #expect(signIn.passwordVersion == set)
        #expect(signIn.principal.employeeID == clerkID)

        // Each later request of the session: the same password, the same principal.
        let again = try await f.engine.authenticate(employeeID: clerkID, passwordVersion: signIn.passwordVersion, clientIP: "192.0.2.8")
        #expect(again.employeeID == clerkID && again.clientIP == "192.0.2.8")

        // Set again (by anyone, on any server of the log): the session's version no longer counts, even when
        // the new hash is the same.
        let reset = try await f.engine.setPasswordHash(Self.hash("first secret"), for: clerkID, as: f.admin)
        #expect(reset > set)
        await #expect(throws: EngineError.self) {
            try await f.engine.authenticate(employeeID: clerkID, passwordVersion: signIn.passwordVersion)
        }
        #expect(try await f.engine.authenticate(employeeID: clerkID, passwordVersion: reset).employeeID == clerkID)

        // A deactivated employee's session ends whatever its version.
        try await f.engine.execute(Organisation.self, id: clerkID, .deactivate(employeeID: clerkID, reason: nil), as: f.admin)
        await #expect(throws: EngineError.self) {
            try await f.engine.authenticate(employeeID: clerkID, passwordVersion: reset)
        }
        await f.close()
    }

    @Test func theCustomerFormLeavesOutHiddenFieldsAndFollowsTheCustomersScope() async throws {
        let f = try await EngineFixture.make("customer-form")
        try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
            FieldDefinition(name: "meterCount", label: "Meter count", type: .number),
            FieldDefinition(name: "income", label: "Income", type: .money),
        ]), as: f.admin)
        let north = try await f.customer("Li Wei", branch: "north")
        let south = try await f.customer("Sun Li", branch: "south")
        let clerk = try await f.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .branch("north"))],
                                     hidden: [HiddenField(formGroup: "residential", field: "income")])
        #expect(try await f.engine.customerForm(of: north, as: f.admin).fields.map(\.name) == ["meterCount", "income"])
        #expect(try await f.engine.customerForm(of: north, as: clerk).fields.map(\.name) == ["meterCount"])
        await #expect(throws: EngineError.self) { try await f.engine.customerForm(of: south, as: clerk) }
        await f.close()
    }
}
