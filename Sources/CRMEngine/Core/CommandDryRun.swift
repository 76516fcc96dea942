import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension CRMEngine {
    /// What ``execute(_:id:_:as:expectedVersion:idempotencyKey:requestDigest:causation:)`` would record for
    /// `command` on the record `id` as `principal`, judged the way `execute` judges it — the record's fit,
    /// visibility ("not found"), the data the engine fills in (``EngineRecord/prepare(_:state:id:principal:engine:)``),
    /// the permission for the command's action over the record's scope, the domain's rules, the employees it
    /// names, its outcome and the unique keys it claims — and throwing what `execute` would throw, but writing
    /// nothing: a dry run. Works on a read-only engine too (``openReadOnly(at:configuration:)``).
    ///
    /// A judgement of the log as it is now: a command that passes may still be refused when executed, if the
    /// record, the principal's roles or a key's holder change meanwhile. `crm import` checks every row with it
    /// before writing the first.
    ///
    /// ```swift
    /// let events = try await engine.dryRun(Customer.self, id: id, .create(customerID: id, new, form: .empty(group: "residential")), as: clerk)
    /// ```
    @discardableResult
    public func dryRun<A: EngineRecord>(_ type: A.Type, id: UUID, _ command: A.Command, as principal: Principal) async throws -> [A.Event] {
        try requireOpen()
        let stream = A.streamID(id)
        let (state, version) = try await load(A.self, stream: stream)
        let (events, prepared) = try await judge(A.self, id: id, command, on: state, version: version, as: principal)
        // A key another record holds is refused as `execute` refuses it (`keyTaken`); nothing is appended.
        if !events.isEmpty {
            _ = try await reservations(A.claims(prepared, state: state), holder: stream, metadata: EventMetadata(actor: principal.id))
        }
        return events
    }

    /// What ``dryRun(_:id:_:as:)`` judges of `command` on record `id` in `state` at `version` — the record's fit,
    /// visibility, preparation, the permission over its scope, the domain, the named employees and the outcome:
    /// the same steps as `execute`, in the same order, up to the keys and the append (the judging ones shared
    /// with it) — and the prepared command. `state` may be one the record does not have yet (one a command being
    /// judged would leave: a delegation's, ``requireDelegateMayDecide(_:state:principal:)``), then of an
    /// existing record at any version but `noStream`. Throws what executing it would; writes nothing.
    func judge<A: EngineRecord>(_ type: A.Type, id: UUID, _ command: A.Command, on state: A.State, version: StreamVersion = .first,
                                as principal: Principal) async throws -> (events: [A.Event], prepared: A.Command) {
        let command = principal.replaysDecisions ? command : A.canonicalisingEmployeeIDs(command)
        let now = clock.now()
        try A.check(command, id: id)
        let seen = try await judgedBeforePreparing(A.self, command, id: id, state: state, version: version, principal: principal, now: now)
        let prepared = try await A.prepare(command, state: state, id: id, principal: principal, engine: self)
        try await authorize(A.self, prepared, id: id, state: state, principal: principal, now: now, resolved: seen)
        let events: [A.Event]
        do {
            events = try A.decide(prepared, state: state, context: CommandContext(now: now, actor: principal.id))
        } catch {
            throw EngineError(error)
        }
        try await judgeDecided(A.self, events, prepared, state: state, principal: principal, now: now)
        return (events, prepared)
    }
}
