import Foundation

/// Appends the binary payload format's primitives to a byte buffer.
///
/// The format is positional: values follow each other in declaration order with no field names.
/// Integers are LEB128 varints (signed ones zigzag-encoded), floating point is 8 or 4 little-endian bytes,
/// strings and byte arrays are a varint length and the bytes, optionals a 0/1 tag and the value,
/// collections a 4-byte little-endian count and the elements.
public struct BinaryWriter {
    // @usableFromInline + @inlinable below: the writer's and reader's methods are generic or tiny, and other
    // modules (the projections' row forms) call them per field; unspecialised, they cost a metadata lookup
    // per optional and array.
    public var bytes: [UInt8] = []

    @inlinable public init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    @inlinable @inline(__always) public mutating func byte(_ value: UInt8) { bytes.append(value) }

    @inlinable @inline(__always) public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inlinable @inline(__always) public mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable @inline(__always) public mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable @inline(__always) public mutating func fixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable @inline(__always) public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends bytes as they are, without a length: a piece of a value encoded earlier (to rewrite only the
    /// end of a stored row).
    @inlinable @inline(__always) public mutating func verbatim(_ buffer: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: buffer)
    }

    @inlinable @inline(__always) public mutating func raw(_ buffer: UnsafeRawBufferPointer) {
        varint(UInt64(buffer.count))
        bytes.append(contentsOf: buffer)
    }

    /// Reserves a 4-byte count and returns its offset, to be patched with ``patchCount(at:_:)``.
    @inlinable public mutating func reserveCount() -> Int {
        let offset = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        return offset
    }

    @inlinable public mutating func patchCount(at offset: Int, _ count: Int) {
        let value = UInt32(truncatingIfNeeded: count)
        bytes[offset] = UInt8(truncatingIfNeeded: value)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value >> 24)
    }
}

/// Reads the binary payload format from memory it does not own (e.g. LMDB's map), checking every bound.
public struct BinaryReader {
    @usableFromInline let buffer: UnsafeRawBufferPointer
    @usableFromInline var offset = 0

    @inlinable public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inlinable public var isAtEnd: Bool { offset >= buffer.count }
    @inlinable public var remaining: Int { buffer.count - offset }

    @inlinable @inline(__always) public mutating func byte() throws(PayloadCodingError) -> UInt8 {
        guard offset < buffer.count else { throw PayloadCodingError(.truncated, "expected a byte at \(offset)") }
        defer { offset += 1 }
        return buffer[offset]
    }

    @inlinable @inline(__always) public mutating func varint() throws(PayloadCodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw PayloadCodingError(.truncated, "varint runs past the end") }
            let b = buffer[offset]
            offset += 1
            if shift == 63 && b > 1 { throw PayloadCodingError(.invalid, "varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw PayloadCodingError(.invalid, "varint longer than 10 bytes") }
        }
    }

    @inlinable @inline(__always) public mutating func signed() throws(PayloadCodingError) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
    }

    @inlinable @inline(__always) public mutating func fixed64() throws(PayloadCodingError) -> UInt64 {
        guard remaining >= 8 else { throw PayloadCodingError(.truncated, "expected 8 bytes at \(offset)") }
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always) public mutating func fixed32() throws(PayloadCodingError) -> UInt32 {
        guard remaining >= 4 else { throw PayloadCodingError(.truncated, "expected 4 bytes at \(offset)") }
        defer { offset += 4 }
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A length-prefixed byte run, lent from the buffer.
    @inlinable @inline(__always) public mutating func raw() throws(PayloadCodingError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(remaining) else { throw PayloadCodingError(.truncated, "a run of \(length) bytes passes the end") }
        let count = Int(length)
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    @inlinable @inline(__always) public mutating func string() throws(PayloadCodingError) -> String {
        let utf8 = try raw()
        // ASCII (most keys, ids, names in Latin script) needs no validation: one pass over the bytes, then the
        // standard library's UTF-8 fast path, which repairs nothing here. Anything else is validated.
        var ascii = true
        for byte in utf8 where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw PayloadCodingError(.invalid, "text is not valid UTF-8")
        }
        return text
    }

    /// A collection count, checked against the bytes left (every element takes at least one byte).
    @inlinable public mutating func count() throws(PayloadCodingError) -> Int {
        let value = Int(try fixed32())
        guard value <= remaining else { throw PayloadCodingError(.invalid, "a count of \(value) exceeds the bytes left") }
        return value
    }
}

