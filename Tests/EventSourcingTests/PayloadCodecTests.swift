import EventSourcing
import Foundation
import Testing

enum Channel: String, Codable, Sendable { case phone, web, email }

struct Address: Codable, Equatable, Sendable {
    var city: String
    var lines: [String]
    var postcode: String?
}

struct FieldChange: Codable, Equatable, Sendable {
    var field: String
    var old: String?
    var new: String?
}

/// A payload exercising every shape the format supports.
struct RichEvent: EventPayload, Equatable {
    static let eventType = "RichEvent"
    static let schemaVersion: UInt32 = 1
    var id: UUID
    var name: String
    var count: Int
    var big: Int64
    var unsigned: UInt32
    var small: Int8
    var ratio: Double
    var flag: Bool
    var amount: Decimal
    var at: Date
    var channel: Channel
    var note: String?
    var missing: Int?
    var address: Address
    var optionalAddress: Address?
    var changes: [FieldChange]
    var tags: [String]
    var maybeTags: [String?]
    var custom: [String: String]
    var nested: [String: [Int]]
    var blob: Data
    var ids: [UUID]
}

func richSample(_ i: Int = 1) -> RichEvent {
    RichEvent(
        id: UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AB") ?? UUID(), name: "Acme 燃气 \(i)", count: -42 * i, big: Int64.min + 1,
        unsigned: 4_000_000_000, small: -128, ratio: 0.1 + Double(i), flag: i % 2 == 0,
        amount: Decimal(string: "12345.6789") ?? 0, at: Date(timeIntervalSince1970: 1_767_225_600.125), channel: .web,
        note: i % 3 == 0 ? nil : "a note", missing: nil,
        address: Address(city: "Shanghai", lines: ["1 Road", ""], postcode: nil),
        optionalAddress: i % 2 == 0 ? nil : Address(city: "Berlin", lines: [], postcode: "10115"),
        changes: [FieldChange(field: "status", old: "prospect", new: "active"), FieldChange(field: "owner", old: nil, new: "emp-7")],
        tags: ["vip", "gas"], maybeTags: ["a", nil, "c"], custom: ["b": "2", "a": "1"], nested: ["x": [1, 2], "y": []],
        blob: Data([0, 1, 2, 255]), ids: [UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AC") ?? UUID()]
    )
}

struct RenamedV1: Codable { var customerID: UUID; var name: String }
struct RenamedV2: Codable { var customerID: UUID; var name: String; var reason: String? }
struct Renamed: EventPayload, Equatable {
    static let eventType = "CustomerRenamed"
    static let schemaVersion: UInt32 = 3
    var customerID: UUID
    var name: String
    var reason: String?
    var byImport: Bool
}

func renamedRegistry() -> PayloadRegistry {
    var registry = PayloadRegistry()
    registry.register(Renamed.self)
    registry.registerLegacy(Renamed.self, version: 1, storedAs: RenamedV1.self) {
        Renamed(customerID: $0.customerID, name: $0.name, reason: nil, byImport: false)
    }
    registry.registerLegacy(Renamed.self, version: 2, storedAs: RenamedV2.self) {
        Renamed(customerID: $0.customerID, name: $0.name, reason: $0.reason, byImport: false)
    }
    return registry
}

func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
        if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
        index = next
    }
    return bytes
}

@Suite("Binary payload codec")
struct PayloadCodecTests {
    @Test func everySupportedShapeRoundTripsThroughTheBinaryFormat() throws {
        for i in 0..<6 {
            let value = richSample(i)
            let bytes = try BinaryPayloadEncoder.encode(value)
            #expect(try BinaryPayloadDecoder.decode(RichEvent.self, from: bytes) == value)
        }
    }

    @Test func theBinaryFormIsCompactAndDeterministic() throws {
        let value = richSample()
        let a = try BinaryPayloadEncoder.encode(value)
        let b = try BinaryPayloadEncoder.encode(value)
        #expect(a == b, "dictionaries are written in key order")
        let json = try JSONEncoder().encode(value)
        #expect(a.count < json.count / 2, "binary \(a.count) bytes vs JSON \(json.count)")
    }

