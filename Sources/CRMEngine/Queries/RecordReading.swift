import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Judging a record by its stream alone, as reading it judges it: the one rule of a record's history, a
/// customer's history with its linked records, the events stream and a record's raw events.
extension CRMEngine {
    /// Every aggregate the engine binds, for judging a record by its stream alone.
    static let boundRecords: [any (EngineRecord & SendableMetatype).Type] = [
        Customer.self, CustomerForm.self, WorkTask.self, Ticket.self, Contact.self, Visit.self, ContactLogEntry.self, Opportunity.self,
        Organisation.self, Settings.self, Quote.self, Contract.self, Product.self, RevenueLedger.self, LoyaltyAccount.self, Campaign.self,
        Diary.self, WorkflowDefinition.self, WorkflowInstance.self, Announcement.self, BoardThread.self, SensitiveWordList.self,
        SurveyTemplate.self, Survey.self, FeedbackForm.self, NewConnection.self, MaintenancePairing.self,
    ]

    /// What one reader has judged of records — whether its principal may query each (by stream) and each
    /// customer's scope —, kept so that a reader asking about the same records again and again does not fold
    /// them again each time: the `/v1/events` stream keeps one per connection, a customer's history one per
    /// call. Not shared between readers (not `Sendable`).
    ///
    /// A decision rests on the record's state now (and its customer's, its workflow subject's) and on the
    /// clock, so ``CRMEngine/history(of:as:after:limit:consistentWith:decisions:)`` uses one again only while
    /// it is fit: for the same principal with the same permissions, at most `maxAge` seconds of the engine's
    /// clock after they were started (a grant may end meanwhile), and while fewer than `capacity` are kept
    /// (otherwise all are dropped and started again from the log's head). They stand for the log up to
    /// `through`: an event past it moves `through` on over the events stored since, each forgetting only
    /// what it may change — its own record's decision; a customer's event, that customer's scope and every
    /// decision (its records' scopes rest on it); any other event, the workflow instances' (they rest on
    /// their subjects and on the organisation's roles). Tailing the log thus judges again only the records
    /// whose events arrive, not every record kept. The staleness bound: an event is judged on the log as it
    /// stood at some point after the event itself and at most `maxAge` before — a record moved out of the
    /// caller's scope stops being sent from the first event after the move, or after `maxAge`, whichever
    /// comes first.
    public final class ReadDecisions {
        /// How many records and customers are kept before all are dropped.
        public let capacity: Int
        /// How long (seconds of the engine's clock) decisions are used again.
        public let maxAge: TimeInterval
        var decisions: [StreamID: Bool] = [:]
        /// A customer's scope without the owners a record of it names (``CRMEngine/resolve(_:includingNamedOwners:)``).
        var customerScopes: [UUID: RecordScope] = [:]
        /// Whose decisions these are, with the permissions they were judged with.
        var principal: (id: String, permissions: EffectivePermissions)?
        /// The log position the decisions stand for: every event up to it has forgotten what it changed.
        var through = GlobalPosition.start
        var startedAt: Date?
        /// The workflow instances decided: they rest on other records than their own and their customer.
        var workflowInstances: Set<StreamID> = []
        /// How many records were judged (folded) rather than found decided: for tests.
        var judgements = 0
        /// How many records' reads ``audited`` keeps before it is cleared.
        public let auditedCapacity: Int
        /// The records this reader's reads of are in the read audit already (the history reads with these
        /// decisions record `history:<stream>` once per record, not once per event the `/v1/events` stream
        /// sends), and whose reads they are. Kept apart from the decisions (which are started again often);
        /// cleared when `auditedCapacity` are kept or another principal reads, so a long-lived reader records
        /// a record again at most once per that many distinct records.
        var audited: Set<StreamID> = []
        var auditedFor: String?

        public init(capacity: Int = 4_096, maxAge: TimeInterval = 10, auditedCapacity: Int = 10_000) {
            self.capacity = max(1, capacity)
            self.maxAge = max(0, maxAge)
            self.auditedCapacity = max(1, auditedCapacity)
        }

        /// Whether this reader's read of `stream` as `principal` is still to be recorded in the read audit
        /// (then it counts as recorded).
        func needsAudit(of stream: StreamID, as principal: Principal) -> Bool {
            if auditedFor != principal.id {
                audited.removeAll(keepingCapacity: true)
                auditedFor = principal.id
            }
            guard !audited.contains(stream) else { return false }
            if audited.count >= auditedCapacity { audited.removeAll(keepingCapacity: true) }
            audited.insert(stream)
            return true
        }

        /// How many records' decisions are kept now.
        public var count: Int { decisions.count }

        /// Forgets what an event of `stream` may change (see above).
        func forget(after stream: StreamID) {
            if stream.category == Customer.category {
                decisions.removeAll(keepingCapacity: true)
                customerScopes.removeAll(keepingCapacity: true)
                workflowInstances.removeAll(keepingCapacity: true)
                return
            }
            decisions[stream] = nil
            for instance in workflowInstances { decisions[instance] = nil }
            workflowInstances.removeAll(keepingCapacity: true)
        }
    }

