import CRMDomain
import CRMProjections
import Crypto
import EventSourcing
import Foundation

/// An API token as issued: the secret is shown once, here, and stored only as its SHA-256.
public struct IssuedToken: Sendable, Hashable {
    public let tokenID: UUID
    public let employeeID: UUID
    /// `crm_<token id>_<secret>`: what a client sends as `Authorization: Bearer …`.
    public let token: String
}

/// An API token as listed: never its secret.
public struct TokenInfo: Codable, Sendable, Hashable {
    public var tokenID: UUID
    public var employeeID: UUID
    public var name: String
    public var issuedAt: Date
    public var expiresAt: Date?
    public var revoked: Bool
}

/// The tokens per employee, for listing: `employee id + token id → TokenInfo`.
struct CredentialsProjection: Projection {
    let name = "credentials"
    let version: UInt32 = 1
    static let tokens = ViewTable("tokens")
    static let byID = ViewTable("token-owner")
    var tables: [ViewTable] { [Self.tokens, Self.byID] }
    var eventTypes: Set<String>? { [ApiTokenIssued.eventType, ApiTokenRevoked.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as ApiTokenIssued:
            let info = TokenInfo(tokenID: e.tokenID, employeeID: e.employeeID, name: e.name, issuedAt: e.issuedAt, expiresAt: e.expiresAt, revoked: false)
            try views.put(row: info, forKey: ViewKey().uuid(e.employeeID).uuid(e.tokenID).bytes, in: Self.tokens)
            try views.put(row: e.employeeID, forKey: ViewKey().uuid(e.tokenID).bytes, in: Self.byID)
        case let e as ApiTokenRevoked:
            guard let owner = try views.row(UUID.self, forKey: ViewKey().uuid(e.tokenID).bytes, in: Self.byID) else { return }
            try views.update(TokenInfo.self, forKey: ViewKey().uuid(owner).uuid(e.tokenID).bytes, in: Self.tokens) { info in
                info.map { var i = $0; i.revoked = true; return i }
            }
        default:
            return
        }
    }
}

extension CRMEngine {
    static let tokenStreamCategory = "apitoken"
    static func tokenStream(_ id: UUID) -> StreamID { StreamID(category: tokenStreamCategory, id: id.lowercasedString) }

