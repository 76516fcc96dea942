import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Where a record sits for data scope, as an aggregate states it from a command and its state.
public enum ScopeSource: Sendable, Hashable {
    /// Settings, products, the organisation: reached only by permissions over all data.
    case global
    /// A record of a customer: the customer's branch, community and group; `owners` also see it as their own.
    case customer(UUID?, owners: [String])
    /// A record that carries its own scope.
    case direct(RecordScope)
    /// A record that is an employee's own by its identity (a diary, whose id is its employee's): unlike
    /// owners a command names, this one counts for creating it too.
    case personal(employee: String)
    /// A workflow instance: the scope of the record it approves (a quote's or contract's customer and owners,
    /// a campaign's, a feedback form's; a material request's campaign), with `owners` (its submitter and
    /// delegate) also seeing it as their own. Read from the subject's stream like a customer's.
    case workflowSubject(WorkflowSubjectKind, UUID, owners: [String])
}

/// Unique keys a command claims and releases (R-CUS-6 external keys, quote numbers): reserved in
/// reservation streams in the same atomic append as the command's events.
public struct KeyClaims: Sendable, Hashable {
    public var claimed: [UniqueKey]
    public var released: [UniqueKey]
    public init(claimed: [UniqueKey] = [], released: [UniqueKey] = []) {
        self.claimed = claimed
        self.released = released
    }
    public static let none = KeyClaims()
}

/// One unique key: a namespace (e.g. `external-key:billing`, `quote-number`) and the key in it.
public struct UniqueKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var namespace: String
    public var key: String
    public init(namespace: String, key: String) {
        self.namespace = namespace
        self.key = key
    }
    public var description: String { "\(namespace):\(key)" }
}

/// An aggregate the engine can execute commands of: which module it belongs to, which action each command
/// needs, where its records sit for data scope, and which unique keys its commands claim. Authorization
/// is decided from these in the engine — never in adapters — for every command.
public protocol EngineRecord: Aggregate {
    /// The module a permission must name.
    static var module: Permission.Module { get }
    /// The action a command needs.
    static func action(for command: Command) -> Permission.Action
    /// Where the record sits, from the command (for a create) or the state (`command` is nil for a query).
    static func scope(of command: Command?, state: State) -> ScopeSource
    /// The same, for the record `id`: what the engine calls. By default the record id plays no part;
    /// records whose id says whose they are (a diary is its employee's) override this one.
    static func scope(of command: Command?, state: State, id: UUID) -> ScopeSource
    /// Refuses a command that does not fit the record it is sent to (a customer's loyalty points sent to
    /// another customer's account): checked before anything else, with nothing written.
    static func check(_ command: Command, id: UUID) throws(EngineError)
    /// The record's stream; a singleton aggregate (settings, organisation) ignores `id`.
    static func streamID(_ id: UUID) -> StreamID
    /// The unique keys an accepted command claims and releases.
    static func claims(_ command: Command, state: State) -> KeyClaims
    /// The command with the data of other records it needs filled in by the engine from the log (a
    /// customer's form, say), so a caller cannot pass its own.
    static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command
    /// The same, for the record `id`: what the engine calls. By default the record id plays no part; records
    /// whose id says whose they are (a diary is its employee's) override this one.
    static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command
    /// The employees the command hands work or the record to (assignees, owners, visitors): each must be an
    /// active employee when a person (an employee or an operator: not ``Principal/replaysDecisions``) sends it
    /// (``NamedEmployee``).
    static func employeesNamed(by command: Command, state: State) -> [NamedEmployee]
    /// The command with every employee id it carries — those ``employeesNamed(by:state:)`` lists and any
    /// other (a delegate, the giver of feedback) — written as employee ids are recorded
    /// (``CRMDomain/Employee/canonicalID(_:)``: lower case, as a principal's id): the engine applies it to a
    /// person's command (an employee's or an operator's) before judging anything, so an id given in upper case names the same
    /// employee in the log, in data scope and in the views.
    static func canonicalisingEmployeeIDs(_ command: Command) -> Command
    /// Refuses what a principal's accepted command would leave behind, judged on the state after its
    /// events (the organisation without anyone able to administer it), before anything is written.
    static func checkOutcome(_ events: [Event], on state: State, principal: Principal, now: Date) throws(EngineError)
    /// The state as `principal` may see it in a query's answer at `now` (the engine's clock when the read
    /// is made): what its roles hide left out (a customer's hidden custom fields, a hidden board post's body
    /// from whoever may not moderate then). `current` is the record now, for a state of the past: what is
    /// hidden in either is left out.
    static func visible(_ state: State, to principal: Principal, current: State?, at now: Date) -> State
    /// Whether `principal`, who may `query` the record in ``module`` over its `scope`, may read it too (a
    /// query's answer, a list's row; not a command's judgement). True by default; a workflow instance also
    /// asks for its subject's module (``WorkflowInstance``'s binding). A record it may not read is not found.
    static func mayRead(_ state: State, scope: RecordScope, as principal: Principal, engine: CRMEngine, at now: Date) async throws -> Bool
    /// Whether ``mayRead(_:scope:as:engine:at:)`` is the default one (asks nothing more): then whoever may
    /// `query` the module over all data may read every record of it without its state being read. True by
    /// default; a binding that overrides `mayRead` says false.
    static var hasDefaultMayRead: Bool { get }
}

