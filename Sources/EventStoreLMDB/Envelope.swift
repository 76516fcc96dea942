import EventSourcing
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's own binary layout of one event in the log (format version 1), little-endian:
///
/// ```
/// offset  size  field
///  0      4     CRC-32C of every byte after this field
///  4      1     flags: 1 correlation id, 2 causation id, 4 source system, 8 client IP
///  5      8     stream version
/// 13      8     recorded-at, microseconds since 1970 (signed)
/// 21     16     event id
/// 37      4     schema version
/// 41      2×5   lengths of stream id, type, actor, source system, client IP (UTF-8 bytes)
/// 51      4     payload length
/// 55     16     correlation id, if flagged; then 16 causation id, if flagged
///  …            stream id, type, actor, source system, client IP bytes; then the payload
/// ```
/// The global position is the record's key. Readers check lengths on every decode and the checksum in
/// `verify()`, so a damaged record is reported, never trusted.
enum Envelope {
    static let headerSize = 55
    static let flagCorrelation: UInt8 = 1
    static let flagCausation: UInt8 = 2
    static let flagSource: UInt8 = 4
    static let flagClientIP: UInt8 = 8

    /// The encoded size of `event`.
    @inline(__always)
    static func size(of event: EventData, stream: StreamID) -> Int {
        let m = event.metadata
        return headerSize + (m.correlationID == nil ? 0 : 16) + (m.causationID == nil ? 0 : 16)
            + stream.rawValue.utf8.count + event.type.utf8.count + m.actor.utf8.count
            + (m.sourceSystem?.utf8.count ?? 0) + (m.clientIP?.utf8.count ?? 0) + event.payload.count
    }

