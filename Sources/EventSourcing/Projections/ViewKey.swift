import Foundation

/// Builds sortable byte keys for view rows: big-endian integers, UUIDs as 16 bytes, strings followed by a
/// 0 byte (so `"ab"` sorts before `"abc"` and a prefix scan of one component finds exactly its rows).
///
/// ```swift
/// let key = ViewKey().string("north").date(due).uuid(taskID).bytes
/// ```
public struct ViewKey: Hashable, Sendable {
    // Each component consumes the key it extends, so a chain `ViewKey().string(a).uint64(b)` appends to one
    // buffer in place instead of copying it at every step (the methods are inlinable for the same reason:
    // projections build several keys per event).
    @usableFromInline var storage: [UInt8]

    /// The key's bytes.
    @inlinable public var bytes: [UInt8] { storage }

    @inlinable public init() { storage = [] }
    @inlinable public init(_ bytes: [UInt8]) { storage = bytes }

    @inlinable public consuming func uuid(_ id: UUID) -> ViewKey {
        var k = self
        withUnsafeBytes(of: id.uuid) { k.storage.append(contentsOf: $0) }
        return k
    }

    /// One byte (a kind or section code).
    @inlinable public consuming func byte(_ b: UInt8) -> ViewKey {
        var k = self
        k.storage.append(b)
        return k
    }

    /// A string component: its UTF-8 bytes, then 0 (strings never contain 0 in keys; 0 bytes are dropped).
    @inlinable public consuming func string(_ s: String) -> ViewKey {
        var k = self
        var text = s
        text.withUTF8 { utf8 in
            if utf8.contains(0) {
                k.storage.append(contentsOf: utf8.lazy.filter { $0 != 0 })
            } else {
                k.storage.append(contentsOf: utf8)
            }
        }
        k.storage.append(0)
        return k
    }

    @inlinable public consuming func uint64(_ v: UInt64) -> ViewKey {
        var k = self
        withUnsafeBytes(of: v.bigEndian) { k.storage.append(contentsOf: $0) }
        return k
    }

    /// A signed integer that sorts in numeric order (sign bit flipped).
    @inlinable public consuming func int64(_ v: Int64) -> ViewKey { uint64(UInt64(bitPattern: v) ^ (1 << 63)) }

    /// An instant, to the microsecond, sorting in time order. An instant beyond what 64 bits of microseconds
    /// hold (about ±292,000 years from 1970, e.g. a deadline computed from absurd settings) is clamped to the
    /// nearest end, so it still sorts first or last instead of stopping the projection; see ``microseconds(of:)``.
    @inlinable public consuming func date(_ d: Date) -> ViewKey { int64(Self.microseconds(of: d)) }

    /// `d` in microseconds since 1970, rounded, clamped to `Int64.min...Int64.max` (0 for a NaN instant): the
    /// value ``date(_:)`` keys by. Never traps, whatever instant an event recorded.
    @inlinable public static func microseconds(of d: Date) -> Int64 {
        let value = (d.timeIntervalSince1970 * 1_000_000).rounded()
        guard !value.isNaN else { return 0 }
        // Double(Int64.max) rounds up to 2^63, which Int64 cannot hold; Double(Int64.min) is exactly -2^63.
        if value >= Double(Int64.max) { return .max }
        if value <= Double(Int64.min) { return .min }
        return Int64(value)
    }

    @inlinable public consuming func position(_ p: GlobalPosition) -> ViewKey { uint64(p.rawValue) }

    /// The key's bytes (for prefix scans).
    @inlinable public var prefix: [UInt8] { storage }
}

extension UUID {
    /// The UUID in the first 16 bytes of a view key (nil when shorter).
    public init?(viewKey bytes: UnsafeRawBufferPointer, at offset: Int = 0) {
        guard bytes.count >= offset + 16 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 16)])) }
        self.init(uuid: raw)
    }
}