extension EngineRecord {
    /// Whether `principal` may do `command` on the record (`id`, when its scope depends on it), as
    /// authorization judges it next — the system may do anything. For a `prepare` that checks what a command
    /// names only for whoever may send it, so that its answer tells nothing to anyone else.
    static func mayDo(_ command: Command, state: State, id: UUID? = nil, principal: Principal, engine: CRMEngine, at now: Date) async throws -> Bool {
        if principal.isSystem { return true }
        let source = id.map { scope(of: command, state: state, id: $0) } ?? scope(of: command, state: state)
        return principal.may(action(for: command), in: module, on: try await engine.resolve(source), at: now)
    }

    public static func streamID(_ id: UUID) -> StreamID { stream(id) }
    public static func claims(_ command: Command, state: State) -> KeyClaims { .none }
    public static func scope(of command: Command?, state: State, id: UUID) -> ScopeSource { scope(of: command, state: state) }
    public static func check(_ command: Command, id: UUID) throws(EngineError) {}
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command { command }
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        try await prepare(command, state: state, principal: principal, engine: engine)
    }
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] { [] }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command { command }
    public static func checkOutcome(_ events: [Event], on state: State, principal: Principal, now: Date) throws(EngineError) {}
    public static func visible(_ state: State, to principal: Principal, current: State?, at now: Date) -> State { state }
    public static func mayRead(_ state: State, scope: RecordScope, as principal: Principal, engine: CRMEngine, at now: Date) async throws -> Bool { true }
    public static var hasDefaultMayRead: Bool { true }
}

/// A binding whose records let a person who has a part in one send some commands to it as their own,
/// whatever rights they hold in its module (``WorkflowInstance``: its submitter's `cancel` and `resubmit`).
/// The core's permission steps consult it (``CRMEngine/isPartysOwn(_:_:state:principal:)``); the domain still
/// judges the command, and the principal is recorded as its actor. The person reads the record too, as the one
/// they send those commands to (the read gate's ``CRMEngine/isPartysOwn(_:state:principal:)``).
protocol PartyCommands: EngineRecord {
    /// Whether `command` (as the caller sent it, or as prepared) is the person `principal`'s own to send to the
    /// record in `state`. Never asked for the system.
    static func isPartysOwn(_ command: Command, state: State, principal: Principal) -> Bool
    /// Whether the record in `state` is the person `principal`'s own to read, whatever rights they hold in its
    /// module (a workflow instance's submitter reads the request they may cancel or resubmit): the engine's
    /// read of a record (``CRMEngine/state(_:id:as:)``) then asks no `query` in its module — its binding's
    /// `mayRead` is still asked. Never asked for the system.
    static func isPartysOwn(_ state: State, principal: Principal) -> Bool
}

