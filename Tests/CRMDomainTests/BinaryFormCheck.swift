import EventSourcing
import Foundation
import Testing

/// Expects each value's hand-written binary form to write exactly what its `Codable` conformance writes, and
/// each decoder to read the other's bytes back to the same value (the contract of ``BinaryPayloadCodable``).
func expectHandFormMatchesCodable<T: Codable & BinaryPayloadCodable & Equatable>(_ values: [T]) throws {
    for value in values {
        let hand = try BinaryPayloadEncoder.encode(value)
        let codable = try BinaryPayloadEncoder.encodeWithCodable(value)
        #expect(hand == codable, "\(T.self): hand-written form differs from Codable")
        #expect(try BinaryPayloadDecoder.decode(T.self, from: codable) == value)
        #expect(try BinaryPayloadDecoder.decodeWithCodable(T.self, from: hand) == value)
        #expect(try hand.withUnsafeBytes { try BinaryPayloadDecoder.decodeBinary(T.self, from: $0) } == value)
    }
}
