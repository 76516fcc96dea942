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
    public static let schemaVersion: UInt32 = 1
    public var tokenID: UUID
    public var employeeID: UUID
    public var name: String
    /// SHA-256 of the token's secret.
    public var secretHash: [UInt8]
    public var issuedAt: Date
    public var expiresAt: Date?
    public init(tokenID: UUID, employeeID: UUID, name: String, secretHash: [UInt8], issuedAt: Date, expiresAt: Date?) {
        self.tokenID = tokenID
        self.employeeID = employeeID
        self.name = name
        self.secretHash = secretHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
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
        registry.register(ApiTokenRevoked.self)
        registry.register(EmployeePasswordSet.self)
        registry.register(events: OutboxItem.Event.self)
        registry.register(events: ChurnWatch.Event.self)
        registry.register(events: UsageWatch.Event.self)
        try registry.validate()
        return registry
    }
}
