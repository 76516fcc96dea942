import EventSourcing
import Foundation

/// The `metadata` column: the same fields, and the same bytes, as the metadata part of the LMDB store's
/// envelope — actor, correlation id, causation id, source system and client IP — little-endian:
///
/// ```
/// offset  size  field
///  0      1     flags: 1 correlation id, 2 causation id, 4 source system, 8 client IP
///  1      4×3   lengths of actor, source system, client IP (UTF-8 bytes)
/// 13     16     correlation id, if flagged; then 16 causation id, if flagged
///  …            actor, source system, client IP bytes
/// ```
///
/// Kept as bytes rather than text columns because text columns cannot hold every string (PostgreSQL's
/// `text` refuses NUL), and an event must read back exactly as it was appended.
enum MetadataCodec {
    static let headerSize = 13
    static let flagCorrelation: UInt8 = 1
    static let flagCausation: UInt8 = 2
    static let flagSource: UInt8 = 4
    static let flagClientIP: UInt8 = 8

    static func encode(_ m: EventMetadata) -> [UInt8] {
        var flags: UInt8 = 0
        if m.correlationID != nil { flags |= flagCorrelation }
        if m.causationID != nil { flags |= flagCausation }
        if m.sourceSystem != nil { flags |= flagSource }
        if m.clientIP != nil { flags |= flagClientIP }
        let actor = Array(m.actor.utf8)
        let source = Array((m.sourceSystem ?? "").utf8)
        let ip = Array((m.clientIP ?? "").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + 32 + actor.count + source.count + ip.count)
        out.append(flags)
        for length in [actor.count, source.count, ip.count] {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: length).littleEndian) { out.append(contentsOf: $0) }
        }
        if let id = m.correlationID { withUnsafeBytes(of: id.uuid) { out.append(contentsOf: $0) } }
        if let id = m.causationID { withUnsafeBytes(of: id.uuid) { out.append(contentsOf: $0) } }
        out += actor
        out += source
        out += ip
        return out
    }

    /// Decodes the column; nil when its bytes disagree with their header.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> EventMetadata? {
        guard bytes.count >= headerSize else { return nil }
        let flags = bytes[0]
        guard flags & 0xF0 == 0 else { return nil }
        let actorLength = Int(bytes.loadUnaligned(fromByteOffset: 1, as: UInt32.self).littleEndian)
        let sourceLength = Int(bytes.loadUnaligned(fromByteOffset: 5, as: UInt32.self).littleEndian)
        let ipLength = Int(bytes.loadUnaligned(fromByteOffset: 9, as: UInt32.self).littleEndian)
        let idBytes = (flags & flagCorrelation != 0 ? 16 : 0) + (flags & flagCausation != 0 ? 16 : 0)
        guard headerSize + idBytes + actorLength + sourceLength + ipLength == bytes.count else { return nil }
        var offset = headerSize
        var correlation: UUID?
        var causation: UUID?
        if flags & flagCorrelation != 0 {
            correlation = UUID(uuid: bytes.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
            offset += 16
        }
        if flags & flagCausation != 0 {
            causation = UUID(uuid: bytes.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
            offset += 16
        }
        func text(_ length: Int) -> String {
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]), as: UTF8.self)
        }
        let actor = text(actorLength)
        let source = text(sourceLength)
        let ip = text(ipLength)
        return EventMetadata(
            actor: actor, correlationID: correlation, causationID: causation,
            sourceSystem: flags & flagSource != 0 ? source : nil,
            clientIP: flags & flagClientIP != 0 ? ip : nil
        )
    }
}
