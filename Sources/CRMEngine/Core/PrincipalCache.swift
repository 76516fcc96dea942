import Crypto
import EventSourcing
import Foundation
import Synchronization

/// Bearer tokens already verified, with the principal they stand for, so that ``CRMEngine/authenticate(token:clientIP:)``
/// does not read the token's stream, hash its secret and compute the employee's permissions on every request.
///
/// Keyed by the SHA-256 of the whole presented token (the token itself is never kept). An entry is used only
/// while nothing it was computed from changed, which the engine checks on every use:
/// - the token's stream is still at the version seen (a revocation appends to it);
/// - the organisation's stream is still at the version seen (employees, roles, role grants and their
///   deactivation, changes and revocations all live in that one stream);
/// - the token has not expired at the engine clock's `now`;
/// - `now` lies between the instant the permissions were computed at and the next instant a role grant or
///   a permission of the employee starts or ends (``CRMDomain/Organisation/State/nextPermissionChange(of:after:)``).
/// Anything else drops the entry and the token is verified from scratch.
final class PrincipalCache: Sendable {
    struct Key: Hashable, Sendable {
        let a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init(token: String) {
            // Hashed from the string's own UTF-8 storage: no copy of the token, no array of words.
            var text = token
            let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
            (a, b, c, d) = digest.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            }
        }
    }

    struct Entry: Sendable {
        let tokenID: UUID
        /// The principal without a client IP.
        let principal: Principal
        let tokenVersion: StreamVersion
        let organisationVersion: StreamVersion
        let expiresAt: Date?
        /// The instant the permissions were computed at, and the first instant they may differ (nil: never).
        let computedAt: Date
        let changesAt: Date?
        /// The read-audit record of a use (`token:<id>`).
        let auditRecord: String

        /// Whether the entry may answer at `now` as far as time goes (the stream versions are checked apart).
        func isCurrent(at now: Date) -> Bool {
            if let expiresAt, expiresAt <= now { return false }
            if now < computedAt { return false }
            if let changesAt, changesAt <= now { return false }
            return true
        }
    }

    /// Most entries kept; when full, the cache starts over (tokens in use come back on their next request).
    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    init(capacity: Int = 10_000) { self.capacity = max(capacity, 1) }

    func entry(_ key: Key) -> Entry? { entries.withLock { $0[key] } }

    func store(_ entry: Entry, for key: Key) {
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = entry
        }
    }

    func remove(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }
}
