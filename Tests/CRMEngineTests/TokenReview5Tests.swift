import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct TokenReview5Tests {
    static let northQuery = Permission(module: .customers, actions: [.query], scope: .branch("north"))

    /// An issuer who may issue tokens for others (organisation edit over all data) and holds what the junior holds.
    static func issuer(_ f: EngineFixture) async throws -> Principal {
        try await f.hire("Issuer", branch: "north", permissions: [
            Permission(module: .organisation, actions: [.query, .edit], scope: .all), northQuery,
        ])
    }

    /// Grants `employee` a further role `name` with `permissions`, as the administrator.
    static func grant(_ f: EngineFixture, _ employee: UUID, _ name: String, _ permissions: [Permission]) async throws {
        let role = UUID.derived("role", name)
        try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: name, permissions: permissions), grantor: .none), as: f.admin)
        try await f.engine.execute(Organisation.self, id: role, .grantRole(grantID: UUID.derived("grant", name), employeeID: employee, roleID: role,
                                                                           validity: .always, grantor: .none), as: f.admin)
    }

    @Test func aTokenIssuedForAnotherEmployeeKeepsToWhatTheyHeldAtIssueWhileTheirOwnFollowsThem() async throws {
        let f = try await EngineFixture.make("token-r5-promotion")
        let issuer = try await Self.issuer(f)
        let junior = try await f.hire("Junior", branch: "north", permissions: [Self.northQuery])
        let juniorID = try #require(junior.employeeID)
        let forJunior = try await f.engine.issueToken(for: juniorID, name: "issued by another", as: issuer)
        let own = try await f.engine.issueToken(for: juniorID, name: "own", as: junior)
        let now = f.clock.now()
        #expect(try await f.engine.authenticate(token: forJunior.token).may(.query, in: .customers, on: RecordScope(branch: "north"), at: now))

        // The junior is promoted: edit over all customers.
        try await Self.grant(f, juniorID, "Manager", [Permission(module: .customers, actions: [.query, .edit], scope: .all)])
        let viaIssued = try await f.engine.authenticate(token: forJunior.token)
        #expect(viaIssued.may(.query, in: .customers, on: RecordScope(branch: "north"), at: now))
        #expect(!viaIssued.may(.query, in: .customers, on: RecordScope(branch: "south"), at: now))
        #expect(!viaIssued.may(.edit, in: .customers, on: RecordScope(branch: "north"), at: now))
        // Their own token follows them.
        let viaOwn = try await f.engine.authenticate(token: own.token)
        #expect(viaOwn.may(.edit, in: .customers, on: RecordScope(branch: "south"), at: now))

        // The junior's first role is widened: the issued token does not widen with it.
        let roleID = UUID.derived("role", "Junior")
        try await f.engine.execute(Organisation.self, id: roleID, .changeRole(roleID: roleID, RoleDefinition(name: "role of Junior", permissions: [
            Permission(module: .customers, actions: [.query, .edit], scope: .all),
        ]), grantor: .none), as: f.admin)
        let widened = try await f.engine.authenticate(token: forJunior.token)
        #expect(widened.may(.query, in: .customers, on: RecordScope(branch: "north"), at: now))
        #expect(!widened.may(.query, in: .customers, on: RecordScope(branch: "south"), at: now))
        #expect(!widened.may(.edit, in: .customers, on: RecordScope(branch: "north"), at: now))

        // Revoking the grant held at issue narrows it to nothing, though the junior still holds a role.
        try await f.engine.execute(Organisation.self, id: juniorID, .revokeRoleGrant(grantID: UUID.derived("grant", "Junior")), as: f.admin)
        let error = await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: forJunior.token) }
        #expect(error?.code == .forbidden)
        #expect(try await f.engine.authenticate(token: own.token).may(.edit, in: .customers, on: RecordScope(branch: "south"), at: now))
        await f.close()
    }

    /// The roles a limited token's employee was granted since name nothing for it either: an announcement
    /// aimed at such a role is not theirs through it (as approval steps and discount authority by role are not).
    @Test func aRoleGrantedAfterALimitedTokenWasIssuedTargetsNothingThroughIt() async throws {
        let f = try await EngineFixture.make("token-r5-role-names")
        let ownAnnouncements = Permission(module: .organisation, actions: [.query], scope: .own)
        let issuer = try await f.hire("Issuer", branch: "north", permissions: [
            Permission(module: .organisation, actions: [.query, .edit], scope: .all), Self.northQuery, ownAnnouncements,
        ])
        let junior = try await f.hire("Junior", branch: "north", permissions: [Self.northQuery, ownAnnouncements])
        let juniorID = try #require(junior.employeeID)
        let limited = try await f.engine.issueToken(for: juniorID, name: "issued by another", as: issuer)
        let own = try await f.engine.issueToken(for: juniorID, name: "own", as: junior)
        try await Self.grant(f, juniorID, "Managers", [ownAnnouncements])
        let id = UUID.derived("announcement", "managers")
        try await f.engine.execute(Announcement.self, id: id, .publish(announcementID: id, title: "Managers' meeting", body: "Friday",
                                                                  targets: AnnouncementTargets(roles: [UUID.derived("role", "Managers")]), expiresAt: nil), as: f.admin)
        _ = try await f.engine.announcement(id, as: try await f.engine.authenticate(token: own.token))
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.announcement(id, as: try await f.engine.authenticate(token: limited.token))
        }
        #expect(error?.code == .notFound)
        await f.close()
    }

    @Test func aLimitedTokensGrantEndingNarrowsIt() async throws {
        let f = try await EngineFixture.make("token-r5-validity")
        let issuer = try await Self.issuer(f)
        let temp = try await f.hire("Temp", branch: "north", permissions: [])
        let tempID = try #require(temp.employeeID)
        // A grant ending in an hour, in force at issue.
        let role = UUID.derived("role", "Seasonal")
        try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: "Seasonal", permissions: [Self.northQuery]), grantor: .none), as: f.admin)
        try await f.engine.execute(Organisation.self, id: role, .grantRole(grantID: UUID.derived("grant", "Seasonal"), employeeID: tempID, roleID: role,
                                                                           validity: ValidityPeriod(until: f.clock.now().addingTimeInterval(3600)), grantor: .none), as: f.admin)
        let token = try await f.engine.issueToken(for: tempID, name: "seasonal", as: issuer)
        #expect(try await f.engine.authenticate(token: token.token).may(.query, in: .customers, on: RecordScope(branch: "north"), at: f.clock.now()))
        f.clock.advance(by: 3601)
        let error = await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: token.token) }
        #expect(error?.code == .forbidden)
        await f.close()
    }

    @Test func aVersionOneTokenIssuedEventStillDecodesAndFollowsItsEmployee() async throws {
        let registry = try EngineEvents.registry()
        struct Version1: Codable { var tokenID: UUID; var employeeID: UUID; var name: String; var secretHash: [UInt8]; var issuedAt: Date; var expiresAt: Date? }
        let old = Version1(tokenID: UUID(), employeeID: UUID(), name: "old", secretHash: [1, 2, 3], issuedAt: Date(timeIntervalSince1970: 1_700_000_000), expiresAt: nil)
        let bytes = try BinaryPayloadEncoder.encode(old)
        let decoded = try #require(try bytes.withUnsafeBytes { try registry.decode(ApiTokenIssued.eventType, schemaVersion: 1, from: $0) } as? ApiTokenIssued)
        #expect(decoded.tokenID == old.tokenID && decoded.name == "old" && decoded.secretHash == [1, 2, 3] && decoded.limits == nil)
    }

    @Test func aTokensHistoryShowsWhoIssuedItForWhomWithoutTheSecretsHash() async throws {
        let f = try await EngineFixture.make("token-r5-history")
        let issuer = try await Self.issuer(f)
        let junior = try await f.hire("Junior", branch: "north", permissions: [Self.northQuery])
        let juniorID = try #require(junior.employeeID)
        let token = try await f.engine.issueToken(for: juniorID, name: "field tablet", as: issuer)
        try await f.engine.revokeToken(token.tokenID, reason: "lost", as: f.admin)
        let stream = StreamID(category: "apitoken", id: token.tokenID.lowercasedString)
        let history = try await f.engine.history(of: stream, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(history.map(\.eventType) == [ApiTokenIssued.eventType, ApiTokenRevoked.eventType])
        let issued = try #require(history.first)
        #expect(issued.actor == issuer.id)
        #expect(issued.changes.contains(FieldChange(field: "employee", old: nil, new: .id(juniorID))))
        #expect(issued.changes.contains(FieldChange(field: "name", old: nil, new: .text("field tablet"))))
        #expect(!issued.changes.contains { $0.field.lowercased().contains("hash") || $0.field.lowercased().contains("secret") })
        #expect(history.last?.changes.contains(FieldChange(field: "revoked", old: .bool(false), new: .bool(true))) == true)
        // The raw events, which hold the hash, are for readers of the whole log only.
        let error = await #expect(throws: EngineError.self) { try await f.engine.events(of: stream, as: issuer) }
        #expect(error?.code == .forbidden)
        #expect(try await f.engine.events(of: stream, as: f.admin).count == 2)
        await f.close()
    }
}
