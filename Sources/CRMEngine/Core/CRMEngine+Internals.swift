import CRMDomain
import CRMProjections
import Crypto
import EventSourcing
import EventStoreLMDB
import Foundation
import Logging
import Synchronization

/// The engine's internals shared by its commands, queries and bindings: the closed check, error mapping, and
/// loading records from the log.
extension CRMEngine {
    /// Whether ``close()`` was called on this engine.
    var isClosed: Bool { closeCalled.load(ordering: .acquiring) }

    /// The first step of every public entry point: once the engine is closed, each answers
    /// ``EngineError/Code/unavailable`` ("the engine is closed"), not its storage's own error.
    func requireOpen() throws(EngineError) {
        if isClosed { throw EngineError.closed() }
    }

    /// An error met by a call that a ``close()`` overtook (a call in flight while the engine closes): the
    /// storage's own error (its log or views closed, a handle gone) is told as ``EngineError/Code/unavailable``.
    /// Any other error is returned as it is.
    func unlessClosed(_ error: any Error) -> any Error {
        if error is EngineError { return error }
        if isClosed || (error as? EventStoreError)?.code == .closed || (error as? ViewError) == .closed { return EngineError.closed() }
        return error
    }

    /// The log's refusal of a command's append as the engine tells it: an event over the log's size limit, or
    /// more events than one append takes (``EventStoreLimits``), is `invalid` — the command carries too much —
    /// with the sizes but without the log's stream and event ids; a close overtaking the command is
    /// `unavailable` (``unlessClosed(_:)``).
    func appendRefusal(_ error: any Error) -> any Error {
        guard let refusal = error as? EventStoreError else { return unlessClosed(error) }
        switch refusal.code {
        case .eventTooLarge:
            return EngineError(.invalid, "the command is too large to record (\(refusal.detail))")
        case .tooManyEvents:
            return EngineError(.invalid, "the command is too large to record (\(refusal.detail))")
        default:
            return unlessClosed(error)
        }
    }

    /// `body`'s read of the log, its error told as ``unlessClosed(_:)`` tells it.
    func readingLog<R>(_ body: () async throws -> R) async throws -> R {
        do { return try await body() } catch { throw unlessClosed(error) }
    }