// MARK: - Bindings of the domain's aggregates

extension Customer: EngineRecord {
    public static var module: Permission.Module { .customers }
    public static func visible(_ state: State, to principal: Principal, current: State?, at now: Date) -> State {
        state.visible(to: principal, alsoHiddenIn: current.map { [$0.group] } ?? [], alsoOn: current.map { [$0.recordScope] } ?? [])
    }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .create: return .create
        case .archive, .markMerged: return .delete
        default: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .create(_, let new, _)? = command, !state.exists {
            return .direct(RecordScope(branch: new.branch, community: new.community, group: new.group, owners: new.owner.map { [$0] } ?? []))
        }
        return .direct(state.recordScope)
    }
    /// A customer is validated against its group's form as recorded in the log, never a form the caller sends.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .create(let id, let new, _):
            let scope = RecordScope(branch: new.branch, community: new.community, group: new.group, owners: new.owner.map { [$0] } ?? [])
            try refuseHiddenFields(Array(new.customFields.keys), of: [new.group], seen: principal.fieldVisibility(on: scope))
            // A mistyped group would get no form and skip its validation: it must be a known group.
            try await engine.requireKnownCustomerGroup(new.group)
            let prepared = Command.create(customerID: id, new, form: try await engine.form(group: new.group))
            try await requireOwnerMayWorkOn(prepared, on: scope, state: state, principal: principal, engine: engine)
            return prepared
        case .edit(let edit, _):
            // Moving a customer to another branch, community, group or owner needs the right to edit it
            // there too: one may not hand a record to a place beyond one's reach.
            func patched(_ patch: ProfilePatch<String>, _ current: String?) -> String? {
                switch patch {
                case .keep: return current
                case .set(let value): return value
                case .clear: return nil
                }
            }
            let moved = RecordScope(branch: patched(edit.branch, state.branch), community: patched(edit.community, state.community),
                                    group: edit.group ?? state.group, owners: patched(edit.owner, state.owner).map { [$0] } ?? [])
            let current = state.recordScope
            // A refused move names the first of its scope's parts that changes.
            let movedPart = moved.branch != current.branch ? "branch" : moved.community != current.community ? "community"
                : moved.group != current.group ? "group" : "owner"
            // Hidden fields are judged where the customer is and where it goes (a field hidden in either).
            let seenHere = principal.fieldVisibility(on: current)
            let seenThere = moved == current ? seenHere : principal.fieldVisibility(on: moved)
            try refuseHiddenFields(Array(edit.setCustomFields.keys) + edit.clearCustomFields, of: [state.group, edit.group ?? state.group],
                                   seen: seenHere.combined(with: seenThere))
            if moved != current, !principal.isSystem {
                // Judged without the new owner: naming someone owner does not make the record one's own.
                var destination = moved
                destination.owners = current.owners
                guard principal.may(.edit, in: .customers, on: destination, at: engine.clock.now()) else {
                    throw EngineError(.forbidden, field: movedPart, "moving the customer there needs edit rights there")
                }
            }
            // A change of group must name a known one; a customer may keep a group no longer (or never) known.
            if let group = edit.group { try await engine.requireKnownCustomerGroup(group, current: state.group) }
            let form = try await engine.form(group: edit.group ?? state.group)
            // A change of group drops the values the new form has no field for and judges the rest against it:
            // a field hidden from the principal here that the new form has too would be judged (telling of its
            // value) or shown there, so such a move is refused whatever the value (and the same for every customer).
            if let group = edit.group?.trimmingCharacters(in: .whitespacesAndNewlines), group != state.group, !principal.isSystem,
               form.fields.contains(where: { !seenHere.canSee(formGroup: state.group, field: $0.name) }) {
                throw EngineError(.forbidden, field: "group", "the new group's form has a field hidden from you in the customer's group")
            }
            // Hidden fields are decided per customer scope: a move (of branch, community, group or owner — to
            // oneself too) to where a field of the form hidden here is shown would show its value, so it is
            // refused whatever the value (and the same for every customer).
            let target = edit.group ?? state.group
            if moved != current, !principal.isSystem,
               form.fields.contains(where: { !seenHere.canSee(formGroup: state.group, field: $0.name) && seenThere.canSee(formGroup: target, field: $0.name) }) {
                throw EngineError(.forbidden, field: movedPart, "moving the customer there would show a field hidden from you here")
            }
            let prepared = Command.edit(edit, form: form)
            // A move keeping the owner is judged for that owner there, as a new owner would be.
            let keptOwner = moved != current && !(moved.owners.isEmpty) && state.owner != nil
                ? state.owner.map { NamedEmployee(field: movedPart, id: $0) } : nil
            try await requireOwnerMayWorkOn(prepared, on: moved, state: state, principal: principal, engine: engine, keeping: keptOwner)
            return prepared
        case .markMerged(let survivorID) where !principal.replaysDecisions:
            // The survivor must be a live customer the principal may see: a typo would make the duplicate
            // final (and free its keys) with nowhere to go — an operator's too (a person's command: the
            // command line without a token), checked before anything is written.
            let survivor = try await engine.load(Customer.self, stream: Customer.stream(survivorID)).state
            let scope = RecordScope(branch: survivor.branch, community: survivor.community, group: survivor.group, owners: survivor.owner.map { [$0] } ?? [])
            guard survivor.exists, survivor.status != .merged, !survivor.isArchived,
                  principal.may(.query, in: .customers, on: scope, at: engine.clock.now()) else {
                throw EngineError(.invalid, field: "survivorId", "no live customer you may see has this id")
            }
            return command
        case .absorbDuplicate(let duplicateID, let contactIDs, let openWorkIDs) where !principal.isSystem:
            // Only a duplicate already marked merged into this customer, and only its own contacts and open work —
            // judged once the principal may absorb into it (else authorization answers, telling nothing of the id).
            guard try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return command }
            let duplicate = try await engine.load(Customer.self, stream: Customer.stream(duplicateID)).state
            guard duplicate.exists, duplicate.mergedInto == state.id, state.id != nil else {
                throw EngineError(.invalid, field: "duplicateId", "no customer has been merged into this one with this id")
            }
            try await requireDuplicatesRecords(duplicateID: duplicateID, contactIDs: contactIDs, openWorkIDs: openWorkIDs, command: command,
                                               state: state, principal: principal, engine: engine)
            return command
        default:
            return command
        }
    }

    /// A field hidden from the principal (in the customer's form now or the one it moves to) can be neither
    /// set nor cleared by them: refused before anything is compared, so the answer tells nothing of its value.
    private static func refuseHiddenFields(_ fields: [String], of groups: [String], seen: FieldVisibility) throws {
        guard seen.hidesAny else { return }
        for field in fields.sorted() where groups.contains(where: { !seen.canSee(formGroup: $0, field: field) }) {
            throw EngineError(.forbidden, field: "customFields.\(field)", "the field is hidden from you")
        }
    }

    public static func claims(_ command: Command, state: State) -> KeyClaims {
        let (claimed, released) = Customer.claims(command, state: state) as (claimed: [ExternalKey], released: [ExternalKey])
        return KeyClaims(claimed: claimed.map(\.uniqueKey), released: released.map(\.uniqueKey))
    }
}

