import CRMDomain
import EventSourcing
import Foundation
import Synchronization

/// The organisation's state (employees, roles, grants), kept in memory and brought up to date from its
/// stream before each use by reading only the events after the cached version.
final class OrganisationCache: Sendable {
    private let cached = Mutex<(state: Organisation.State, version: StreamVersion)>((Organisation.initialState, .noStream))

    func current(store: any EventStore, registry: PayloadRegistry) async throws -> Organisation.State {
        var (state, version) = cached.withLock { $0 }
        while true {
            let batch = try await store.readStream(Organisation.streamID, from: version.next, direction: .forward, limit: 1024)
            for recorded in batch {
                let payload = try registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: recorded.payload)
                if let event = Organisation.Event(payload: payload) { state = Organisation.evolve(state, event) }
                version = recorded.streamVersion
            }
            if batch.count < 1024 { break }
        }
        let result = state
        let newVersion = version
        cached.withLock { if $0.version < newVersion { $0 = (result, newVersion) } }
        return result
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
