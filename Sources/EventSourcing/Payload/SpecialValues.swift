import Foundation

/// Marks `Optional`, so the coders can write a presence tag for optionals met as generic values.
protocol OptionalPayload {
    static var wrappedType: Any.Type { get }
    var wrappedValue: Any? { get }
    static func makeNone() -> Self
}

extension Optional: OptionalPayload {
    static var wrappedType: Any.Type { Wrapped.self }
    var wrappedValue: Any? {
        switch self {
        case .some(let value): return value
        case .none: return nil
        }
    }
    static func makeNone() -> Self { .none }
}

/// String-keyed dictionaries: Codable writes them with dynamic keys, which a positional format cannot
/// read back, so the coders write them as a count and key/value pairs in key order (deterministic bytes).
protocol StringKeyedDictionaryPayload {
    func encodePairs(to encoder: BinaryPayloadEncoder.Storage) throws
    static func decodePairs(from decoder: BinaryPayloadDecoder.Storage) throws -> Self
}

extension Dictionary: StringKeyedDictionaryPayload where Key == String, Value: Codable {
    func encodePairs(to storage: BinaryPayloadEncoder.Storage) throws {
        let offset = storage.writer.reserveCount()
        storage.writer.patchCount(at: offset, count)
        for key in keys.sorted() {
            storage.writer.string(key)
            if let value = self[key] { try storage.encodeValue(value) }
        }
    }

    static func decodePairs(from storage: BinaryPayloadDecoder.Storage) throws -> Self {
        let count = try storage.reader.count()
        var result: [String: Value] = [:]
        result.reserveCapacity(count)
        for _ in 0..<count {
            let key = try storage.reader.string()
            result[key] = try storage.decodeValue(Value.self)
        }
        return result
    }
}