    /// The state of a record folded from its stream, and its version: from its snapshot on, when it keeps
    /// snapshots and none is asked for an earlier point (`limit`), storing a new snapshot after a long fold.
    func load<A: Aggregate>(_ type: A.Type, stream: StreamID, upTo limit: ((RecordedEvent) -> Bool)? = nil) async throws -> (state: A.State, version: StreamVersion) {
        var start = limit == nil ? snapshot(of: A.self, stream: stream) : nil
        var state = start?.state ?? A.initialState
        var version = start?.version ?? .noStream
        var lastEventID = start?.eventID
        // From the snapshot's own event: the log must hold that event there for the snapshot to be used
        // (the same read as the events after it, so checking costs nothing more).
        var from = start?.version ?? version.next
        while true {
            var batch = try await readingLog { try await store.readStream(stream, from: from, direction: .forward, limit: 1024) }
            let full = batch.count == 1024
            if let snapshot = start, from == snapshot.version {
                guard snapshotFits(snapshot, stream: stream, event: batch.first) else {
                    start = nil
                    state = A.initialState
                    version = .noStream
                    lastEventID = nil
                    from = version.next
                    continue
                }
                batch = Array(batch.dropFirst())
            }
            for recorded in batch {
                if let limit, !limit(recorded) { return (state, version) }
                let payload = try recorded.payload.withUnsafeBytes {
                    try registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: $0)
                }
                if let event = A.Event(payload: payload) { state = A.evolve(state, event) }
                version = recorded.streamVersion
                lastEventID = recorded.id
            }
            guard full, let last = batch.last else { break }
            from = last.streamVersion.next
        }
        if limit == nil {
            keepSnapshot(of: A.self, stream: stream, state: state, version: version, eventID: lastEventID, from: start?.version ?? .noStream)
        }
        return (state, version)
    }

    /// `resolved`: a scope already resolved for this record (before `prepare`), used again when the prepared
    /// command has the same source and it was resolved as this action needs (with the named owners, or
    /// without them for a create), so the customer's stream is not read twice.
    func authorize<A: EngineRecord>(_ type: A.Type, _ command: A.Command, id: UUID, state: A.State, principal: Principal, now: Date,
                                            resolved: (source: ScopeSource, scope: RecordScope, namedOwners: Bool)? = nil) async throws {
        if principal.isSystem || isPartysOwn(A.self, command, state: state, principal: principal) { return }
        let action = A.action(for: command)
        // Naming oneself assignee or owner of a new record must not make it one's own: creating needs a
        // permission over where the record goes (its customer's branch, community, group or owner).
        let source = A.scope(of: command, state: state, id: id)
        let scope: RecordScope
        if let resolved, resolved.source == source, resolved.namedOwners == (action != .create) {
            scope = resolved.scope
        } else {
            scope = try await resolve(source, includingNamedOwners: action != .create)
        }
        guard principal.may(action, in: A.module, on: scope, at: now) else {
            // A record the principal may not even see does not exist for it.
            if action != .create && !principal.may(.query, in: A.module, on: scope, at: now) { throw EngineError.notFound() }
            throw EngineError(.forbidden, "\(action.rawValue) in \(A.module.rawValue) is not allowed here")
        }
    }

    /// Hook of the permission steps (``judgedBeforePreparing`` and ``authorize``, so `execute`, `dryRun` and
    /// `judge` alike): whether the binding of `A` (``PartyCommands``) says `command` is the person `principal`'s
    /// own to send to the record in `state`, whatever rights they hold in its module — then neither step asks for
    /// any, and the domain judges it as it judges anyone's (a workflow instance's submitter withdrawing or
    /// resubmitting their own request). False for every other binding.
    func isPartysOwn<A: EngineRecord>(_ type: A.Type, _ command: A.Command, state: A.State, principal: Principal) -> Bool {
        guard !principal.isSystem, let party = A.self as? any PartyCommands.Type else { return false }
        func ask<P: PartyCommands>(_ party: P.Type) -> Bool {
            guard let command = command as? P.Command, let state = state as? P.State else { return false }
            return P.isPartysOwn(command, state: state, principal: principal)
        }
        return ask(party)
    }

    /// Hook of the read gate (``state(_:id:as:)``): whether the binding of `A` (``PartyCommands``) says the record
    /// in `state` is the person `principal`'s own to read, whatever rights they hold in its module (a workflow
    /// instance's submitter reading their own request) — then the gate asks no `query` in it, only what the
    /// binding's `mayRead` asks. False for every other binding.
    func isPartysOwn<A: EngineRecord>(_ type: A.Type, state: A.State, principal: Principal) -> Bool {
        guard !principal.isSystem, let party = A.self as? any PartyCommands.Type else { return false }
        func ask<P: PartyCommands>(_ party: P.Type) -> Bool {
            guard let state = state as? P.State else { return false }
            return P.isPartysOwn(state, principal: principal)
        }
        return ask(party)
    }

    /// A customer's own scope: its branch, community, group and owner.
    static func scope(ofCustomer customer: Customer.State) -> RecordScope {
        RecordScope(branch: customer.branch, community: customer.community, group: customer.group, owners: customer.owner.map { [$0] } ?? [])
    }

    /// A record scope from what an aggregate states: a customer's is read from the customer's stream.
    /// Without `includingNamedOwners`, only the owner of the customer a record belongs to counts as an
    /// owner, not the employees the record itself names.
    func resolve(_ source: ScopeSource, includingNamedOwners: Bool = true) async throws -> RecordScope {
        switch source {
        case .global: return .global
        case .personal(let employee): return RecordScope(owners: [employee])
        case .direct(var scope):
            if !includingNamedOwners { scope.owners = [] }
            return scope
        case .customer(let id, let named):
            let owners = includingNamedOwners ? named : []
            guard let id else { return RecordScope(owners: owners) }
            let customer = try await load(Customer.self, stream: Customer.stream(id)).state
            guard customer.exists else { return RecordScope(owners: owners) }
            var scope = Self.scope(ofCustomer: customer)
            scope.owners += owners
            return scope
        case .workflowSubject(let kind, let subject, let named):
            // The subject's own owners count, as a customer's owner does; the instance's only when asked.
            var scope = try await workflowSubjectScope(kind, subject)
            for owner in includingNamedOwners ? named : [] where !scope.owners.contains(owner) { scope.owners.append(owner) }
            return scope
        }
    }

    /// A customer group's form as recorded (an empty form when the group has none).
    func form(group: String) async throws -> FormDefinition {
        try await load(CustomerForm.self, stream: CustomerForm.stream(group: group)).state.definition ?? .empty(group: group)
    }

    /// An idempotency key names one command: reusing it for another record is a conflict, not a repeat.
    func sameRecord(_ earlier: CommandResult, _ stream: StreamID) throws -> CommandResult {
        guard earlier.stream == stream else {
            throw EngineError(.conflict, field: "idempotencyKey", "the key was already used for another record")
        }
        return earlier
    }

    /// The first result stored under an idempotency stream, with the digest of the request that gave it.
    func earlierResult(_ idempotency: StreamID) async throws -> (result: CommandResult, requestDigest: String?)? {
        guard let first = try await store.readStream(idempotency, limit: 1).first else { return nil }
        let outcome = try registry.decode(CommandOutcomeRecorded.self, schemaVersion: first.schemaVersion, from: first.payload)
        let stream = StreamID(outcome.stream)
        let count = Int(outcome.versionAfter - outcome.versionBefore)
        let events = count == 0 ? [] : try await store.readStream(stream, from: StreamVersion(outcome.versionBefore).next, direction: .forward, limit: count)
        return (CommandResult(stream: stream, version: StreamVersion(outcome.versionAfter), events: events, repeated: true), outcome.requestDigest)
    }

    static func idempotencyStream(principal: Principal, key: String) -> StreamID {
        StreamID("idempotency-" + hexDigest(principal.id + "\u{0}" + key).prefix(40))
    }

    /// A command's digest for an idempotency key given without an adapter's `requestDigest`: SHA-256 of the
    /// value's structure — every member's label and value, the elements of dictionaries and sets in sorted
    /// order, so the same command digests alike in any process —, marked so it is compared only with digests
    /// of its kind (an adapter's digest of an HTTP request is another kind of text).
    static func commandDigest(_ command: Any) -> String {
        var text = ""
        describeStructure(command, into: &text, depth: 0)
        return commandDigestPrefix + hexDigest(text)
    }

    static let commandDigestPrefix = "command:"
    static func isCommandDigest(_ digest: String) -> Bool { digest.hasPrefix(commandDigestPrefix) }

    private static func describeStructure(_ value: Any, into text: inout String, depth: Int) {
        let mirror = Mirror(reflecting: value)
        guard depth < 64 else { text += "…"; return }
        if mirror.children.isEmpty {
            text += String(reflecting: value)
            return
        }
        text += "\(mirror.subjectType)("
        switch mirror.displayStyle {
        case .dictionary?, .set?:
            let elements = mirror.children.map { child -> String in
                var element = ""
                describeStructure(child.value, into: &element, depth: depth + 1)
                return element
            }
            text += elements.sorted().joined(separator: ",")
        default:
            for child in mirror.children {
                text += (child.label ?? "_") + ":"
                describeStructure(child.value, into: &text, depth: depth + 1)
                text += ","
            }
        }
        text += ")"
    }

    static func hexDigest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
