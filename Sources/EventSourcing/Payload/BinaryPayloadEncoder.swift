import Foundation

/// Encodes `Encodable` values into the compact, positional binary payload format (ARCHITECTURE decision 2).
///
/// Fields are written in the order the type's `encode(to:)` visits them, without names. So: keep the order
/// of stored properties stable; add a field only by raising the event's schema version (with an upcaster
/// from the old one). Special cases the format handles itself: optionals (a presence tag, also inside
/// generic containers), `UUID` (16 bytes), `Date` (8-byte double), `Decimal` (exact text), `Data`, and
/// `[String: V]` dictionaries (sorted pairs). Enums with associated values need an explicit `Codable`
/// conformance (their synthesized form relies on key names).
///
/// ```swift
/// let bytes = try BinaryPayloadEncoder.encode(CustomerCreated(...))
/// ```
public enum BinaryPayloadEncoder {
    /// Hand-written forms (``BinaryPayloadCodable``) are taken by `encodeValue`, top level included.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let storage = Storage()
        try storage.encodeValue(value)
        return storage.writer.bytes
    }

    /// Encodes a struct through its own `Codable` conformance even when it has a hand-written binary form
    /// (nested values still use theirs): for tests that the two forms write the same bytes.
    public static func encodeWithCodable<T: Encodable>(_ value: T) throws -> [UInt8] {
        let storage = Storage()
        try value.encode(to: storage)
        return storage.writer.bytes
    }

    /// The shared state of one encoding: every container writes into the same buffer, in order.
    final class Storage: Encoder {
        var writer = BinaryWriter()
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(KeyedContainer<Key>(storage: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            UnkeyedContainer(storage: self)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(storage: self) }

        /// Writes any value, handling the types the format treats specially.
        @inline(__always)
        func encodeValue<T: Encodable>(_ value: T) throws {
            // Metatype comparisons first: cheap, and they spare nested structs a chain of failed casts.
            if T.self == String.self, let v = value as? String { writer.string(v); return }
            if T.self == Int.self, let v = value as? Int { writer.signed(Int64(v)); return }
            if T.self == Bool.self, let v = value as? Bool { writer.byte(v ? 1 : 0); return }
            if T.self == UUID.self, let v = value as? UUID { withUnsafeBytes(of: v.uuid) { writer.bytes.append(contentsOf: $0) }; return }
            if T.self == Date.self, let v = value as? Date { writer.fixed64(v.timeIntervalSinceReferenceDate.bitPattern); return }
            if T.self == Decimal.self, let v = value as? Decimal { writer.decimal(v); return }
            if T.self == Double.self, let v = value as? Double { writer.fixed64(v.bitPattern); return }
            if T.self == Int64.self, let v = value as? Int64 { writer.signed(v); return }
            if T.self == Int32.self, let v = value as? Int32 { writer.signed(Int64(v)); return }
            if T.self == UInt64.self, let v = value as? UInt64 { writer.varint(v); return }
            if T.self == UInt32.self, let v = value as? UInt32 { writer.varint(UInt64(v)); return }
            if T.self == UInt.self, let v = value as? UInt { writer.varint(UInt64(v)); return }
            if T.self == Data.self, let v = value as? Data { v.withUnsafeBytes { writer.raw($0) }; return }
            if T.self == [UInt8].self, let v = value as? [UInt8] { v.withUnsafeBytes { writer.raw($0) }; return }
            if let v = value as? any BinaryPayloadCodable {
                v.encode(toBinary: &writer)
                return
            }
            if let v = value as? any OptionalPayload {
                if let wrapped = v.wrappedValue as? any Encodable {
                    writer.byte(1)
                    try encodeValue(wrapped)
                } else {
                    writer.byte(0)
                }
                return
            }
            if let v = value as? any StringKeyedDictionaryPayload {
                try v.encodePairs(to: self)
                return
            }
            try value.encode(to: self)
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let storage: Storage
        var codingPath: [any CodingKey] { storage.codingPath }

        mutating func encodeNil(forKey key: Key) throws { storage.writer.byte(0) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { storage.writer.byte(value ? 1 : 0) }
        mutating func encode(_ value: String, forKey key: Key) throws { storage.writer.string(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { storage.writer.fixed64(value.bitPattern) }
        mutating func encode(_ value: Float, forKey key: Key) throws { storage.writer.fixed32(value.bitPattern) }
        mutating func encode(_ value: Int, forKey key: Key) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { storage.writer.signed(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { storage.writer.varint(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try storage.encodeValue(value) }

        // Optionals always get a presence tag (the standard library's defaults would skip nils and
        // desynchronise the positional stream).
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try tagged(value) }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try tagged(value) }

        @inline(__always)
        private func tagged<T: Encodable>(_ value: T?) throws {
            if let value {
                storage.writer.byte(1)
                try storage.encodeValue(value)
            } else {
                storage.writer.byte(0)
            }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(KeyedContainer<NestedKey>(storage: storage))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { UnkeyedContainer(storage: storage) }
        mutating func superEncoder() -> any Encoder { storage }
        mutating func superEncoder(forKey key: Key) -> any Encoder { storage }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let storage: Storage
        let countOffset: Int
        var count = 0
        var codingPath: [any CodingKey] { storage.codingPath }

        init(storage: Storage) {
            self.storage = storage
            countOffset = storage.writer.reserveCount()
        }

        private mutating func wrote() {
            count += 1
            storage.writer.patchCount(at: countOffset, count)
        }

        mutating func encodeNil() throws { storage.writer.byte(0); wrote() }
        mutating func encode<T: Encodable>(_ value: T) throws { try storage.encodeValue(value); wrote() }
        mutating func encode(_ value: String) throws { storage.writer.string(value); wrote() }
        mutating func encode(_ value: Int) throws { storage.writer.signed(Int64(value)); wrote() }
        mutating func encode(_ value: Bool) throws { storage.writer.byte(value ? 1 : 0); wrote() }
        mutating func encode(_ value: Double) throws { storage.writer.fixed64(value.bitPattern); wrote() }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            wrote()
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(storage: storage))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            wrote()
            return UnkeyedContainer(storage: storage)
        }
        mutating func superEncoder() -> any Encoder {
            wrote()
            return storage
        }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let storage: Storage
        var codingPath: [any CodingKey] { storage.codingPath }

        mutating func encodeNil() throws { storage.writer.byte(0) }
        mutating func encode(_ value: Bool) throws { storage.writer.byte(value ? 1 : 0) }
        mutating func encode(_ value: String) throws { storage.writer.string(value) }
        mutating func encode(_ value: Double) throws { storage.writer.fixed64(value.bitPattern) }
        mutating func encode(_ value: Float) throws { storage.writer.fixed32(value.bitPattern) }
        mutating func encode(_ value: Int) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int8) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int16) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int32) throws { storage.writer.signed(Int64(value)) }
        mutating func encode(_ value: Int64) throws { storage.writer.signed(value) }
        mutating func encode(_ value: UInt) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt8) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt16) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt32) throws { storage.writer.varint(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws { storage.writer.varint(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try storage.encodeValue(value) }
    }
}
