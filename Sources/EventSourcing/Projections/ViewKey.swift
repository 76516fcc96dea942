import Foundation

/// Builds sortable byte keys for view rows: big-endian integers, UUIDs as 16 bytes, strings followed by a
/// 0 byte (so `"ab"` sorts before `"abc"` and a prefix scan of one component finds exactly its rows).
///
/// ```swift
/// let key = ViewKey().string("north").date(due).uuid(taskID).bytes
/// ```
public struct ViewKey: Hashable, Sendable {
    public private(set) var bytes: [UInt8]

    public init() { bytes = [] }
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func uuid(_ id: UUID) -> ViewKey {
        var k = self
        withUnsafeBytes(of: id.uuid) { k.bytes.append(contentsOf: $0) }
        return k
    }

    /// A string component: its UTF-8 bytes, then 0 (strings never contain 0 in keys; 0 bytes are dropped).
    public func string(_ s: String) -> ViewKey {
        var k = self
        var text = s
        text.withUTF8 { utf8 in
            if utf8.contains(0) {
                k.bytes.append(contentsOf: utf8.lazy.filter { $0 != 0 })
            } else {
                k.bytes.append(contentsOf: utf8)
            }
        }
        k.bytes.append(0)
        return k
    }

    public func uint64(_ v: UInt64) -> ViewKey {
        var k = self
        for shift in stride(from: 56, through: 0, by: -8) { k.bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
        return k
    }

    /// A signed integer that sorts in numeric order (sign bit flipped).
    public func int64(_ v: Int64) -> ViewKey { uint64(UInt64(bitPattern: v) ^ (1 << 63)) }

    /// An instant, to the microsecond, sorting in time order.
    public func date(_ d: Date) -> ViewKey { int64(Int64((d.timeIntervalSince1970 * 1_000_000).rounded())) }

    public func position(_ p: GlobalPosition) -> ViewKey { uint64(p.rawValue) }

    /// The key's bytes (for prefix scans).
    public var prefix: [UInt8] { bytes }
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
