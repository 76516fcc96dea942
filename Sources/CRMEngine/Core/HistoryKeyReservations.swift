import CRMDomain
import EventSourcing
import Foundation

/// The unique keys of a history appended straight to an empty log, without the engine — the demo's
/// generated history (`crm demo`, `crm serve --demo`) — reserved as ``CRMEngine`` reserves them when it
/// executes the commands: the same reservation streams (`reservation-<hash of the key>`), the same
/// ``KeyReserved`` and ``KeyReleased`` events, in the same append as the events that claim or free them.
/// So the engine opened on that log afterwards refuses a duplicate (``EngineError/Code/keyTaken``) and
/// finds each key's holder (`GET /v1/customers/lookup`).
///
/// Keys are read from the events: a customer's external keys (created with it, set, removed, freed by a
/// merge), a quote's number and a customer's primary contact (``Contact/claims(_:state:)``: claimed by a
/// contact made primary or restored as one, freed by its demotion, archiving or move). Feed every batch in
/// log order, starting from an empty log:
///
/// ```swift
/// var keys = try HistoryKeyReservations()
/// try await generator.forEachBatch { batch in _ = try await log.append(try keys.appending(batch)) }
/// ```
public struct HistoryKeyReservations {
    private let registry: PayloadRegistry
    private let ids: any IDGenerator
    private let known: Set<String>
    /// The external keys each customer (by stream) holds now.
    private var customerKeys: [StreamID: [ExternalKey]] = [:]
    /// What each contact's events left of it that its primary contact key depends on (its customer, role and
    /// whether it is archived).
    private var contacts: [StreamID: Contact.State] = [:]
    /// Each key's holder (a record's stream) now; absent when free.
    private var holders: [UniqueKey: String] = [:]
    /// The version of each reservation stream written so far.
    private var versions: [StreamID: StreamVersion] = [:]

    public init(ids: any IDGenerator = UUIDv7Generator()) throws {
        registry = try CRMEvents.registry()
        known = Set(registry.eventTypes)
        self.ids = ids
    }

    /// `batch` followed by the appends that reserve and free the keys its events claim and release.
    /// Throws what the engine would (``CRMEngine/keyTaken(_:)``: `keyTaken`; `invalid`, field `role`, for a
    /// second primary contact) when an event claims a key another record holds (the history is then not one
    /// the engine would have written).
    public mutating func appending(_ batch: [StreamAppend]) throws -> [StreamAppend] {
        let reservations = try reservations(for: batch)
        return reservations.isEmpty ? batch : batch + reservations
    }

    /// The appends that reserve and free the keys `batch`'s events claim and release.
    public mutating func reservations(for batch: [StreamAppend]) throws -> [StreamAppend] {
        var appends: [StreamAppend] = []
        for append in batch {
            guard let metadata = append.events.first?.metadata else { continue }
            let claims: KeyClaims
            switch String(append.stream.category) {
            case Customer.category: claims = try customerClaims(append)
            case Quote.category: claims = try quoteClaims(append)
            case Contact.category: claims = try contactClaims(append)
            default: continue
            }
            appends += try reserve(claims, holder: append.stream.rawValue, metadata: metadata)
        }
        return appends
    }

    /// The keys a customer's events leave it holding, against those it held.
    private mutating func customerClaims(_ append: StreamAppend) throws -> KeyClaims {
        let before = customerKeys[append.stream] ?? []
        // The customer's keys as its own evolve leaves them (created with it, set, removed, cleared by a merge).
        var state = Customer.State()
        state.externalKeys = before
        for event in append.events {
            guard let payload = try decode(event), let customerEvent = Customer.Event(payload: payload) else { continue }
            state = Customer.evolve(state, customerEvent)
        }
        let after = state.externalKeys
        customerKeys[append.stream] = after.isEmpty ? nil : after
        return KeyClaims(claimed: after.filter { !before.contains($0) }.map(\.uniqueKey),
                         released: before.filter { !after.contains($0) }.map(\.uniqueKey))
    }

    /// A new quote's number (the engine claims it when the quote is created and never frees it).
    private func quoteClaims(_ append: StreamAppend) throws -> KeyClaims {
        var numbers: [UniqueKey] = []
        for event in append.events {
            guard let payload = try decode(event), case .created(let created)? = Quote.Event(payload: payload) else { continue }
            numbers.append(UniqueKey(namespace: "quote-number", key: created.number))
        }
        return KeyClaims(claimed: numbers)
    }

    /// The primary contact key a contact's events claim and free, as ``Contact/claims(_:state:)`` gives it for
    /// the command that recorded them: the key of the customer it is primary of before and after, but a move
    /// claims nothing at the customer it moves to.
    private mutating func contactClaims(_ append: StreamAppend) throws -> KeyClaims {
        var state = contacts[append.stream] ?? Contact.initialState
        let before = state.primaryOf
        var moved = false
        for event in append.events {
            guard let payload = try decode(event), let contactEvent = Contact.Event(payload: payload) else { continue }
            if case .movedToCustomer = contactEvent { moved = true }
            state = Contact.evolve(state, contactEvent)
        }
        // Only what the key depends on is kept.
        var kept = Contact.State()
        kept.id = state.id
        kept.customerID = state.customerID
        kept.role = state.role
        kept.isArchived = state.isArchived
        contacts[append.stream] = kept
        return Contact.primaryClaims(before: before, after: moved ? nil : state.primaryOf)
    }

    private func decode(_ event: EventData) throws -> (any EventPayload)? {
        guard known.contains(event.type) else { return nil }
        return try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
    }

    /// The reservation appends for `claims`, as ``CRMEngine/reservations(_:holder:metadata:)`` makes them.
    private mutating func reserve(_ claims: KeyClaims, holder: String, metadata: EventMetadata) throws -> [StreamAppend] {
        var appends: [StreamAppend] = []
        var seen = Set<UniqueKey>()
        for key in claims.claimed where seen.insert(key).inserted {
            if holders[key] == holder { continue }
            if holders[key] != nil { throw CRMEngine.keyTaken(key) }
            holders[key] = holder
            appends.append(try append(KeyReserved(key: key, holder: holder), to: key, metadata: metadata))
        }
        for key in claims.released where !claims.claimed.contains(key) && holders[key] == holder {
            holders[key] = nil
            appends.append(try append(KeyReleased(key: key, holder: holder), to: key, metadata: metadata))
        }
        return appends
    }

    private mutating func append(_ payload: some EventPayload, to key: UniqueKey, metadata: EventMetadata) throws -> StreamAppend {
        let stream = CRMEngine.reservationStream(key)
        let version = versions[stream]
        versions[stream] = StreamVersion((version?.rawValue ?? 0) + 1)
        return StreamAppend(stream: stream, expectedVersion: version.map { .exact($0) } ?? .noStream,
                            events: [try EventData(id: ids.next(), payload: payload, metadata: metadata)])
    }
}