    /// Issues an API token to an employee. The employee may issue their own; issuing one for someone else
    /// needs the organisation module's `edit` permission and, since the token acts as them, all they hold
    /// now: the grant rule (R-ORG-2, ``GrantRule``) over their effective permissions — every action, scope
    /// and period, and no field hidden from the issuer shown to them — else `forbidden` (field `employee`),
    /// nothing written.
    ///
    /// A token an employee issues for another employee carries ``TokenLimits``: the role grants in force for
    /// that employee now and what they give. It never allows more than that (``authenticate(token:clientIP:)``):
    /// a later grant or a widened role does not widen it, a revocation or an end of validity narrows it. One's
    /// own token, and one the system or an operator issues, follows the employee's rights as they change.
    public func issueToken(for employeeID: UUID, name: String, expiresAt: Date? = nil, as principal: Principal) async throws -> IssuedToken {
        try requireOpen()
        let organisation = try await organisation.current(store: store, registry: registry)
        guard organisation.employees[employeeID]?.active == true else { throw EngineError(.notFound, field: "employee", "no such active employee") }
        guard principal.employeeID == employeeID || principal.may(.edit, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, field: "employee", "issuing a token for another employee needs organisation edit rights")
        }
        var limits: TokenLimits?
        if principal.employeeID != employeeID, !principal.isSystem {
            let now = clock.now()
            let held = organisation.effectivePermissions(of: employeeID, at: now)
            if let excess = GrantRule.excess(granting: held.permissions, hiding: held.hiddenFields, by: principal.permissions) {
                throw EngineError(.forbidden, field: "employee", "issuing a token for this employee needs all they hold: \(excess)")
            }
            let grants = organisation.roleGrants.values.filter { $0.employeeID == employeeID && $0.validity.contains(now) }.map(\.id)
            limits = TokenLimits(grantIDs: grants.sorted { $0.uuidString < $1.uuidString }, permissions: held.permissions, hiddenFields: held.hiddenFields)
        }
        let label = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty, label.count <= 100 else { throw EngineError(.invalid, field: "name", "a token needs a name of 1 to 100 characters") }
        // A token that could never authenticate is a mistake (a past date, a wrong year), not a token.
        if let expiresAt, expiresAt <= clock.now() { throw EngineError(.invalid, field: "expiresAt", "the expiry must lie in the future") }
        let tokenID = configuration.ids.next()
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let issued = ApiTokenIssued(tokenID: tokenID, employeeID: employeeID, name: label, secretHash: Array(SHA256.hash(data: secret)),
                                    issuedAt: clock.now(), expiresAt: expiresAt, limits: limits)
        let metadata = EventMetadata(actor: principal.id, sourceSystem: principal.sourceSystem, clientIP: principal.clientIP)
        try await store.append([try EventData(id: configuration.ids.next(), payload: issued, metadata: metadata)],
                               to: Self.tokenStream(tokenID), expectedVersion: .noStream)
        let text = "crm_" + tokenID.lowercasedString.replacingOccurrences(of: "-", with: "") + "_" + Self.base64url(secret)
        return IssuedToken(tokenID: tokenID, employeeID: employeeID, token: text)
    }

    /// Revokes a token: its owner or an organisation editor may.
    public func revokeToken(_ tokenID: UUID, reason: String? = nil, as principal: Principal) async throws {
        try requireOpen()
        let (issued, revoked, _) = try await tokenState(tokenID)
        guard let issued else { throw EngineError.notFound("no such token") }
        guard principal.employeeID == issued.employeeID || principal.may(.edit, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError.notFound("no such token")
        }
        if revoked { return }
        let metadata = EventMetadata(actor: principal.id, sourceSystem: principal.sourceSystem, clientIP: principal.clientIP)
        try await store.append([try EventData(id: configuration.ids.next(), payload: ApiTokenRevoked(tokenID: tokenID, reason: reason), metadata: metadata)],
                               to: Self.tokenStream(tokenID), expectedVersion: .exact(try await store.streamVersion(of: Self.tokenStream(tokenID))))
    }

    /// The tokens of an employee (never their secrets): the employee's own, or anyone's for an
    /// organisation viewer.
    public func tokens(of employeeID: UUID, as principal: Principal) async throws -> [TokenInfo] {
        try requireOpen()
        guard principal.employeeID == employeeID || principal.may(.query, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "listing another employee's tokens needs organisation query rights")
        }
        // Listing follows every token issued so far (a freshly issued one included).
        try await views.waitUntil(try await store.headPosition(), projections: ["credentials"])
        return try views.read("credentials") { views in
            try views.rows(TokenInfo.self, in: CredentialsProjection.tokens, prefix: ViewKey().uuid(employeeID).bytes).map(\.row)
        }
    }

    /// The principal a bearer token stands for. Unknown, malformed, revoked and expired tokens, and tokens
    /// of deactivated employees, all fail alike with ``EngineError/Code/unauthenticated``; the secret is
    /// compared in constant time. A good token of an employee who holds no role in force fails with
    /// ``EngineError/Code/forbidden`` (HTTP 403). Each successful use is recorded in the read audit
    /// (`token:<id>`, with the client IP).
    ///
    /// A verified token is remembered (by its SHA-256, never the token) with its principal while its stream
    /// and the organisation's stay unchanged, it has not expired and no role grant or permission of the
    /// employee starts or ends (``PrincipalCache``): a revocation, a deactivation or a changed role or grant
    /// applies from the very next call.
    public func authenticate(token: String, clientIP: String? = nil) async throws -> Principal {
        try requireOpen()
        let key = PrincipalCache.Key(token: token)
        let now = clock.now()
        if let entry = principals.entry(key) {
            if try await isCurrent(entry, at: now) { return used(entry, from: clientIP) }
            principals.remove(key)
        }
        let entry = try await verify(token: token, at: now)
        principals.store(entry, for: key)
        return used(entry, from: clientIP)
    }

    /// Whether a remembered token still stands for its principal at `now`: nothing it was computed from changed.
    private func isCurrent(_ entry: PrincipalCache.Entry, at now: Date) async throws -> Bool {
        guard entry.isCurrent(at: now) else { return false }
        guard try await store.streamVersion(of: Self.tokenStream(entry.tokenID)) == entry.tokenVersion else { return false }
        return try await store.streamVersion(of: Organisation.streamID) == entry.organisationVersion
    }

    /// The principal seen from `clientIP`, its token use audited with that IP (R-LOG-8) in the read audit
    /// beside the reads it allows (queued, written in batches off the request path).
    private func used(_ entry: PrincipalCache.Entry, from clientIP: String?) -> Principal {
        let authenticated = entry.principal.from(ip: clientIP)
        audit.record(principal: authenticated, record: entry.auditRecord)
        return authenticated
    }

    /// Checks a token from scratch: its form, its stream (issued, not revoked, not expired), its secret and
    /// its employee's permissions at `now`.
    private func verify(token: String, at now: Date) async throws -> PrincipalCache.Entry {
        let refused = EngineError(.unauthenticated, "the token is not valid")
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)  // the secret may hold "_"
        guard parts.count == 3, parts[0] == "crm", parts[1].count == 32, let tokenID = Self.uuid(hex: String(parts[1])),
              let secret = Self.data(base64url: String(parts[2])) else { throw refused }
        let (issued, revoked, tokenVersion) = try await tokenState(tokenID)
        guard let issued, !revoked else { throw refused }
        if let expiry = issued.expiresAt, expiry <= now { throw refused }
        let presented = Array(SHA256.hash(data: secret))
        guard Self.constantTimeEqual(presented, issued.secretHash) else { throw refused }
        let (organisation, organisationVersion) = try await self.organisation.currentWithVersion(store: store, registry: registry)
        guard organisation.employees[issued.employeeID]?.active == true else { throw refused }
        let principal: Principal
        var changesAt = organisation.nextPermissionChange(of: issued.employeeID, after: now)
        if let limits = issued.limits {
            principal = Principal(employeeID: issued.employeeID, permissions: Self.permissions(of: issued.employeeID, within: limits, in: organisation, at: now),
                                  roleGrants: Set(limits.grantIDs))
            // The held permissions' own periods bound the token's too: it is computed again when one starts or ends.
            let bounds = limits.permissions.flatMap { [$0.validity.from, $0.validity.until] }.compactMap { $0 }.filter { $0 > now }
            changesAt = (bounds + [changesAt].compactMap { $0 }).min()
        } else {
            principal = Principal(employeeID: issued.employeeID, permissions: organisation.effectivePermissions(of: issued.employeeID, at: now))
        }
        // The token is good (its secret was checked): its employee just may do nothing now — told as such,
        // not as a bad token, to whom proved they hold it.
        guard !principal.permissions.permissions.isEmpty else { throw EngineError(.forbidden, "the token's employee holds no role in force") }
        return PrincipalCache.Entry(
            tokenID: tokenID, principal: principal, tokenVersion: tokenVersion, organisationVersion: organisationVersion,
            expiresAt: issued.expiresAt, computedAt: now, changesAt: changesAt,
            auditRecord: "token:" + tokenID.lowercasedString)
    }

    /// What a token limited by `limits` allows its employee at `now`: the permissions of the grants recorded
    /// in `limits` that the organisation still records and that are in force (so a revocation or an ended
    /// grant narrows it, a later grant adds nothing), each action kept only within a permission held at
    /// issue — the narrower scope of the two (``DataScope/covers(_:)``; two scopes neither of which covers the
    /// other meet in `own`) and the overlap of their periods. Form fields are hidden as those grants' roles
    /// hide them from the employee now (the fields hidden on every customer at issue are kept among
    /// `hiddenFields` too).
    static func permissions(of employeeID: UUID, within limits: TokenLimits, in organisation: Organisation.State, at now: Date) -> EffectivePermissions {
        let allowed = Set(limits.grantIDs)
        let grants = organisation.roleGrants.values
            .filter { (grant: RoleGrant) -> Bool in grant.employeeID == employeeID && allowed.contains(grant.id) }
            .sorted { (a: RoleGrant, b: RoleGrant) -> Bool in a.id.uuidString < b.id.uuidString }
        let held: [(role: Role, grant: ValidityPeriod)] = grants.compactMap { grant in
            organisation.roles[grant.roleID].map { (role: $0, grant: grant.validity) }
        }
        let current = EffectivePermissions.of(roles: held, at: now)
        var permissions: [Permission] = []
        for permission in current.permissions {
            for action in permission.actions {
                for ceiling in limits.permissions where ceiling.module == permission.module && ceiling.actions.contains(action) {
                    guard let validity = permission.validity.intersection(ceiling.validity), validity.contains(now) else { continue }
                    let scope: DataScope = ceiling.scope.covers(permission.scope) ? permission.scope
                        : permission.scope.covers(ceiling.scope) ? ceiling.scope : .own
                    let kept = Permission(module: permission.module, actions: [action], scope: scope, validity: validity)
                    if !permissions.contains(kept) { permissions.append(kept) }
                }
            }
        }
        // The fields the recorded grants' roles hide are judged as for the employee; those hidden at issue stay hidden.
        var limited = current
        limited.permissions = permissions
        limited.hiddenFields = Set(current.hiddenFields).union(limits.hiddenFields).sorted()
        return limited
    }

    /// An employee as a principal, with the permissions their roles give now.
    public func principal(employeeID: UUID) async throws -> Principal {
        try requireOpen()
        let organisation = try await organisation.current(store: store, registry: registry)
        guard organisation.employees[employeeID]?.active == true else { throw EngineError(.unauthenticated, "no such active employee") }
        return Principal(employeeID: employeeID, permissions: organisation.effectivePermissions(of: employeeID, at: clock.now()))
    }

    /// Sets up an empty CRM: the organisation's first administrator (with a role holding every permission),
    /// the default approval workflows and an API token for the administrator. Refused once the organisation
    /// is bootstrapped — `rejected` (domain `alreadyExists`), "the organisation is already bootstrapped" —
    /// except to finish a bootstrap that stopped half-way (a crash between its appends): called again with the
    /// same administrator (the same id) while the organisation holds nothing but that bootstrap and no token
    /// was issued to them, it defines the default workflows still missing and issues the token.
    public func bootstrap(administrator: NewEmployee, roleName: String = "Administrator") async throws -> (principal: Principal, token: IssuedToken) {
        try requireOpen()
        let roleID = configuration.ids.next()
        let grantID = configuration.ids.next()
        do {
            // No expected version: two bootstraps at once are judged one after the other by the domain (the
            // second decided again on the first's state), which names the refusal.
            try await execute(Organisation.self, id: UUID(), .bootstrap(administrator: administrator, roleID: roleID, roleName: roleName, grantID: grantID),
                              as: .system)
        } catch let error as EngineError where error.domain?.code == .alreadyExists {
            guard try await isUnfinishedBootstrap(of: administrator.id) else {
                throw EngineError(.rejected, "the organisation is already bootstrapped", domain: error.domain)
            }
        }
        // The default approval workflows (quotes, contracts, campaigns, feedback forms), so approvals route from
        // day one; one an unfinished bootstrap already defined is kept.
        for definition in WorkflowDefinition.defaults {
            do {
                try await execute(WorkflowDefinition.self, id: definition.definitionID, WorkflowDefinition.defineCommand(definition), as: .system)
            } catch let error as EngineError where error.domain?.code == .alreadyExists {}
        }
        let principal = try await self.principal(employeeID: administrator.id)
        let token = try await issueToken(for: administrator.id, name: "bootstrap", as: principal)
        return (principal, token)
    }

    /// Whether the organisation holds only the bootstrap of `administrator` (nothing recorded in it since)
    /// and no token was ever issued to them: a bootstrap that stopped before its last step.
    private func isUnfinishedBootstrap(of administrator: UUID) async throws -> Bool {
        let (organisation, version) = try await load(Organisation.self, stream: Organisation.streamID)
        guard version == StreamVersion(1), organisation.bootstrapped, organisation.employees.count == 1,
              organisation.employees[administrator] != nil else { return false }
        return try await tokens(of: administrator, as: .system).isEmpty
    }

    private func tokenState(_ tokenID: UUID) async throws -> (issued: ApiTokenIssued?, revoked: Bool, version: StreamVersion) {
        var issued: ApiTokenIssued?
        var revoked = false
        var version = StreamVersion.noStream
        for event in try await store.readStream(Self.tokenStream(tokenID), limit: 16) {
            version = event.streamVersion
            switch try registry.decode(event.type, schemaVersion: event.schemaVersion, from: event.payload) {
            case let e as ApiTokenIssued: issued = e
            case is ApiTokenRevoked: revoked = true
            default: break
            }
        }
        return (issued, revoked, version)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    static func uuid(hex: String) -> UUID? {
        guard hex.count == 32 else { return nil }
        let chars = Array(hex)
        let dashed = String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-" + String(chars[12..<16]) + "-" + String(chars[16..<20]) + "-" + String(chars[20..<32])
        return UUID(text: dashed)
    }
}

/// A token's issue in its history and in `/v1/events` (R-LOG-5): for whom, its name, its expiry and, for a
/// token issued for someone else, the role grants it is limited to — never its secret's hash.
extension ApiTokenIssued: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("employee", nil, .id(employeeID))
        c.record("name", nil, .text(name))
        c.record("expiresAt", nil, expiresAt.map { .text($0.formatted(Date.ISO8601FormatStyle())) })
        c.record("grants", nil, limits.map { .list($0.grantIDs.map(\.lowercasedString)) })
        return c
    }
}

/// A token's revocation in its history: `revoked` false → true, with the reason given.
extension ApiTokenRevoked: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = [FieldChange(field: "revoked", old: .bool(false), new: .bool(true))]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}