extension ExternalKey {
    /// The reservation of this key: one customer per key and system.
    var uniqueKey: UniqueKey { UniqueKey(namespace: "external-key:\(system)", key: key) }
}

extension CustomerForm: EngineRecord {
    public static var module: Permission.Module { .settings }
    public static func action(for command: Command) -> Permission.Action {
        if case .define = command { return .create }
        return .edit
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
}

extension WorkTask: EngineRecord {
    public static var module: Permission.Module { .tasks }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .dispatch, .dispatchByRules, .importExternal: return .create
        case .cancel: return .delete
        default: return .edit
        }
    }
    /// A task of a customer sits where its customer does (R-TSK-1): the customer's branch, community and
    /// group, with its assignee (or owner) as its own — its `branch` field plays no part in the scope (it only
    /// names the calendar of "today" and "overdue"), so tagging another branch neither narrows nor widens who
    /// reaches it. A task of no customer (R-TSK-7: one's own work) sits in its `branch` (none: only its
    /// assignee and permissions over all data reach it), with its assignee as its own.
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        func of(_ details: Details, owners: [String]) -> ScopeSource {
            guard details.customerID == nil else { return .customer(details.customerID, owners: owners) }
            // As the domain records it: trimmed, a blank branch none.
            let branch = details.branch?.trimmingCharacters(in: .whitespacesAndNewlines)
            return .direct(RecordScope(branch: branch?.isEmpty == false ? branch : nil, owners: owners))
        }
        switch command {
        case .dispatch(_, let details, let assignee)? where state.details == nil:
            return of(details, owners: [assignee])
        case .dispatchByRules(_, let details, _, _)? where state.details == nil:
            return of(details, owners: [])
        case .importExternal(_, let details, _, let owner)? where state.details == nil:
            return of(details, owners: [owner])
        default:
            guard let details = state.details else { return .customer(nil, owners: [state.assignee]) }
            return of(details, owners: [state.assignee])
        }
    }
}

