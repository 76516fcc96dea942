import CRMDomain
import EventSourcing
import Foundation
import Synchronization

/// The state of a singleton record (the organisation, the settings), kept in memory and brought up to date
/// from its stream before each use by reading only the events after the cached version: commands,
/// reactions and the scheduler read these on every call, so they are never folded from scratch again.
final class SingletonCache<A: Aggregate>: Sendable {
    private let stream: StreamID
    private let cached = Mutex<(state: A.State, version: StreamVersion)>((A.initialState, .noStream))

    init(stream: StreamID) { self.stream = stream }

    /// Starts from a stored snapshot instead of the stream's beginning (only before the first fold).
    func seed(_ state: A.State, version: StreamVersion) {
        cached.withLock { if $0.version < version { $0 = (state, version) } }
    }

    func current(store: any EventStore, registry: PayloadRegistry) async throws -> A.State {
        try await currentWithVersion(store: store, registry: registry).state
    }

    /// The state and the stream version it reflects.
    func currentWithVersion(store: any EventStore, registry: PayloadRegistry) async throws -> (state: A.State, version: StreamVersion) {
        var (state, version) = cached.withLock { $0 }
        while true {
            let batch = try await store.readStream(stream, from: version.next, direction: .forward, limit: 1024)
            for recorded in batch {
                let payload = try registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: recorded.payload)
                if let event = A.Event(payload: payload) { state = A.evolve(state, event) }
                version = recorded.streamVersion
            }
            if batch.count < 1024 { break }
        }
        let result = state
        let newVersion = version
        cached.withLock { if $0.version < newVersion { $0 = (result, newVersion) } }
        return (result, newVersion)
    }
}

extension PayloadRegistry {
    /// Decodes a payload held in an array.
    func decode(_ type: String, schemaVersion: UInt32, from bytes: [UInt8]) throws -> any EventPayload {
        try bytes.withUnsafeBytes { try decode(type, schemaVersion: schemaVersion, from: $0) }
    }

    func decode<P: EventPayload>(_ type: P.Type, schemaVersion: UInt32, from bytes: [UInt8]) throws -> P {
        try bytes.withUnsafeBytes { try decode(P.self, schemaVersion: schemaVersion, from: $0) }
    }
}