    /// Writes `event` into `buffer`, which has exactly ``size(of:stream:)`` bytes.
    static func encode(_ event: EventData, stream: StreamID, version: StreamVersion, recordedAtMicros: Int64, into buffer: UnsafeMutableRawBufferPointer) {
        let m = event.metadata
        var flags: UInt8 = 0
        if m.correlationID != nil { flags |= flagCorrelation }
        if m.causationID != nil { flags |= flagCausation }
        if m.sourceSystem != nil { flags |= flagSource }
        if m.clientIP != nil { flags |= flagClientIP }

        var w = Writer(buffer: buffer, offset: 4)
        w.byte(flags)
        w.u64(version.rawValue)
        w.u64(UInt64(bitPattern: recordedAtMicros))
        w.uuid(event.id)
        w.u32(event.schemaVersion)
        w.u16(UInt16(truncatingIfNeeded: stream.rawValue.utf8.count))
        w.u16(UInt16(truncatingIfNeeded: event.type.utf8.count))
        w.u16(UInt16(truncatingIfNeeded: m.actor.utf8.count))
        w.u16(UInt16(truncatingIfNeeded: m.sourceSystem?.utf8.count ?? 0))
        w.u16(UInt16(truncatingIfNeeded: m.clientIP?.utf8.count ?? 0))
        w.u32(UInt32(truncatingIfNeeded: event.payload.count))
        if let id = m.correlationID { w.uuid(id) }
        if let id = m.causationID { w.uuid(id) }
        w.text(stream.rawValue)
        w.text(event.type)
        w.text(m.actor)
        if let text = m.sourceSystem { w.text(text) }
        if let text = m.clientIP { w.text(text) }
        event.payload.withUnsafeBytes { w.bytes($0) }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[4...]))
        buffer.storeBytes(of: crc.littleEndian, toByteOffset: 0, as: UInt32.self)
    }

    /// Decodes the record at `position`, lending its payload from `buffer`.
    @inline(__always)
    static func decode(_ buffer: UnsafeRawBufferPointer, position: GlobalPosition) throws(EventStoreError) -> BorrowedEvent {
        var cache = TextCache()
        return try decode(buffer, position: position, cache: &cache)
    }

    /// Remembers the last texts decoded within one read transaction: consecutive events of one stream (a
    /// command's events, a replayed aggregate) share stream id, type and actor, and then share one String
    /// instead of allocating and validating it again. The remembered bytes point into the transaction's
    /// memory map, so a cache must never outlive its transaction.
    struct TextCache {
        private var stream = Slot()
        private var type = Slot()
        private var actor = Slot()

        struct Slot {
            var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            var value = ""

            @inline(__always)
            mutating func text(_ candidate: UnsafeRawBufferPointer) -> String {
                if candidate.count == bytes.count, let a = candidate.baseAddress, let b = bytes.baseAddress,
                   memcmp(a, b, candidate.count) == 0 {
                    return value
                }
                value = String(decoding: candidate, as: UTF8.self)
                bytes = candidate
                return value
            }
        }

        @inline(__always) mutating func stream(_ b: UnsafeRawBufferPointer) -> String { stream.text(b) }
        @inline(__always) mutating func type(_ b: UnsafeRawBufferPointer) -> String { type.text(b) }
        @inline(__always) mutating func actor(_ b: UnsafeRawBufferPointer) -> String { actor.text(b) }
    }

    /// Decodes the record at `position`, lending its payload from `buffer` and reusing texts from `cache`.
    @inline(__always)
    static func decode(_ buffer: UnsafeRawBufferPointer, position: GlobalPosition, cache: inout TextCache) throws(EventStoreError) -> BorrowedEvent {
        guard buffer.count >= headerSize else { throw corrupted(position, "record shorter than its header") }
        let flags = buffer[4]
        let version = buffer.loadUnaligned(fromByteOffset: 5, as: UInt64.self).littleEndian
        let micros = Int64(bitPattern: buffer.loadUnaligned(fromByteOffset: 13, as: UInt64.self).littleEndian)
        let id = UUID(uuid: buffer.loadUnaligned(fromByteOffset: 21, as: uuid_t.self))
        let schema = buffer.loadUnaligned(fromByteOffset: 37, as: UInt32.self).littleEndian
        let streamLength = Int(buffer.loadUnaligned(fromByteOffset: 41, as: UInt16.self).littleEndian)
        let typeLength = Int(buffer.loadUnaligned(fromByteOffset: 43, as: UInt16.self).littleEndian)
        let actorLength = Int(buffer.loadUnaligned(fromByteOffset: 45, as: UInt16.self).littleEndian)
        let sourceLength = Int(buffer.loadUnaligned(fromByteOffset: 47, as: UInt16.self).littleEndian)
        let ipLength = Int(buffer.loadUnaligned(fromByteOffset: 49, as: UInt16.self).littleEndian)
        let payloadLength = Int(buffer.loadUnaligned(fromByteOffset: 51, as: UInt32.self).littleEndian)
        var offset = headerSize
        var correlation: UUID?
        var causation: UUID?
        let idBytes = (flags & flagCorrelation != 0 ? 16 : 0) + (flags & flagCausation != 0 ? 16 : 0)
        let expected = headerSize + idBytes + streamLength + typeLength + actorLength + sourceLength + ipLength + payloadLength
        guard expected == buffer.count, flags & 0xF0 == 0 else { throw corrupted(position, "record length disagrees with its header") }
        if flags & flagCorrelation != 0 {
            correlation = UUID(uuid: buffer.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
            offset += 16
        }
        if flags & flagCausation != 0 {
            causation = UUID(uuid: buffer.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
            offset += 16
        }
        let stream = cache.stream(slice(buffer, &offset, streamLength))
        let type = cache.type(slice(buffer, &offset, typeLength))
        let actor = cache.actor(slice(buffer, &offset, actorLength))
        let source = flags & flagSource != 0 ? text(buffer, &offset, sourceLength) : nil
        let clientIP = flags & flagClientIP != 0 ? text(buffer, &offset, ipLength) : nil
        let payload = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + payloadLength)])
        return BorrowedEvent(
            id: id, stream: StreamID(stream), streamVersion: StreamVersion(version), position: position,
            type: type, schemaVersion: schema, recordedAt: Date(microsecondsSince1970: micros),
            metadata: EventMetadata(actor: actor, correlationID: correlation, causationID: causation, sourceSystem: source, clientIP: clientIP),
            payload: payload
        )
    }

    /// The record's `recordedAt` in microseconds, read from its header alone; nil for a record shorter than
    /// its header.
    static func recordedAtMicros(_ buffer: UnsafeRawBufferPointer) -> Int64? {
        guard buffer.count >= headerSize else { return nil }
        return Int64(bitPattern: buffer.loadUnaligned(fromByteOffset: 13, as: UInt64.self).littleEndian)
    }

    /// Whether the record's checksum matches its bytes.
    static func checksumMatches(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard buffer.count >= headerSize else { return false }
        let stored = buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
        return stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[4...]))
    }

    @inline(__always)
    private static func slice(_ buffer: UnsafeRawBufferPointer, _ offset: inout Int, _ length: Int) -> UnsafeRawBufferPointer {
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
    }

    @inline(__always)
    private static func text(_ buffer: UnsafeRawBufferPointer, _ offset: inout Int, _ length: Int) -> String {
        defer { offset += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]), as: UTF8.self)
    }

    private static func corrupted(_ position: GlobalPosition, _ detail: String) -> EventStoreError {
        EventStoreError(.corrupted, detail: detail, position: position)
    }

    /// Sequential little-endian writer into a reserved LMDB buffer.
    private struct Writer {
        let buffer: UnsafeMutableRawBufferPointer
        var offset: Int

        @inline(__always) mutating func byte(_ v: UInt8) { buffer[offset] = v; offset += 1 }
        @inline(__always) mutating func u16(_ v: UInt16) { buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt16.self); offset += 2 }
        @inline(__always) mutating func u32(_ v: UInt32) { buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self); offset += 4 }
        @inline(__always) mutating func u64(_ v: UInt64) { buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt64.self); offset += 8 }
        @inline(__always) mutating func uuid(_ id: UUID) { buffer.storeBytes(of: id.uuid, toByteOffset: offset, as: uuid_t.self); offset += 16 }
        @inline(__always) mutating func bytes(_ b: UnsafeRawBufferPointer) {
            guard b.count > 0, let base = b.baseAddress, let target = buffer.baseAddress else { return }
            (target + offset).copyMemory(from: base, byteCount: b.count)
            offset += b.count
        }
        @inline(__always) mutating func text(_ s: String) {
            var s = s
            s.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
        }
    }
}
