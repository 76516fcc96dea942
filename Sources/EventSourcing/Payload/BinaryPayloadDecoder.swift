import Foundation

/// Decodes `Decodable` values from the binary payload format written by ``BinaryPayloadEncoder``,
/// straight from memory it does not own (e.g. a payload lent from LMDB's map). Every read is bounds-checked:
/// truncated or corrupted bytes give a ``PayloadCodingError``, never a crash.
///
/// ```swift
/// try store.scan(from: .start, limit: .max) { event in
///     let created = try BinaryPayloadDecoder.decode(CustomerCreated.self, from: event.payload)
/// }
/// ```
public enum BinaryPayloadDecoder {
    /// Hand-written forms (``BinaryPayloadCodable``) are taken by `decodeValue`, top level included.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let storage = Storage(bytes)
        let value = try storage.decodeValue(T.self)
        guard storage.reader.isAtEnd else {
            throw PayloadCodingError(.trailingBytes, "\(storage.reader.remaining) bytes after the value")
        }
        return value
    }

    /// Decodes a struct through its own `Codable` conformance even when it has a hand-written binary form
    /// (nested values still use theirs): for tests that the two forms read the same bytes.
    public static func decodeWithCodable<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { buffer in
            let storage = Storage(buffer)
            let value = try T(from: storage)
            guard storage.reader.isAtEnd else {
                throw PayloadCodingError(.trailingBytes, "\(storage.reader.remaining) bytes after the value")
            }
            return value
        }
    }

    /// Decodes a type with a hand-written binary form directly, without a coder object (same bytes as
    /// ``decode(_:from:)-(_,UnsafeRawBufferPointer)``, which reaches the same form through a dynamic cast).
    @inlinable
    public static func decodeBinary<T: BinaryPayloadCodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        var reader = BinaryReader(bytes)
        let value = try T(fromBinary: &reader)
        guard reader.isAtEnd else { throw PayloadCodingError(.trailingBytes, "\(reader.remaining) bytes after the value") }
        return value
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    final class Storage: Decoder {
        var reader: BinaryReader
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        init(_ bytes: UnsafeRawBufferPointer) { reader = BinaryReader(bytes) }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(KeyedContainer<Key>(storage: self))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try UnkeyedContainer(storage: self)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(storage: self) }

        @inline(__always) func bool() throws -> Bool {
            switch try reader.byte() {
            case 0: return false
            case 1: return true
            default: throw PayloadCodingError(.invalid, "a boolean is neither 0 nor 1")
            }
        }

        @inline(__always) func tag() throws -> Bool {
            switch try reader.byte() {
            case 0: return false
            case 1: return true
            default: throw PayloadCodingError(.invalid, "an optional's tag is neither 0 nor 1")
            }
        }

        @inline(__always) func integer<I: FixedWidthInteger & SignedInteger>(_ type: I.Type) throws -> I {
            let value = try reader.signed()
            guard let exact = I(exactly: value) else { throw PayloadCodingError(.invalid, "\(I.self) out of range") }
            return exact
        }

        @inline(__always) func unsigned<I: FixedWidthInteger & UnsignedInteger>(_ type: I.Type) throws -> I {
            let value = try reader.varint()
            guard let exact = I(exactly: value) else { throw PayloadCodingError(.invalid, "\(I.self) out of range") }
            return exact
        }

        @inline(__always) func double() throws -> Double { Double(bitPattern: try reader.fixed64()) }
        @inline(__always) func float() throws -> Float { Float(bitPattern: try reader.fixed32()) }

        /// Reads any value, handling the types the format treats specially (mirrors the encoder).
        @inline(__always)
        func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
            if T.self == String.self { return try cast(try reader.string()) }
            if T.self == Int.self { return try cast(try integer(Int.self)) }
            if T.self == Bool.self { return try cast(try bool()) }
            if T.self == UUID.self { return try cast(try uuid()) }
            if T.self == Date.self { return try cast(Date(timeIntervalSinceReferenceDate: try double())) }
            if T.self == Decimal.self { return try cast(try decimal()) }
            if T.self == Double.self { return try cast(try double()) }
            if T.self == Int64.self { return try cast(try reader.signed()) }
            if T.self == Int32.self { return try cast(try integer(Int32.self)) }
            if T.self == UInt64.self { return try cast(try reader.varint()) }
            if T.self == UInt32.self { return try cast(try unsigned(UInt32.self)) }
            if T.self == UInt.self { return try cast(try unsigned(UInt.self)) }
            if T.self == Data.self { return try cast(Data(try reader.raw())) }
            if T.self == [UInt8].self { return try cast(Array(try reader.raw())) }
            if let custom = T.self as? any BinaryPayloadCodable.Type {
                return try cast(try custom.init(fromBinary: &reader))
            }
            if let optional = T.self as? any OptionalPayload.Type {
                guard try tag() else { return try cast(optional.makeNone()) }
                guard let wrapped = optional.wrappedType as? any Decodable.Type else {
                    throw PayloadCodingError(.unsupported, "optional of a type that is not Decodable")
                }
                let value = try decodeValue(wrapped)
                guard let result = Optional<Any>.some(value) as? T else {
                    throw PayloadCodingError(.invalid, "optional value of an unexpected type")
                }
                return result
            }
            if let dictionary = T.self as? any StringKeyedDictionaryPayload.Type {
                guard let result = try dictionary.decodePairs(from: self) as? T else {
                    throw PayloadCodingError(.invalid, "dictionary of an unexpected type")
                }
                return result
            }
            return try T(from: self)
        }

        @inline(__always)
        private func cast<T>(_ value: Any) throws -> T {
            guard let typed = value as? T else { throw PayloadCodingError(.invalid, "value of an unexpected type") }
            return typed
        }

        func uuid() throws -> UUID { try reader.uuid() }
        func decimal() throws -> Decimal { try reader.decimal() }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let storage: Storage
        var codingPath: [any CodingKey] { storage.codingPath }
        /// Key names are not stored; a positional decoder cannot list them.
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool {
            // Only meaningful for a tag written by encodeNil/encodeIfPresent: consume it when nil.
            guard storage.reader.offset < storage.reader.buffer.count else { throw PayloadCodingError(.truncated, "expected a tag") }
            if storage.reader.buffer[storage.reader.offset] == 0 {
                storage.reader.offset += 1
                return true
            }
            return false
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try storage.bool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try storage.reader.string() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try storage.double() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try storage.float() }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try storage.integer(Int.self) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try storage.integer(Int8.self) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try storage.integer(Int16.self) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try storage.integer(Int32.self) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try storage.reader.signed() }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try storage.unsigned(UInt.self) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try storage.unsigned(UInt8.self) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try storage.unsigned(UInt16.self) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try storage.unsigned(UInt32.self) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try storage.reader.varint() }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try storage.decodeValue(T.self) }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try storage.tag() ? try storage.bool() : nil }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try storage.tag() ? try storage.reader.string() : nil }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try storage.tag() ? try storage.double() : nil }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try storage.tag() ? try storage.float() : nil }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try storage.tag() ? try storage.integer(Int.self) : nil }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try storage.tag() ? try storage.integer(Int8.self) : nil }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try storage.tag() ? try storage.integer(Int16.self) : nil }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try storage.tag() ? try storage.integer(Int32.self) : nil }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try storage.tag() ? try storage.reader.signed() : nil }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try storage.tag() ? try storage.unsigned(UInt.self) : nil }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try storage.tag() ? try storage.unsigned(UInt8.self) : nil }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try storage.tag() ? try storage.unsigned(UInt16.self) : nil }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try storage.tag() ? try storage.unsigned(UInt32.self) : nil }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try storage.tag() ? try storage.reader.varint() : nil }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            try storage.tag() ? try storage.decodeValue(T.self) : nil
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(KeyedContainer<NestedKey>(storage: storage))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try UnkeyedContainer(storage: storage) }
        func superDecoder() throws -> any Decoder { storage }
        func superDecoder(forKey key: Key) throws -> any Decoder { storage }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let storage: Storage
        let total: Int
        var currentIndex = 0
        var codingPath: [any CodingKey] { storage.codingPath }
        var count: Int? { total }
        var isAtEnd: Bool { currentIndex >= total }

        init(storage: Storage) throws {
            self.storage = storage
            total = try storage.reader.count()
        }

        private mutating func next() throws {
            guard currentIndex < total else { throw PayloadCodingError(.invalid, "read past the end of a collection") }
            currentIndex += 1
        }

        mutating func decodeNil() throws -> Bool {
            guard currentIndex < total else { throw PayloadCodingError(.invalid, "read past the end of a collection") }
            guard storage.reader.offset < storage.reader.buffer.count else { throw PayloadCodingError(.truncated, "expected a tag") }
            if storage.reader.buffer[storage.reader.offset] == 0 {
                storage.reader.offset += 1
                currentIndex += 1
                return true
            }
            return false
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try next()
            return try storage.decodeValue(T.self)
        }
        mutating func decode(_ type: String.Type) throws -> String {
            try next()
            return try storage.reader.string()
        }
        mutating func decode(_ type: Int.Type) throws -> Int {
            try next()
            return try storage.integer(Int.self)
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool {
            try next()
            return try storage.bool()
        }
        mutating func decode(_ type: Double.Type) throws -> Double {
            try next()
            return try storage.double()
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next()
            return KeyedDecodingContainer(KeyedContainer<NestedKey>(storage: storage))
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next()
            return try UnkeyedContainer(storage: storage)
        }
        mutating func superDecoder() throws -> any Decoder {
            try next()
            return storage
        }
    }

    struct SingleContainer: SingleValueDecodingContainer {
        let storage: Storage
        var codingPath: [any CodingKey] { storage.codingPath }

        func decodeNil() -> Bool {
            guard storage.reader.offset < storage.reader.buffer.count, storage.reader.buffer[storage.reader.offset] == 0 else { return false }
            storage.reader.offset += 1
            return true
        }
        func decode(_ type: Bool.Type) throws -> Bool { try storage.bool() }
        func decode(_ type: String.Type) throws -> String { try storage.reader.string() }
        func decode(_ type: Double.Type) throws -> Double { try storage.double() }
        func decode(_ type: Float.Type) throws -> Float { try storage.float() }
        func decode(_ type: Int.Type) throws -> Int { try storage.integer(Int.self) }
        func decode(_ type: Int8.Type) throws -> Int8 { try storage.integer(Int8.self) }
        func decode(_ type: Int16.Type) throws -> Int16 { try storage.integer(Int16.self) }
        func decode(_ type: Int32.Type) throws -> Int32 { try storage.integer(Int32.self) }
        func decode(_ type: Int64.Type) throws -> Int64 { try storage.reader.signed() }
        func decode(_ type: UInt.Type) throws -> UInt { try storage.unsigned(UInt.self) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try storage.unsigned(UInt8.self) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try storage.unsigned(UInt16.self) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try storage.unsigned(UInt32.self) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try storage.reader.varint() }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try storage.decodeValue(T.self) }
    }
}