extension Ticket: EngineRecord {
    public static var module: Permission.Module { .tickets }
    public static func action(for command: Command) -> Permission.Action {
        if case .open = command { return .create }
        return .edit
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .open(_, _, _, _, let customerID, _, _, _, _)? = command, state.customerID == nil {
            return .customer(customerID, owners: [])
        }
        return .customer(state.customerID, owners: state.assignee.map { [$0] } ?? [])
    }
    /// A new ticket's SLA is the one the settings hold for its kind and severity, never the caller's. A person
    /// assigns a ticket only to an employee who may work on it: `edit` in tickets over its customer's scope,
    /// not counting the ownership the assignment gives (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``;
    /// else `invalid`, field `assignee`) — judged for whoever may assign it, once the domain would accept it.
    /// A ticket reopened goes back to its queue when its last assignee may no longer work on it
    /// (``preparedReopen(_:state:principal:engine:)``). An operator starts work only on an assigned ticket
    /// (`invalid`, field `assignee`): taking one from the queue makes the starter its assignee.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .assign = command {
            try await requireNamedMayWorkOn(command, customer: state.customerID, state: state, principal: principal, engine: engine)
            return command
        }
        if case .reopen = command { return try await preparedReopen(command, state: state, principal: principal, engine: engine) }
        // Work started on a ticket in the queue is the starter's: an operator (`crm` without a token) is no
        // employee, so it would leave the ticket in progress with nobody's name (recorded as `system`).
        if case .startWork = command, state.assignee == nil, principal.isSystem, !principal.replaysDecisions,
           let events = try? decide(command, state: state, context: CommandContext(now: engine.clock.now(), actor: principal.id)), !events.isEmpty {
            throw EngineError(.invalid, field: "assignee", "the ticket has no assignee: assign it to an employee before starting work")
        }
        if case let .changeSeverity(to, _, reason) = command, state.id != nil {
            let kind = state.kind
            let settings = try await engine.settings()
            return .changeSeverity(to: to, sla: settings.sla(kind: kind, severity: to), reason: reason)
        }
        guard case let .open(id, channel, kind, severity, customerID, subject, description, department, _) = command else { return command }
        let settings = try await engine.settings()
        return .open(id: id, channel: channel, kind: kind, severity: severity, customerID: customerID, subject: subject,
                     description: description, department: department, sla: settings.sla(kind: kind, severity: severity))
    }
}

extension Contact: EngineRecord {
    public static var module: Permission.Module { .contacts }
    public static func action(for command: Command) -> Permission.Action {
        if case .create = command { return .create }
        return .edit
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .create(_, let new)? = command, state.customerID == nil { return .customer(new.customerID, owners: []) }
        return .customer(state.customerID, owners: [])
    }
}