    @Test func payloadsRoundTripThroughTheirJSONRepresentation() throws {
        var registry = PayloadRegistry()
        registry.register(RichEvent.self)
        let value = richSample(2)
        let bytes = try BinaryPayloadEncoder.encode(value)
        let json = try bytes.withUnsafeBytes { try registry.json(RichEvent.eventType, schemaVersion: 1, from: $0) }
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"name\":\"Acme 燃气 2\""))
        #expect(text.contains("2026-01-01T00:00:00.125Z"), "\(text)")
        let back = try registry.binary(RichEvent.eventType, fromJSON: json)
        #expect(back.schemaVersion == 1)
        #expect(try BinaryPayloadDecoder.decode(RichEvent.self, from: back.bytes) == value)
    }

    @Test func storedBytesOfOldSchemaVersionsDecodeAndUpcast() throws {
        let registry = renamedRegistry()
        try registry.validate()
        // Fixtures: bytes written by versions 1 and 2 (kept verbatim; never regenerate them).
        let v1 = hexBytes("0190f6a27c1d7abc8def0123456789ab0841636d65204c7464")
        let v2 = hexBytes("0190f6a27c1d7abc8def0123456789ab0841636d65204c7464010a72656272616e64696e67")
        let id = UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AB")
        let old = try v1.withUnsafeBytes { try registry.decode(Renamed.self, schemaVersion: 1, from: $0) }
        #expect(old == Renamed(customerID: id ?? UUID(), name: "Acme Ltd", reason: nil, byImport: false))
        let middle = try v2.withUnsafeBytes { try registry.decode(Renamed.self, schemaVersion: 2, from: $0) }
        #expect(middle.reason == "rebranding")
        let current = Renamed(customerID: id ?? UUID(), name: "Acme Ltd", reason: "x", byImport: true)
        let bytes = try BinaryPayloadEncoder.encode(current)
        #expect(try bytes.withUnsafeBytes { try registry.decode(Renamed.self, schemaVersion: 3, from: $0) } == current)
        let json = try v1.withUnsafeBytes { try registry.json(Renamed.eventType, schemaVersion: 1, from: $0) }
        #expect(String(decoding: json, as: UTF8.self).contains("\"byImport\":false"))
    }

    @Test func aMissingUpcasterIsFoundAtStartUp() {
        var registry = PayloadRegistry()
        registry.register(Renamed.self)
        registry.registerLegacy(Renamed.self, version: 1, storedAs: RenamedV1.self) {
            Renamed(customerID: $0.customerID, name: $0.name, reason: nil, byImport: false)
        }
        #expect(throws: PayloadCodingError.self) { try registry.validate() }
        #expect(throws: PayloadCodingError.self) {
            try [UInt8]().withUnsafeBytes { try registry.decode("Unknown", schemaVersion: 1, from: $0) }
        }
    }

    @Test func truncatedPayloadsAreTypedErrors() throws {
        let bytes = try BinaryPayloadEncoder.encode(richSample())
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self, "prefix of \(length) bytes") {
                try BinaryPayloadDecoder.decode(RichEvent.self, from: Array(bytes[0..<length]))
            }
        }
        let error = #expect(throws: PayloadCodingError.self) {
            try BinaryPayloadDecoder.decode(RichEvent.self, from: bytes + [0])
        }
        #expect(error?.code == .trailingBytes)
    }

    @Test func thousandsOfMutatedPayloadsNeverCrashTheDecoder() throws {
        let original = try BinaryPayloadEncoder.encode(richSample())
        var rng = SplitMix(seed: 2026)
        var failures = 0
        for _ in 0..<5000 {
            var bytes = original
            switch rng.next() % 4 {
            case 0:
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            case 1:
                bytes.removeSubrange(Int(rng.next() % UInt64(bytes.count))...)
            case 2:
                bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(bytes.count)))
            default:
                bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            do {
                _ = try BinaryPayloadDecoder.decode(RichEvent.self, from: bytes)
            } catch {
                failures += 1
            }
        }
        #expect(failures > 2500, "most mutations must be detected; \(failures) were")
    }
}

/// A small deterministic generator for the mutation test.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
