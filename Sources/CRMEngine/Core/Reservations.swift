import CRMDomain
import EventSourcing
import Foundation

extension CRMEngine {
    /// The stream that holds the reservation of one unique key.
    static func reservationStream(_ key: UniqueKey) -> StreamID {
        StreamID("reservation-" + hexDigest(key.namespace + "\u{0}" + key.key).prefix(40))
    }

    /// The appends that reserve `claims.claimed` for `holder` and free `claims.released`, each expecting
    /// the reservation stream's current version so that two records racing for one key cannot both win.
    /// A key another record holds fails with ``keyTaken(_:)``.
    func reservations(_ claims: KeyClaims, holder: StreamID, metadata: EventMetadata) async throws -> [StreamAppend] {
        var appends: [StreamAppend] = []
        var seen = Set<UniqueKey>()
        for key in claims.claimed where seen.insert(key).inserted {
            let stream = Self.reservationStream(key)
            let (current, version) = try await reservationHolder(stream)
            if current == holder.rawValue { continue }
            if current != nil { throw Self.keyTaken(key) }
            let event = try EventData(id: configuration.ids.next(), payload: KeyReserved(key: key, holder: holder.rawValue), metadata: metadata)
            appends.append(StreamAppend(stream: stream, expectedVersion: version == .noStream ? .noStream : .exact(version), events: [event]))
        }
        for key in claims.released where !claims.claimed.contains(key) {
            let stream = Self.reservationStream(key)
            let (current, version) = try await reservationHolder(stream)
            guard current == holder.rawValue else { continue }
            let event = try EventData(id: configuration.ids.next(), payload: KeyReleased(key: key, holder: holder.rawValue), metadata: metadata)
            appends.append(StreamAppend(stream: stream, expectedVersion: .exact(version), events: [event]))
        }
        return appends
    }

    /// What claiming a key another record holds answers: ``EngineError/Code/keyTaken`` (its field: the
    /// namespace) — but a customer's primary contact answers as the rule it keeps does
    /// (``Contact/primaryContactTaken``: `invalid`, field `role`).
    static func keyTaken(_ key: UniqueKey) -> EngineError {
        if key.namespace == Contact.primaryContactNamespace { return Contact.primaryContactTaken }
        return EngineError(.keyTaken, field: key.namespace, "the key is held by another record")
    }

    /// Who holds a key now (nil when free) and its reservation stream's version.
    func reservationHolder(_ stream: StreamID) async throws -> (holder: String?, version: StreamVersion) {
        guard let last = try await store.readStream(stream, from: StreamVersion(UInt64.max), direction: .backward, limit: 1).first else { return (nil, .noStream) }
        switch try registry.decode(last.type, schemaVersion: last.schemaVersion, from: last.payload) {
        case let e as KeyReserved: return (e.holder, last.streamVersion)
        default: return (nil, last.streamVersion)
        }
    }

    /// The record holding a unique key, if any: e.g. the customer with external key `A-1` in `billing`.
    public func holder(of key: UniqueKey) async throws -> StreamID? {
        try requireOpen()
        return try await reservationHolder(Self.reservationStream(key)).holder.map { StreamID($0) }
    }
}