extension BinaryWriter {
    @inlinable @inline(__always) public mutating func bool(_ value: Bool) { byte(value ? 1 : 0) }
    @inlinable @inline(__always) public mutating func uuid(_ value: UUID) { withUnsafeBytes(of: value.uuid) { bytes.append(contentsOf: $0) } }
    /// A decimal as its text (`description`), see ``DecimalText``.
    public mutating func decimal(_ value: Decimal) { DecimalText.write(value, to: &self) }
    /// An instant as its 8-byte double (what `Codable` gives for `Date` in this format).
    @inlinable @inline(__always) public mutating func date(_ value: Date) { fixed64(value.timeIntervalSinceReferenceDate.bitPattern) }
    @inlinable @inline(__always) public mutating func int(_ value: Int) { signed(Int64(value)) }
    /// A string-backed enum as its raw value (what its synthesized `Codable` writes).
    @inlinable @inline(__always) public mutating func rawValue<T: RawRepresentable>(_ value: T) where T.RawValue == String { string(value.rawValue) }
    /// A presence tag, then the value when there is one.
    @inlinable @inline(__always) public mutating func optional<T>(_ value: T?, _ write: (inout BinaryWriter, T) -> Void) {
        if let value {
            byte(1)
            write(&self, value)
        } else {
            byte(0)
        }
    }
    /// A 4-byte count, then each element.
    @inlinable public mutating func array<T>(_ values: [T], _ write: (inout BinaryWriter, T) -> Void) {
        let offset = reserveCount()
        patchCount(at: offset, values.count)
        for value in values { write(&self, value) }
    }
}

extension BinaryReader {
    @inlinable @inline(__always) public mutating func bool() throws(PayloadCodingError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw PayloadCodingError(.invalid, "a boolean is neither 0 nor 1")
        }
    }

    @inlinable @inline(__always) public mutating func uuid() throws(PayloadCodingError) -> UUID {
        guard remaining >= 16 else { throw PayloadCodingError(.truncated, "expected a 16-byte UUID") }
        defer { offset += 16 }
        return UUID(uuid: buffer.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
    }

    @inlinable @inline(__always) public mutating func date() throws(PayloadCodingError) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(bitPattern: try fixed64()))
    }

    @inlinable @inline(__always) public mutating func int() throws(PayloadCodingError) -> Int {
        let value = try signed()
        guard let exact = Int(exactly: value) else { throw PayloadCodingError(.invalid, "Int out of range") }
        return exact
    }

    /// A string-backed enum from its raw value.
    @inlinable @inline(__always) public mutating func rawValue<T: RawRepresentable>(_ type: T.Type) throws(PayloadCodingError) -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw PayloadCodingError(.invalid, "unknown \(T.self) value") }
        return value
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    public mutating func decimal() throws(PayloadCodingError) -> Decimal {
        let start = offset
        if let value = DecimalText.parse(try raw()) { return value }
        offset = start
        let text = try string()
        guard let value = Decimal(string: text, locale: Self.posix), !value.isNaN || text == "NaN" else {
            throw PayloadCodingError(.invalid, "not a decimal number")
        }
        return value
    }

    /// A presence tag, then the value when there is one.
    @inlinable @inline(__always) public mutating func optional<T>(_ read: (inout BinaryReader) throws -> T) throws -> T? {
        switch try byte() {
        case 0: return nil
        case 1: return try read(&self)
        default: throw PayloadCodingError(.invalid, "an optional's tag is neither 0 nor 1")
        }
    }

    /// A 4-byte count, then each element.
    @inlinable public mutating func array<T>(_ read: (inout BinaryReader) throws -> T) throws -> [T] {
        let n = try count()
        var values: [T] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try read(&self)) }
        return values
    }
}

/// A type with a hand-written binary form: the coders call it instead of `Codable`, which spares the
/// container allocations of keyed coding. Worth it for small value types that every event carries
/// (field changes, dates, money). The form must match field for field between the two methods; JSON
/// still goes through `Codable`.
public protocol BinaryPayloadCodable {
    init(fromBinary reader: inout BinaryReader) throws
    func encode(toBinary writer: inout BinaryWriter)
}

extension BinaryPayloadCodable {
    /// The value's binary form, the bytes ``ViewWriter/put(row:forKey:in:)`` stores: for a row stored under
    /// several keys, encoded once.
    @inlinable public var binaryForm: [UInt8] {
        var writer = BinaryWriter()
        encode(toBinary: &writer)
        return writer.bytes
    }
}

/// Arrays of hand-coded values skip the unkeyed container too (same bytes: a 4-byte count, then the elements).
extension Array: BinaryPayloadCodable where Element: BinaryPayloadCodable {
    public init(fromBinary reader: inout BinaryReader) throws {
        self = try reader.array { try Element(fromBinary: &$0) }
    }

    public func encode(toBinary writer: inout BinaryWriter) {
        writer.array(self) { $1.encode(toBinary: &$0) }
    }
}

/// A UUID's 16 bytes, as the coders write it: rows keyed to a record (a stream's customer, say) read and
/// write it without the generic coder.
extension UUID: BinaryPayloadCodable {
    @inlinable public init(fromBinary reader: inout BinaryReader) throws { self = try reader.uuid() }
    @inlinable public func encode(toBinary writer: inout BinaryWriter) { writer.uuid(self) }
}
