import CRMDomain
import EventSourcing
import Foundation

/// An employee's sign-in password was set (stream `password-<employee id>`). Only a one-way hash is kept
/// (the web console stores a bcrypt hash); the engine never sees or stores the password itself.
public struct EmployeePasswordSet: EventPayload, Equatable {
    public static let eventType = "EmployeePasswordSet"
    public static let schemaVersion: UInt32 = 1
    public var employeeID: UUID
    /// The password's one-way hash in the adapter's format (bcrypt `$2b$…` for the web console).
    public var hash: String
    public var setAt: Date
    public init(employeeID: UUID, hash: String, setAt: Date) {
        self.employeeID = employeeID
        self.hash = hash
        self.setAt = setAt
    }
}

extension CRMEngine {
    static func passwordStream(_ employeeID: UUID) -> StreamID { StreamID(category: "password", id: employeeID.lowercasedString) }

    /// Records the hash of an employee's new password (the last one recorded counts). An employee may set
    /// their own; setting another's needs the organisation module's `edit` permission. The hash is the
    /// adapter's (the engine verifies nothing itself: see ``authenticate(employeeID:clientIP:verify:)``).
    ///
    /// ```swift
    /// try await engine.setPasswordHash(Bcrypt.hash(password), for: employee.employeeID!, as: employee)
    /// ```
    /// Returns the version of the employee's password stream after it: the `passwordVersion` a session signed
    /// in with this password holds (see ``authenticate(employeeID:passwordVersion:clientIP:)``).
    @discardableResult
    public func setPasswordHash(_ hash: String, for employeeID: UUID, as principal: Principal) async throws -> StreamVersion {
        try requireOpen()
        let organisation = try await organisation.current(store: store, registry: registry)
        guard organisation.employees[employeeID]?.active == true else { throw EngineError(.notFound, field: "employee", "no such active employee") }
        guard principal.employeeID == employeeID || principal.may(.edit, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, field: "employee", "setting another employee's password needs organisation edit rights")
        }
        guard !hash.isEmpty, hash.count <= 200 else { throw EngineError(.invalid, field: "hash", "a password hash has 1 to 200 characters") }
        let stream = Self.passwordStream(employeeID)
        let metadata = EventMetadata(actor: principal.id, sourceSystem: principal.sourceSystem, clientIP: principal.clientIP)
        let event = try EventData(id: configuration.ids.next(), payload: EmployeePasswordSet(employeeID: employeeID, hash: hash, setAt: clock.now()),
                                  metadata: metadata)
        return try await store.append([event], to: stream, expectedVersion: .any).streamVersion
    }

    /// Whether an employee has a password set.
    public func hasPassword(employeeID: UUID) async throws -> Bool {
        try requireOpen()
        return try await password(of: employeeID) != nil
    }

    /// A password sign-in: who signed in, and the version of the password that was checked (its stream's
    /// version), which the session keeps to notice a later change.
    public struct PasswordSignIn: Sendable {
        public var principal: Principal
        public var passwordVersion: StreamVersion
    }

    /// The principal of an employee signing in with a password: `verify` is given the stored hash and
    /// answers whether the presented password matches it (the adapter's bcrypt check). An unknown or
    /// deactivated employee, one without a password or permissions, and a wrong password all fail alike
    /// with ``EngineError/Code/unauthenticated``. Each sign-in is recorded in the read audit
    /// (`password:<employee id>`, with the client IP).
    public func authenticate(employeeID: UUID, clientIP: String? = nil, verify: (String) async -> Bool) async throws -> Principal {
        try requireOpen()
        return try await signIn(employeeID: employeeID, clientIP: clientIP, verify: verify).principal
    }

    /// ``authenticate(employeeID:clientIP:verify:)`` that also answers the version of the password checked:
    /// a session keeps it and authenticates each later request with
    /// ``authenticate(employeeID:passwordVersion:clientIP:)``, so a password change ends it on every server.
    public func signIn(employeeID: UUID, clientIP: String? = nil, verify: (String) async -> Bool) async throws -> PasswordSignIn {
        try requireOpen()
        let refused = EngineError(.unauthenticated, "the credentials are not valid")
        guard let password = try await password(of: employeeID), await verify(password.hash) else { throw refused }
        let principal = try await sessionPrincipal(employeeID: employeeID, clientIP: clientIP)
        audit.record(principal: principal, record: "password:" + employeeID.lowercasedString)
        return PasswordSignIn(principal: principal, passwordVersion: password.version)
    }

    /// The principal of a session that signed in with the employee's password at `passwordVersion`
    /// (``signIn(employeeID:clientIP:verify:)``), authenticated anew for one request. It fails with
    /// ``EngineError/Code/unauthenticated`` once the password has been set again since — by any server
    /// sharing the log, as the check reads the log — or the employee is deactivated or has no permissions.
    public func authenticate(employeeID: UUID, passwordVersion: StreamVersion, clientIP: String? = nil) async throws -> Principal {
        try requireOpen()
        guard try await password(of: employeeID)?.version == passwordVersion else {
            throw EngineError(.unauthenticated, "the password has changed since this session signed in")
        }
        return try await sessionPrincipal(employeeID: employeeID, clientIP: clientIP)
    }

    /// An active employee's principal with at least one permission; `unauthenticated` otherwise.
    private func sessionPrincipal(employeeID: UUID, clientIP: String?) async throws -> Principal {
        let refused = EngineError(.unauthenticated, "the credentials are not valid")
        let principal: Principal
        do {
            principal = try await self.principal(employeeID: employeeID).from(ip: clientIP)
        } catch {
            throw refused
        }
        guard !principal.permissions.permissions.isEmpty else { throw refused }
        return principal
    }

    /// Whether `verify` accepts the password `principal` has set (their own; false when they have none),
    /// for changing it: not a sign-in, so nothing is recorded in the read audit.
    public func checkOwnPassword(as principal: Principal, verify: (String) async -> Bool) async throws -> Bool {
        try requireOpen()
        guard let employeeID = principal.employeeID, let password = try await password(of: employeeID) else { return false }
        return await verify(password.hash)
    }

    /// Records in the read audit that `principal` signed out (record `signout`, with the client IP): with
    /// the `token:`/`password:` entries of signing in, when each session began and ended (R-LOG-8).
    public func recordSignOut(as principal: Principal) {
        audit.record(principal: principal, record: "signout")
    }

    /// The hash of the employee's last recorded password and its stream version (nil: none set).
    private func password(of employeeID: UUID) async throws -> (hash: String, version: StreamVersion)? {
        let stream = Self.passwordStream(employeeID)
        guard let last = try await store.readStream(stream, from: StreamVersion(UInt64.max), direction: .backward, limit: 1).first else { return nil }
        guard let set = try registry.decode(last.type, schemaVersion: last.schemaVersion, from: last.payload) as? EmployeePasswordSet else { return nil }
        return (set.hash, last.streamVersion)
    }
}
