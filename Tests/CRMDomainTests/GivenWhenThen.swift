import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Given/when/then for aggregates: given past events, when a command, then these events (or this error).
struct Scenario<A: Aggregate> {
    var state: A.State
    var context: CommandContext

    init(_ type: A.Type, given events: [A.Event] = [], at now: Date = Date(timeIntervalSince1970: 1_767_225_600), actor: String = "emp-1") {
        state = A.replay(events)
        context = CommandContext(now: now, actor: actor)
    }

    /// The events `command` produces; records an issue when it throws.
    func when(_ command: A.Command, sourceLocation: SourceLocation = #_sourceLocation) -> [A.Event] {
        do {
            return try A.decide(command, state: state, context: context)
        } catch {
            Issue.record("unexpected refusal: \(error)", sourceLocation: sourceLocation)
            return []
        }
    }

    /// The error `command` is refused with; records an issue when it succeeds.
    func whenRefused(_ command: A.Command, sourceLocation: SourceLocation = #_sourceLocation) -> DomainError? {
        do {
            let events = try A.decide(command, state: state, context: context)
            Issue.record("expected a refusal, got \(events.count) event(s)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// Applies `command` and moves the scenario on to the resulting state.
    @discardableResult
    mutating func apply(_ command: A.Command, sourceLocation: SourceLocation = #_sourceLocation) -> [A.Event] {
        let events = when(command, sourceLocation: sourceLocation)
        state = events.reduce(state, A.evolve)
        return events
    }
}

/// Every event round-trips through the binary codec and JSON, with a schema version ≥ 1.
func expectRoundTrips<E: DomainEvent>(_ events: [E], sourceLocation: SourceLocation = #_sourceLocation) throws {
    var registry = PayloadRegistry()
    registry.register(events: E.self)
    try registry.validate()
    for event in events {
        let payload = event.payload
        let type = Swift.type(of: payload)
        #expect(type.schemaVersion >= 1, sourceLocation: sourceLocation)
        let data = try event.eventData(id: UUID(), metadata: .system)
        let decoded = try data.payload.withUnsafeBytes { try registry.decode(data.type, schemaVersion: data.schemaVersion, from: $0) }
        #expect(E(payload: decoded) == event, "binary round trip of \(data.type)", sourceLocation: sourceLocation)
        let json = try data.payload.withUnsafeBytes { try registry.json(data.type, schemaVersion: data.schemaVersion, from: $0) }
        let back = try registry.binary(data.type, fromJSON: json)
        #expect(back.bytes == data.payload, "JSON round trip of \(data.type)", sourceLocation: sourceLocation)
    }
}

func date(_ text: String) -> LocalDate {
    LocalDate(text) ?? LocalDate(year: 2000, month: 1, day: 1)!
}

/// Bytes from hex text (fixtures of stored payloads).
func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
        if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
        index = next
    }
    return bytes
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// A small deterministic generator for mutation tests.
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
