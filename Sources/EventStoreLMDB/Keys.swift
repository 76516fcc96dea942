import Foundation

/// Big-endian keys, so LMDB's byte order is numeric order (and MDB_APPEND works).
enum Keys {
    @inline(__always)
    static func withPosition<R>(_ position: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var be = position.bigEndian
        return try withUnsafeBytes(of: &be) { try body($0) }
    }

    @inline(__always)
    static func withStreamKey<R>(_ number: UInt64, _ version: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var key = (number.bigEndian, version.bigEndian)
        return try withUnsafeBytes(of: &key) { try body($0) }
    }

    @inline(__always)
    static func withID<R>(_ id: UUID, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var raw = id.uuid
        return try withUnsafeBytes(of: &raw) { try body($0) }
    }

    @inline(__always)
    static func readUInt64(_ buffer: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64? {
        guard buffer.count >= offset + 8 else { return nil }
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A stream head: the stream's number (its key prefix in the stream index) and its version.
    struct Head {
        var number: UInt64
        var version: UInt64

        init(number: UInt64, version: UInt64) {
            self.number = number
            self.version = version
        }

        init?(_ buffer: UnsafeRawBufferPointer) {
            guard buffer.count == 16, let number = Keys.readUInt64(buffer), let version = Keys.readUInt64(buffer, at: 8) else { return nil }
            self.number = number
            self.version = version
        }

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try Keys.withStreamKey(number, version, body)
        }
    }
}