    /// How many events past `through` ``refresh(_:for:as:)`` reads to move it on; more start the decisions again.
    static let decisionCatchUp = 1_024

    /// Makes `decisions` fit for judging an event at `position` as `principal` now (``ReadDecisions``): moves
    /// them on over the events stored since `through`, each forgetting what it may change, or starts them
    /// again from the log's head when they are too old, too many, another principal's or too far behind.
    func refresh(_ decisions: ReadDecisions, for position: GlobalPosition, as principal: Principal) async throws {
        let now = clock.now()
        let fresh = decisions.startedAt.map { now >= $0 && now.timeIntervalSince($0) <= decisions.maxAge } ?? false
        if fresh, decisions.decisions.count + decisions.customerScopes.count < decisions.capacity,
           let judged = decisions.principal, judged.id == principal.id, judged.permissions == principal.permissions {
            guard position > decisions.through else { return }
            // Every event since, not only this one: a reader may skip events (one with no history entry).
            let since = try await store.readAll(from: decisions.through.next, direction: .forward, limit: Self.decisionCatchUp)
            if let last = since.last, last.position >= position {
                for event in since { decisions.forget(after: event.stream) }
                decisions.through = last.position
                return
            }
        }
        decisions.decisions.removeAll(keepingCapacity: true)
        decisions.customerScopes.removeAll(keepingCapacity: true)
        decisions.workflowInstances.removeAll(keepingCapacity: true)
        // Read before anything is judged again: every decision made from now on rests on at least this log.
        decisions.through = try await store.headPosition()
        decisions.startedAt = now
        decisions.principal = (principal.id, principal.permissions)
    }

    /// Whether `principal` may query the record of `stream` as reading it judges it (``state(_:id:as:)``):
    /// `query` in its binding's module over the scope its binding states from its state now — a task's
    /// assignee, a diary's employee among its owners — and what its binding's `mayRead` asks more. A stream
    /// of no binding: `query` in its category's module over `viewScope` (the history view's scope of it now;
    /// `.global` where no view is read). With `decisions`, a record judged there before is not judged again,
    /// and what is judged is kept there (the caller sees to it that they are still fit: ``refresh(_:for:as:)``).
    func mayQueryRecord(_ stream: StreamID, viewScope: RecordScope, as principal: Principal, decisions: ReadDecisions? = nil) async throws -> Bool {
        if principal.isSystem { return true }
        if let known = decisions?.decisions[stream] { return known }
        let now = clock.now()
        var answer: Bool?
        for type in Self.boundRecords {
            answer = try await judge(type, stream, as: principal, at: now, decisions: decisions)
            if answer != nil { break }
        }
        let decided = answer ?? principal.may(.query, in: Permission.Module(category: stream.category), on: viewScope, at: now)
        if let decisions {
            decisions.decisions[stream] = decided
            decisions.judgements += 1
            if stream.category == WorkflowInstance.category { decisions.workflowInstances.insert(stream) }
        }
        return decided
    }

    /// Whether `principal` may query the record of `stream` whatever its state, so that judging it needs no
    /// read: `query` over all data in its binding's module (its category's for a stream of no binding), and a
    /// binding whose `mayRead` asks nothing more (``EngineRecord/hasDefaultMayRead``). For a stream that exists.
    func mayQueryEverywhere(_ stream: StreamID, as principal: Principal, at now: Date) -> Bool {
        if principal.isSystem { return true }
        guard let type = Self.boundRecords.first(where: { $0.category == stream.category }) else {
            return principal.mayEverywhere(.query, in: Permission.Module(category: stream.category), at: now)
        }
        return type.hasDefaultMayRead && principal.mayEverywhere(.query, in: type.module, at: now)
    }

    /// ``mayQueryRecord(_:viewScope:as:decisions:)`` for a stream of `A`; nil for a stream of another category.
    private func judge<A: EngineRecord>(_ type: A.Type, _ stream: StreamID, as principal: Principal, at now: Date,
                                        decisions: ReadDecisions?) async throws -> Bool? {
        guard stream.category == A.category else { return nil }
        let loaded = try await load(A.self, stream: stream)
        guard loaded.version != .noStream else { return false }
        // A singleton's or a form's stream names no UUID: their scope does not depend on it.
        let id = UUID(text: stream.rawValue.dropFirst(A.category.count + 1)) ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let scope = try await resolve(A.scope(of: nil, state: loaded.state, id: id), customers: decisions)
        guard principal.may(.query, in: A.module, on: scope, at: now) else { return false }
        return try await A.mayRead(loaded.state, scope: scope, as: principal, engine: self, at: now)
    }

    /// ``resolve(_:includingNamedOwners:)`` with each customer's scope read once into `decisions`.
    private func resolve(_ source: ScopeSource, customers decisions: ReadDecisions?) async throws -> RecordScope {
        guard let decisions, case .customer(let customer?, let owners) = source else { return try await resolve(source) }
        var scope: RecordScope
        if let known = decisions.customerScopes[customer] {
            scope = known
        } else {
            scope = try await resolve(.customer(customer, owners: []))
            decisions.customerScopes[customer] = scope
        }
        scope.owners += owners
        return scope
    }
}