extension Visit: EngineRecord {
    public static var module: Permission.Module { .visits }
    public static func action(for command: Command) -> Permission.Action {
        if case .plan = command { return .create }
        return .edit
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .plan(_, let customerID, let visitor, _, _, _, _)? = command, state.customerID == nil {
            return .customer(customerID, owners: [visitor])
        }
        return .customer(state.customerID, owners: state.visitor.isEmpty ? [] : [state.visitor])
    }
}

extension ContactLogEntry: EngineRecord {
    public static var module: Permission.Module { .contacts }
    public static func action(for command: Command) -> Permission.Action {
        if case .log = command { return .create }
        return .edit
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .log(_, let customerID, _)? = command, state.customerID == nil { return .customer(customerID, owners: []) }
        return .customer(state.customerID, owners: [])
    }
}

extension Opportunity: EngineRecord {
    public static var module: Permission.Module { .opportunities }
    public static func action(for command: Command) -> Permission.Action {
        if case .open = command { return .create }
        return .edit
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .open(_, let details, _, _, let owner, _, _, _)? = command, state.details == nil {
            return .customer(details.customerID, owners: [owner])
        }
        return .customer(state.details?.customerID, owners: state.owner.isEmpty ? [] : [state.owner])
    }
}

extension Organisation: EngineRecord {
    public static var module: Permission.Module { .organisation }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .bootstrap, .createUnit, .hire, .defineRole: return .create
        case .dissolveUnit, .deactivate, .revokeRoleGrant: return .delete
        default: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
    public static func streamID(_ id: UUID) -> StreamID { Organisation.streamID }
    /// Nobody may leave the organisation without an active employee who can administer it (edit the
    /// organisation over all data, with no end date): emptying the administrator role, revoking the last such grant or
    /// deactivating the last such employee would lock everyone out of roles, grants and tokens for good.
    public static func checkOutcome(_ events: [Event], on state: State, principal: Principal, now: Date) throws(EngineError) {
        guard !principal.isSystem, !events.isEmpty, canBeAdministered(state, at: now) else { return }
        guard canBeAdministered(events.reduce(state, evolve), at: now) else {
            throw EngineError(.forbidden, "the change would leave no active employee able to administer the organisation")
        }
    }

    /// Whether an active employee can administer the organisation now and with no end in sight: a grant or a
    /// permission that runs out on a date does not count, or the lock-out would only be postponed.
    static func canBeAdministered(_ state: State, at now: Date) -> Bool {
        Set(state.roleGrants.values.map(\.employeeID)).contains { employee in
            [now, .distantFuture].allSatisfy { instant in
                state.effectivePermissions(of: employee, at: instant).allows(module: .organisation, action: .edit, scope: .all, at: instant)
            }
        }
    }
    /// Whoever defines, changes or grants a role is the grantor: what they hold bounds what they give — the
    /// discount limit a role's name carries in the settings too (``GrantRule/discountExcess(roleNamed:limits:grantorRoles:grantor:field:)``).
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .defineRole(let id, let definition, _):
            try await requireDiscountAuthority(roleNamed: definition.name, field: "name", principal: principal, engine: engine)
            return .defineRole(roleID: id, definition, grantor: principal.permissions)
        case .changeRole(let id, let definition, _):
            if let role = state.roles[id], role.name != definition.name.trimmingCharacters(in: .whitespacesAndNewlines) {
                try await requireDiscountAuthority(roleNamed: definition.name, field: "name", principal: principal, engine: engine)
            }
            return .changeRole(roleID: id, definition, grantor: principal.permissions)
        case .grantRole(let id, let employee, let role, let validity, _):
            if let name = state.roles[role]?.name {
                try await requireDiscountAuthority(roleNamed: name, field: "roleID", principal: principal, engine: engine)
            }
            return .grantRole(grantID: id, employeeID: employee, roleID: role, validity: validity, grantor: principal.permissions)
        default: return command
        }
    }

    private static func requireDiscountAuthority(roleNamed name: String, field: String, principal: Principal, engine: CRMEngine) async throws {
        let limits = try await engine.settings().effectiveDiscountLimits
        guard let percent = limits.limit(for: name.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        try await engine.requireDiscountAuthority(percent, limits: limits, field: field, principal: principal)
    }
}

