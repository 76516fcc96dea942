import CRMDomain
import EventSourcing
import Foundation

/// A unique key was reserved for a record (stream `reservation-<hash of the key>`).
public struct KeyReserved: EventPayload, Equatable {
    public static let eventType = "KeyReserved"
    public static let schemaVersion: UInt32 = 1
    public var key: UniqueKey
    /// The stream of the record holding the key.
    public var holder: String
    public init(key: UniqueKey, holder: String) {
        self.key = key
        self.holder = holder
    }
}

/// A unique key was freed (archive, merge, a key replaced or removed).
public struct KeyReleased: EventPayload, Equatable {
    public static let eventType = "KeyReleased"
    public static let schemaVersion: UInt32 = 1
    public var key: UniqueKey
    public var holder: String
    public init(key: UniqueKey, holder: String) {
        self.key = key
        self.holder = holder
    }
}

/// The first result of a command sent with an idempotency key (stream `idempotency-<hash of principal and
/// key>`), written in the same append as the command's events: a repeat returns it.
public struct CommandOutcomeRecorded: EventPayload, Equatable {
    public static let eventType = "CommandOutcomeRecorded"
    public static let schemaVersion: UInt32 = 2
    public var stream: String
    /// The record's version before and after the command (equal when it recorded nothing).
    public var versionBefore: UInt64
    public var versionAfter: UInt64
    /// A digest of the request that first used the key, when the caller gave one (version 2): a repeat
    /// carrying another request is refused instead of answered with this result.
    public var requestDigest: String?
    public init(stream: String, versionBefore: UInt64, versionAfter: UInt64, requestDigest: String? = nil) {
        self.stream = stream
        self.versionBefore = versionBefore
        self.versionAfter = versionAfter
        self.requestDigest = requestDigest
    }

    /// Version 1, before the request digest.
    struct Version1: Decodable, Sendable {
        var stream: String
        var versionBefore: UInt64
        var versionAfter: UInt64
    }
}

/// An API token was issued to an employee; only the SHA-256 of its secret is kept.
public struct ApiTokenIssued: EventPayload, Equatable {
    public static let eventType = "ApiTokenIssued"
    /// 2: `limits` (version 1 reads with none).
    public static let schemaVersion: UInt32 = 2
    public var tokenID: UUID
    public var employeeID: UUID
    public var name: String
    /// SHA-256 of the token's secret.
    public var secretHash: [UInt8]
    public var issuedAt: Date
    public var expiresAt: Date?
    /// For a token an employee issued for another employee: what that employee held at issue, the most the
    /// token ever allows (``TokenLimits``). Nil — one's own token, the system's or an operator's, every
    /// version-1 token —: the token follows its employee's rights.
    public var limits: TokenLimits?
    public init(tokenID: UUID, employeeID: UUID, name: String, secretHash: [UInt8], issuedAt: Date, expiresAt: Date?, limits: TokenLimits? = nil) {
        self.tokenID = tokenID
        self.employeeID = employeeID
        self.name = name
        self.secretHash = secretHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.limits = limits
    }

    /// Version 1, before the limits.
    struct Version1: Decodable, Sendable {
        var tokenID: UUID
        var employeeID: UUID
        var name: String
        var secretHash: [UInt8]
        var issuedAt: Date
        var expiresAt: Date?
    }
}

/// What an employee held when another employee issued a token for them: the role grants in force then and
/// the permissions and hidden fields they gave. The token's principal holds only the permissions of those
/// grants still recorded and in force, each within what was held at issue: a later grant or a widened role
/// does not widen the token, a revocation or an end of validity narrows it (docs/ENGINE-AUTHORIZATION.md,
/// "API tokens").
public struct TokenLimits: Codable, Sendable, Hashable {
    public var grantIDs: [UUID]
    public var permissions: [Permission]
    public var hiddenFields: [HiddenField]
    public init(grantIDs: [UUID], permissions: [Permission], hiddenFields: [HiddenField]) {
        self.grantIDs = grantIDs
        self.permissions = permissions
        self.hiddenFields = hiddenFields
    }
}

/// An API token was revoked; it authenticates no more.
public struct ApiTokenRevoked: EventPayload, Equatable {
    public static let eventType = "ApiTokenRevoked"
    public static let schemaVersion: UInt32 = 1
    public var tokenID: UUID
    public var reason: String?
    public init(tokenID: UUID, reason: String?) {
        self.tokenID = tokenID
        self.reason = reason
    }
}

/// The engine's own event types besides the domain's.
public enum EngineEvents {
    public static let payloadTypes: [any EventPayload.Type] = [
        KeyReserved.self, KeyReleased.self, CommandOutcomeRecorded.self, ApiTokenIssued.self, ApiTokenRevoked.self,
        EmployeePasswordSet.self,
    ] + OutboxItem.Event.payloadTypes + ChurnWatch.Event.payloadTypes + UsageWatch.Event.payloadTypes

    /// Every CRM and engine payload type, validated.
    public static func registry() throws -> PayloadRegistry {
        var registry = try CRMEvents.registry()
        registry.register(KeyReserved.self)
        registry.register(KeyReleased.self)
        registry.register(CommandOutcomeRecorded.self)
        registry.registerLegacy(CommandOutcomeRecorded.self, version: 1, storedAs: CommandOutcomeRecorded.Version1.self) {
            CommandOutcomeRecorded(stream: $0.stream, versionBefore: $0.versionBefore, versionAfter: $0.versionAfter)
        }
        registry.register(ApiTokenIssued.self)
        registry.registerLegacy(ApiTokenIssued.self, version: 1, storedAs: ApiTokenIssued.Version1.self) {
            ApiTokenIssued(tokenID: $0.tokenID, employeeID: $0.employeeID, name: $0.name, secretHash: $0.secretHash,
                           issuedAt: $0.issuedAt, expiresAt: $0.expiresAt)
        }
        registry.register(ApiTokenRevoked.self)
        registry.register(EmployeePasswordSet.self)
        registry.register(events: OutboxItem.Event.self)
        registry.register(events: ChurnWatch.Event.self)
        registry.register(events: UsageWatch.Event.self)
        try registry.validate()
        return registry
    }
}
