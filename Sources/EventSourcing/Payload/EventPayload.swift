import Foundation

/// The payload of one event type: a `Codable` value stored in the binary payload format and shown
/// outside (HTTP, dumps, exports) as JSON.
///
/// ```swift
/// struct CustomerRenamed: EventPayload {
///     static let eventType = "CustomerRenamed"
///     static let schemaVersion: UInt32 = 2
///     var customerID: UUID
///     var name: String
///     var reason: String?        // added in version 2: see PayloadRegistry.registerLegacy
/// }
/// ```
public protocol EventPayload: Codable, Sendable {
    /// The event's type name in the log's envelope.
    static var eventType: String { get }
    /// The current schema version; raise it whenever the stored shape changes.
    static var schemaVersion: UInt32 { get }
}

extension EventData {
    /// An event whose payload is `payload` in the binary format, with its type name and schema version.
    public init<P: EventPayload>(id: UUID, payload: P, metadata: EventMetadata) throws {
        self.init(
            id: id, type: P.eventType, schemaVersion: P.schemaVersion,
            payload: try BinaryPayloadEncoder.encode(payload), metadata: metadata
        )
    }
}

/// Every event type an application knows, with decoders for every schema version it ever stored
/// (ARCHITECTURE decision 2: explicit schema evolution). Old versions are decoded with the type they were
/// written with and upcast to the current type; ``validate()`` — run at start-up — checks that no
/// version between 1 and the current one lacks its upcaster.
///
/// ```swift
/// var registry = PayloadRegistry()
/// registry.register(CustomerRenamed.self)
/// registry.registerLegacy(CustomerRenamed.self, version: 1, storedAs: CustomerRenamedV1.self) {
///     CustomerRenamed(customerID: $0.customerID, name: $0.name, reason: nil)
/// }
/// try registry.validate()
/// let payload = try registry.decode(event.type, schemaVersion: event.schemaVersion, from: event.payload)
/// ```
public struct PayloadRegistry: Sendable {
    typealias Decode = @Sendable (UnsafeRawBufferPointer) throws -> any EventPayload

    struct Entry: Sendable {
        let currentVersion: UInt32
        let decodeCurrent: Decode
        var legacy: [UInt32: Decode]
        let fromJSON: @Sendable (Data) throws -> any EventPayload
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    /// The registered event type names.
    public var eventTypes: [String] { entries.keys.sorted() }

    /// Registers the current version of an event type.
    public mutating func register<P: EventPayload>(_ type: P.Type) {
        let legacy = entries[P.eventType]?.legacy ?? [:]
        entries[P.eventType] = Entry(
            currentVersion: P.schemaVersion,
            decodeCurrent: { try BinaryPayloadDecoder.decode(P.self, from: $0) },
            legacy: legacy,
            fromJSON: { try JSONDecoder.payloads.decode(P.self, from: $0) }
        )
    }

    /// Registers how bytes stored under an older schema `version` are read: decoded as `Old`, then
    /// upcast to the current type `P`.
    public mutating func registerLegacy<P: EventPayload, Old: Decodable & Sendable>(
        _ type: P.Type, version: UInt32, storedAs old: Old.Type, upcast: @escaping @Sendable (Old) throws -> P
    ) {
        if entries[P.eventType] == nil { register(P.self) }
        entries[P.eventType]?.legacy[version] = { bytes in try upcast(try BinaryPayloadDecoder.decode(Old.self, from: bytes)) }
    }

    /// Checks that every registered type can read every schema version from 1 to its current one.
    public func validate() throws {
        for (type, entry) in entries {
            for version in 1..<max(entry.currentVersion, 1) where entry.legacy[version] == nil {
                throw PayloadCodingError(.unknownType, "\(type) has no upcaster from schema version \(version) to \(entry.currentVersion)")
            }
        }
    }

    /// Decodes a stored payload of any registered type and version, upcast to the current type.
    public func decode(_ type: String, schemaVersion: UInt32, from bytes: UnsafeRawBufferPointer) throws -> any EventPayload {
        guard let entry = entries[type] else { throw PayloadCodingError(.unknownType, "event type \(type) is not registered") }
        if schemaVersion == entry.currentVersion { return try entry.decodeCurrent(bytes) }
        guard let legacy = entry.legacy[schemaVersion] else {
            throw PayloadCodingError(.unknownType, "\(type) has no decoder for schema version \(schemaVersion)")
        }
        return try legacy(bytes)
    }

    /// Decodes a stored payload as `P` (upcasting old versions): the typed fast path for projections.
    public func decode<P: EventPayload>(_ type: P.Type, schemaVersion: UInt32, from bytes: UnsafeRawBufferPointer) throws -> P {
        if schemaVersion == P.schemaVersion { return try BinaryPayloadDecoder.decode(P.self, from: bytes) }
        guard let payload = try decode(P.eventType, schemaVersion: schemaVersion, from: bytes) as? P else {
            throw PayloadCodingError(.invalid, "\(P.eventType) upcast to an unexpected type")
        }
        return payload
    }

    /// The outside (JSON) representation of a stored payload, upcast to the current version; its ids (every
    /// `UUID`, at any depth) in lower case, as streams and actors are written (``LowercasedUUIDs``).
    public func json(_ type: String, schemaVersion: UInt32, from bytes: UnsafeRawBufferPointer) throws -> Data {
        let payload = try decode(type, schemaVersion: schemaVersion, from: bytes)
        return try Self.lowercasedJSON(payload)
    }

    private static func lowercasedJSON<P: EventPayload>(_ payload: P) throws -> Data {
        try JSONEncoder.payloads.encode(LowercasedUUIDs(payload))
    }

    /// Reads the JSON representation of a current-version payload (e.g. an import) into stored bytes.
    public func binary(_ type: String, fromJSON json: Data) throws -> (schemaVersion: UInt32, bytes: [UInt8]) {
        guard let entry = entries[type] else { throw PayloadCodingError(.unknownType, "event type \(type) is not registered") }
        let payload = try entry.fromJSON(json)
        return (entry.currentVersion, try BinaryPayloadEncoder.encode(payload))
    }
}

extension JSONEncoder {
    /// The JSON form of payloads: sorted keys, ISO 8601 dates with milliseconds (UTC), so audits and dumps read the same every time.
    static var payloads: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }
}

extension JSONDecoder {
    static var payloads: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let strategies: [Date.ISO8601FormatStyle] = [
                Date.ISO8601FormatStyle(includingFractionalSeconds: true),
                .iso8601,
            ]
            for strategy in strategies {
                if let date = try? Date(text, strategy: strategy) { return date }
            }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date"))
        }
        return decoder
    }
}