extension CRMEngine {
    /// Refuses a person giving discount authority of `percent` (a role carrying that limit, or the limit itself)
    /// beyond the largest limit their own roles carry in `limits`, unless they hold every permission over all
    /// data (``GrantRule/discountExcess(percent:limits:grantorRoles:grantor:field:)``): `forbidden`, naming
    /// `field`, nothing written. The system is not judged.
    func requireDiscountAuthority(_ percent: Decimal, limits: [DiscountLimit], field: String, principal: Principal) async throws {
        guard !principal.isSystem else { return }
        let held = try await roleNames(of: principal, at: clock.now())
        if let refused = GrantRule.discountExcess(percent: percent, limits: limits, grantorRoles: held, grantor: principal.permissions, field: field) {
            throw EngineError(.forbidden, field: field, refused.detail, domain: refused)
        }
    }
}

extension Settings: EngineRecord {
    public static var module: Permission.Module { .settings }
    public static func action(for command: Command) -> Permission.Action { .edit }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
    public static func streamID(_ id: UUID) -> StreamID { Settings.streamID }

    /// A person's discount limit (judged only for whoever may set it: the answer tells of roles) names a role
    /// of the organisation (or one with a limit already, or a default one): limits apply by role name, so one
    /// for a misspelt name would silently never apply — refused `invalid`, field `role`. And discount
    /// authority is something held, as for a role that carries one (``CRMEngine/requireDiscountAuthority(_:limits:field:principal:)``):
    /// a limit above the largest of the person's own roles' limits needs every permission over all data (the
    /// administrator) — refused `forbidden`, field `maxPercent`.
    /// Nothing is written either way.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard case .setDiscountLimit(let limit) = command, !principal.replaysDecisions,
              try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return command }
        let name = limit.role.trimmingCharacters(in: .whitespacesAndNewlines)
        let limits = state.effectiveDiscountLimits
        if !limits.contains(where: { $0.role == name }) {
            let organisation = try await engine.organisation.current(store: engine.store, registry: engine.registry)
            guard organisation.roles.values.contains(where: { $0.name == name }) else {
                throw EngineError(.invalid, field: "role", "no role of the organisation has this name")
            }
        }
        try await engine.requireDiscountAuthority(limit.maxPercent, limits: limits, field: "maxPercent", principal: principal)
        return command
    }
}

extension Customer.State {
    /// The customer's data scope: its branch, community, group and account manager.
    public var recordScope: RecordScope {
        RecordScope(branch: branch, community: community, group: group, owners: owner.map { [$0] } ?? [])
    }

    /// The customer as `principal` may see it: the custom fields hidden from it on this customer (its scope,
    /// ``Principal/fieldVisibility(on:)``) in the form of the customer's group — and of each of `groups` (the
    /// group it is in now, for a state of the past), and on each of `scopes` (where it is now) — left out.
    /// The system sees every field.
    public func visible(to principal: Principal, alsoHiddenIn groups: [String] = [], alsoOn scopes: [RecordScope] = []) -> Customer.State {
        let seen = scopes.reduce(principal.fieldVisibility(on: recordScope)) { $0.combined(with: principal.fieldVisibility(on: $1)) }
        guard seen.hidesAny else { return self }
        let forms = [group] + groups
        var visible = self
        visible.customFields = customFields.filter { field, _ in forms.allSatisfy { seen.canSee(formGroup: $0, field: field) } }
        return visible
    }

    /// Whether a custom field of the form of any of `groups` may be hidden from `principal` on some customer
    /// (``EffectivePermissions/hiddenSomewhere``: wherever this one has been).
    static func hidesFields(inAnyOf groups: Set<String>, from principal: Principal) -> Bool {
        !principal.isSystem && principal.permissions.hiddenSomewhere.contains { groups.contains($0.formGroup) }
    }
}
