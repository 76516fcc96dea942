import CRMDomain
import EventSourcing
import Foundation

/// What the engine refuses, with a stable ``Code`` per kind (the HTTP adapter maps each to a status and a
/// problem type) and the offending field when there is one. The text never holds payload or personal data.
public struct EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The record does not exist, or the principal may not see it (its existence does not leak).
        public static let notFound = Code(rawValue: "not-found")
        /// The principal may see the record but not do this.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The credentials are missing, unknown, revoked or expired.
        public static let unauthenticated = Code(rawValue: "unauthenticated")
        /// The record changed since the version the caller stated (HTTP 412); nothing was written.
        public static let conflict = Code(rawValue: "conflict")
        /// A unique key the command claims is held by another record.
        public static let keyTaken = Code(rawValue: "key-taken")
        /// The domain refused the command; `domain` holds its typed error.
        public static let rejected = Code(rawValue: "rejected")
        /// Concurrent writers kept changing the record; the command was decided again a bounded number of times.
        public static let contention = Code(rawValue: "contention")
        /// An idempotency key was sent again with another request than the one that first used it; nothing
        /// was written (HTTP 422).
        public static let keyReused = Code(rawValue: "idempotency-key-reused")
        /// The input is malformed.
        public static let invalid = Code(rawValue: "invalid")
        /// The engine is closed or its storage failed.
        public static let unavailable = Code(rawValue: "unavailable")
    }

    public let code: Code
    public var field: String?
    public var message: String
    /// The domain's error when the domain refused the command.
    public var domain: DomainError?
    /// For a conflict: the version the record has now.
    public var currentVersion: StreamVersion?

    public init(_ code: Code, field: String? = nil, _ message: String, domain: DomainError? = nil, currentVersion: StreamVersion? = nil) {
        self.code = code
        self.field = field
        self.message = message
        self.domain = domain
        self.currentVersion = currentVersion
    }

    init(_ error: DomainError) {
        self.init(.rejected, field: error.field, error.detail, domain: error)
    }

    public var description: String {
        "\(code)" + (field.map { " (\($0))" } ?? "") + ": \(message)"
    }

    static func notFound(_ what: String = "no such record") -> EngineError { EngineError(.notFound, what) }

    /// What every call to a closed engine answers (``CRMEngine/close()``).
    static func closed() -> EngineError { EngineError(.unavailable, "the engine is closed") }
}
