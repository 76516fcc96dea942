import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension CRMEngine {
    /// A record's events, oldest first, for a principal allowed to query it (the raw trail behind
    /// `crm dump --stream`): not found when missing or when `principal` may not query it — judged as reading
    /// the record and its history are (``mayQueryRecord(_:viewScope:as:decisions:)``: its binding's module, its
    /// scope from its state now with its own owners — a task's assignee, a diary's employee —, `mayRead`; a
    /// stream of no binding needs its category's module over all data). The events are raw,
    /// every custom field in them: a customer with a field hidden from the principal in a form it has been
    /// in is given only to a reader of the whole log (``authorizeLogRead(_:as:)``), else `forbidden`; so are an
    /// API token's raw events, which hold its secret's hash (its history shows them without it). A board
    /// thread's events that posted a post hidden now carry an empty body for whoever may not moderate the
    /// board at `now` nor read the whole log (``BoardThread/withholdingHiddenBodies(_:registry:from:at:)``). The
    /// read is recorded in the read audit.
    public func events(of stream: StreamID, as principal: Principal) async throws -> [RecordedEvent] {
        try requireOpen()
        let events = try await store.readStream(stream)
        guard !events.isEmpty else { throw EngineError.notFound() }
        if !principal.isSystem {
            guard try await mayQueryRecord(stream, viewScope: .global, as: principal) else { throw EngineError.notFound() }
            if stream.category == Self.tokenStreamCategory, !principal.may(.analyse, in: .organisation, on: .global, at: clock.now()) {
                throw EngineError(.forbidden, "a token's raw events hold its secret's hash: they are for readers of the whole log (the organisation module's analyse permission over all data); its history shows them without it")
            }
            if stream.category == Customer.category, try Customer.State.hidesFields(inAnyOf: groups(of: events), from: principal) {
                guard principal.may(.analyse, in: .organisation, on: .global, at: clock.now()) else {
                    throw EngineError(.forbidden, "this customer's events hold fields hidden from you: they are for readers of the whole log (the organisation module's analyse permission over all data)")
                }
            }
        }
        audit.record(principal: principal, record: stream.rawValue)
        if stream.category == BoardThread.category {
            // A post hidden now keeps its body from whoever may not moderate the board (the board's reads' rule).
            return try BoardThread.withholdingHiddenBodies(events, registry: registry, from: principal, at: clock.now())
        }
        return events
    }

    /// Every record of `A` folded from the log, in creation order, that `principal` may query (and read:
    /// ``EngineRecord/mayRead(_:scope:as:engine:at:)``); each one
    /// returned is recorded in the read audit. For tools that list without the views (`crm customer list`,
    /// `crm task list`, exports); a scan of the whole log.
    public func records<A: EngineRecord>(_ type: A.Type, as principal: Principal) async throws -> [(id: UUID, state: A.State, scope: RecordScope)] {
        try requireOpen()
        var states: [String: A.State] = [:]
        var order: [String] = []
        var next = GlobalPosition.start.next
        while true {
            let batch = try await store.readAll(from: next, direction: .forward, limit: 8192)
            for event in batch where event.stream.category == A.category {
                let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
                guard let domainEvent = A.Event(payload: payload) else { continue }
                let key = event.stream.rawValue
                if states[key] == nil { order.append(key) }
                states[key] = A.evolve(states[key] ?? A.initialState, domainEvent)
            }
            guard batch.count == 8192, let last = batch.last else { break }
            next = last.position.next
        }
        let now = clock.now()
        var visible: [(id: UUID, state: A.State, scope: RecordScope)] = []
        // Records of one customer share its scope: each customer is folded once.
        var scopes: [ScopeSource: RecordScope] = [:]
        for key in order {
            guard let state = states[key], let id = UUID(text: String(key.dropFirst(A.category.count + 1))) else { continue }
            let source = A.scope(of: nil, state: state, id: id)
            let scope: RecordScope
            if let known = scopes[source] {
                scope = known
            } else {
                scope = try await resolve(source)
                scopes[source] = scope
            }
            guard principal.may(.query, in: A.module, on: scope, at: now),
                  try await A.mayRead(state, scope: scope, as: principal, engine: self, at: now) else { continue }
            audit.record(principal: principal, record: key)
            visible.append((id, A.visible(state, to: principal, current: nil, at: now), scope))
        }
        return visible
    }

    /// The calendar of a branch (its time zone from the settings; UTC when it has none): where "today",
    /// "overdue" and month boundaries of that branch's records are read.
    public func calendar(forBranch branch: String?) async throws -> LocalCalendar {
        try requireOpen()
        return try await settings().calendar(forBranch: branch)
    }

    /// Allows reading the raw log — every record's data (`crm dump`, `crm tail`, `crm backup`) — to the
    /// system and to holders of the organisation module's `analyse` permission over all data, and records
    /// the read as `log:<what>` in the read audit.
    public func authorizeLogRead(_ what: String, as principal: Principal) throws {
        try requireOpen()
        guard principal.may(.analyse, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "reading the whole log needs the organisation module's analyse permission over all data")
        }
        audit.record(principal: principal, record: "log:" + what)
    }

    /// Every customer group a customer's `events` put it in.
    private func groups(of events: [RecordedEvent]) throws -> Set<String> {
        var state = Customer.initialState
        var groups: Set<String> = []
        for event in events {
            let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
            guard let domainEvent = Customer.Event(payload: payload) else { continue }
            state = Customer.evolve(state, domainEvent)
            groups.insert(state.group)
        }
        return groups
    }
}
