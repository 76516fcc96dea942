import EventSourcing
import Foundation
import Synchronization

/// A bounded in-memory cache of values derived from a read model, each kept with the stamp (a log position)
/// of the rows it was derived from: a lookup hits only when the caller read the same stamp, so a stale value
/// is never returned — the stamp changes in the same transaction as the rows.
///
/// ```swift
/// if let view = cache.value(for: id, stamp: stamp) { return view }
/// let view = try decode(...)
/// cache.store(view, for: id, stamp: stamp)
/// ```
///
/// When full, storing a new key drops one arbitrary entry (dictionary order): constant time, no bookkeeping
/// on hits.
public final class StampedCache<Value: Sendable>: Sendable {
    @usableFromInline struct Entry {
        @usableFromInline var stamp: GlobalPosition
        @usableFromInline var value: Value
        @inlinable init(stamp: GlobalPosition, value: Value) { (self.stamp, self.value) = (stamp, value) }
    }
    // Inlinable (with its storage usable from inline code), so an adapter's cache of its own value type is
    // specialised in its module instead of running generic dictionary code on every request.
    @usableFromInline let entries = Mutex<[UUID: Entry]>([:])
    public let capacity: Int

    /// `capacity` 0 caches nothing.
    public init(capacity: Int) { self.capacity = max(0, capacity) }

    /// The value stored for `key` at exactly `stamp`, or nil.
    @inlinable public func value(for key: UUID, stamp: GlobalPosition) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.stamp == stamp else { return nil }
            return entry.value
        }
    }

    /// Keeps `value` for `key` at `stamp`, unless a newer stamp is already stored.
    @inlinable public func store(_ value: Value, for key: UUID, stamp: GlobalPosition) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if let existing = entries[key] {
                if existing.stamp > stamp { return }
            } else if entries.count >= capacity, let any = entries.indices.first {
                entries.remove(at: any)
            }
            entries[key] = Entry(stamp: stamp, value: value)
        }
    }

    public var count: Int { entries.withLock { $0.count } }
}
