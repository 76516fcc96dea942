import CRMDomain
import CRMProjections
import Foundation

// The customer a new ticket, task, opportunity, visit, contact log entry, quote, new connection, contact or
// maintenance pairing is about (and the customer a person's loyalty accrual names): the record's own stream
// cannot tell whether that customer exists, so the engine reads it from the log before deciding. None of these
// records changes its customer after it is created, so only the commands that create one name a customer (a
// contact moves to a merge's survivor by the system's command alone).

extension CRMEngine {
    /// Refuses linking a new record to customer `id` unless it is a customer `principal` may query now
    /// (as ``mayQueryCustomer(_:as:at:)`` judges it: it exists and `query` in `customers` reaches its scope, read
    /// from its stream — once, for the merge too) and it has not
    /// been merged into another (merged is final: new work belongs with the surviving customer). Else `invalid`,
    /// field `customerID`, nothing written — the same answer for a customer that does not exist as for one the
    /// principal may not see. An archived customer is accepted: archiving blocks changes of the customer
    /// itself until it is restored, not the record of a call, ticket or visit about it. With `query` false
    /// (a quote) the customer must exist and not be merged, whoever may see it.
    ///
    /// ```swift
    /// try await engine.requireLinkableCustomer(customerID, as: principal, at: engine.clock.now())
    /// ```
    func requireLinkableCustomer(_ id: UUID, as principal: Principal, at now: Date, query: Bool = true) async throws {
        let found = query ? try await customerIfQueryable(id, as: principal, at: now)
                          : try await load(Customer.self, stream: Customer.stream(id)).state
        guard let customer = found, customer.exists else {
            throw EngineError(.invalid, field: "customerID", "no customer you may see has this id")
        }
        guard customer.status != .merged else {
            throw EngineError(.invalid, field: "customerID", "the customer was merged into another; use the surviving customer")
        }
    }
}

extension EngineRecord {
    /// Judges the customer a person's create names (``CRMEngine/requireLinkableCustomer(_:as:at:query:)``). Reached
    /// only once the principal may create the record there: `execute` and `dryRun` judge that before `prepare`
    /// (``CRMEngine/judgedBeforePreparing(_:_:id:state:version:principal:now:)``: whoever may not gets the
    /// authorization answer, which tells nothing of the customer), so it is not judged again here. A record that
    /// already exists is left to the domain ("already exists"), and the system's commands (reactions, scheduled
    /// work) replay decisions taken from the log and are not judged; the operator's (the command line without a
    /// token) are, like anyone's (``Principal/replaysDecisions``).
    static func requireLinkableCustomer(_ customerID: UUID?, exists: Bool, principal: Principal, engine: CRMEngine,
                                        query: Bool = true) async throws {
        guard let customerID, !exists, !principal.replaysDecisions else { return }
        try await engine.requireLinkableCustomer(customerID, as: principal, at: engine.clock.now(), query: query)
    }
}

extension WorkTask {
    /// A task dispatched or imported for a customer needs one the principal may query that is not merged; a
    /// task may name no customer at all. Then the rules and owner are filled in
    /// (``prepare(_:state:principal:engine:)``).
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .dispatch(_, let details, _), .dispatchByRules(_, let details, _, _), .importExternal(_, let details, _, _):
            try await requireLinkableCustomer(details.customerID, exists: state.details != nil,
                                              principal: principal, engine: engine)
        default:
            break
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension Ticket {
    /// A ticket opened for a customer needs one the principal may query that is not merged; then its SLA is
    /// filled in (``prepare(_:state:principal:engine:)``).
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .open(_, _, _, _, let customerID, _, _, _, _) = command {
            try await requireLinkableCustomer(customerID, exists: state.exists, principal: principal, engine: engine)
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension Opportunity {
    /// An opportunity opened for a customer needs one the principal may query that is not merged — judged
    /// before its contacts, which must be that customer's, and before routing.
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .open(_, let details, _, _, _, _, _, _) = command {
            try await requireLinkableCustomer(details.customerID, exists: state.details != nil,
                                              principal: principal, engine: engine)
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension Visit {
    /// A visit planned for a customer needs one the principal may query that is not merged — judged before
    /// the contacts it names, which must be that customer's.
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .plan(_, let customerID, _, _, _, _, _) = command {
            try await requireLinkableCustomer(customerID, exists: state.exists, principal: principal, engine: engine)
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension ContactLogEntry {
    /// A contact log entry needs a customer the principal may query that is not merged — judged before the
    /// contact person it names, which must be a live contact of that customer
    /// (``CRMEngine/requireContacts(_:ofCustomer:field:)``: an unknown contact, another customer's or an archived
    /// one is `invalid`, field `contactID`, nothing written), as a visit's contacts. An `amend` naming another
    /// contact is judged only once the principal may amend the entry (else authorization refuses it next, and its
    /// answer tells someone who may only read the entry nothing of whose contact an id is); the contact the entry
    /// already names is not judged again (one archived since was still spoken to), nor an amendment the domain
    /// refuses (no such entry, a retracted one).
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .log(_, let customerID, let details) where !state.exists:
            try await requireLinkableCustomer(customerID, exists: state.exists, principal: principal, engine: engine)
            if let contactID = details.contactID {
                try await engine.requireContacts([contactID], ofCustomer: customerID, field: "contactID")
            }
        case .amend(let details):
            guard let contactID = details.contactID, contactID != state.details?.contactID,
                  let customerID = state.customerID, state.exists, !state.retracted,
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { break }
            try await engine.requireContacts([contactID], ofCustomer: customerID, field: "contactID")
        default:
            break
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension Quote {
    /// A quote created for a customer needs one that exists and is not merged (a quote number was reserved
    /// for a customer never created) — not `query` in customers: creating a quote over the customer's scope is
    /// the quotes module's own right (its authorization, judged first, already reaches the customer's scope);
    /// then its number and prices are filled in (``prepare(_:state:principal:engine:)``).
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .create(_, let customerID, _, _, _, _, _, _) = command {
            try await requireLinkableCustomer(customerID, exists: state.exists, principal: principal,
                                              engine: engine, query: false)
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension NewConnection {
    /// A new connection opened for a customer needs one the principal may query that is not merged.
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .open(_, let customerID, _, _, _) = command {
            try await requireLinkableCustomer(customerID, exists: state.exists, principal: principal, engine: engine)
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension Contact {
    /// The reservations' namespace of "the primary contact of a customer" (R-CUS-3).
    static let primaryContactNamespace = "primary-contact"

    /// The reservation of customer `customerID`'s primary contact: held by the contact's stream.
    static func primaryContactKey(of customerID: UUID) -> UniqueKey {
        UniqueKey(namespace: primaryContactNamespace, key: customerID.lowercasedString)
    }

    /// What a second primary contact of a customer answers, whether the check before deciding or the
    /// reservation in the append finds it: `invalid`, field `role` (HTTP 400), nothing written.
    static var primaryContactTaken: EngineError {
        EngineError(.invalid, field: "role", "the customer already has a primary contact; make that one a backup first")
    }

    /// At most one live primary contact per customer (R-CUS-3), kept by a reservation
    /// (``primaryContactKey(of:)``) in the same append as the contact's events, so two commands racing to make
    /// a contact of one customer primary cannot both win: creating a contact as `primary`, editing a live one
    /// to `primary` and restoring an archived primary one claim its customer's key; editing the primary one to
    /// another role, archiving it or moving it to another customer (a merge) frees it. A move claims nothing
    /// at the survivor, whose own primary contact may hold its key: the merge is never refused for it.
    public static func claims(_ command: Command, state: State) -> KeyClaims {
        let before = state.primaryOf
        let after: UUID?
        switch command {
        case .create(_, let new):
            guard !state.exists else { return .none }
            after = new.role == .primary ? new.customerID : nil
        case .edit(let edit):
            after = (edit.role ?? state.role) == .primary && !state.isArchived ? state.customerID : nil
        case .archive:
            after = nil
        case .restore:
            after = state.role == .primary ? state.customerID : nil
        case .moveToCustomer:
            after = nil
        case .addRelationship, .removeRelationship:
            return .none
        }
        return primaryClaims(before: before, after: after)
    }

    /// The primary-contact keys a contact primary of `before` (nil: of none) claims and frees becoming primary of
    /// `after` — for a command (``claims(_:state:)``) and for recorded events (``HistoryKeyReservations``) alike.
    static func primaryClaims(before: UUID?, after: UUID?) -> KeyClaims {
        guard before != after else { return .none }
        return KeyClaims(claimed: after.map { [primaryContactKey(of: $0)] } ?? [],
                         released: before.map { [primaryContactKey(of: $0)] } ?? [])
    }

    /// A contact created for a customer needs one the principal may query that is not merged. A contact created
    /// or edited as `primary`, or a primary one restored, needs a customer without another live primary contact
    /// (``CRMEngine/requireNoOtherPrimaryContact(of:except:)``; the key ``claims(_:state:)`` reserves keeps that
    /// against a concurrent command, and for the system's commands too), and a relationship must name a live
    /// contact of the same customer (``CRMEngine/requireContacts(_:ofCustomer:field:)``, field `contactID`). An
    /// edit or a relationship is judged only for whoever may make it (else authorization refuses it next, and its
    /// answer tells nothing of the customer's other contacts); the system's commands (a merge moving contacts) are
    /// not judged here.
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .create(_, let new):
            try await requireLinkableCustomer(new.customerID, exists: state.exists, principal: principal, engine: engine)
            if new.role == .primary, !state.exists, !principal.replaysDecisions {
                try await engine.requireNoOtherPrimaryContact(of: new.customerID, except: id)
            }
        case .edit(let edit):
            // Only a change to primary is judged: a merge may have left two, and editing either's phone stays possible.
            guard edit.role == .primary, state.role != .primary, let customerID = state.customerID, !state.isArchived,
                  !principal.replaysDecisions,
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { break }
            try await engine.requireNoOtherPrimaryContact(of: customerID, except: id)
        case .restore:
            // A primary contact archived while another was made primary comes back only once that one is not.
            guard state.role == .primary, state.isArchived, let customerID = state.customerID, !principal.replaysDecisions,
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { break }
            try await engine.requireNoOtherPrimaryContact(of: customerID, except: id)
        case .addRelationship(let relationship):
            // What the domain refuses itself (no contact, archived, itself, a repeat) is left to it.
            guard let customerID = state.customerID, !state.isArchived, relationship.contactID != id,
                  !state.relationships.contains(relationship),
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { break }
            try await engine.requireContacts([relationship.contactID], ofCustomer: customerID, field: "contactID")
        default:
            break
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}

extension CRMEngine {
    /// Refuses a second primary contact of customer `customerID` (R-CUS-3: at most one live primary contact per
    /// customer): ``Contact/primaryContactTaken`` (`invalid`, field `role`), nothing written.
    ///
    /// The customer's reservation (``Contact/primaryContactKey(of:)``) decides when held: by a contact other
    /// than `contactID`, refused; by it, accepted. A key not held now — never reserved (contacts made primary
    /// before the reservation existed: a store from an earlier version, or a history appended without the
    /// engine nor ``HistoryKeyReservations``), or freed since (a primary contact moved in by a merge holds no
    /// key at its new customer) — falls back to the customer's contacts as the customer 360 view lists them,
    /// waited for up to the log's head, each one it names primary read again from the log (its stream says
    /// whose it is and its role now). The reservation the command claims in its append settles a race either way.
    ///
    /// ```swift
    /// try await engine.requireNoOtherPrimaryContact(of: customerID, except: contactID)
    /// ```
    func requireNoOtherPrimaryContact(of customerID: UUID, except contactID: UUID) async throws {
        let (holder, _) = try await reservationHolder(Self.reservationStream(Contact.primaryContactKey(of: customerID)))
        if let holder {
            if holder != Contact.stream(contactID).rawValue { throw Contact.primaryContactTaken }
            return
        }
        try await views.waitUntil(try await store.headPosition(), projections: [Self.customer360])
        let primaries: [UUID] = try views.read(Self.customer360) { reader in
            try Customer360Projection.customer(customerID, in: reader)?.contacts.filter { $0.isPrimary && $0.id != contactID }.map(\.id) ?? []
        }
        for id in primaries {
            let contact = try await load(Contact.self, stream: Contact.stream(id)).state
            if contact.primaryOf == customerID { throw Contact.primaryContactTaken }
        }
    }
}

extension MaintenancePairing {
    /// A pairing made for a customer not paired now needs one the principal may query that is not merged (a
    /// pairing again after an unpairing too: it is new work for the customer); then the feedback's giver is
    /// filled in (``prepare(_:state:principal:engine:)``).
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .pair(let customerID, _, _) = command {
            try await requireLinkableCustomer(customerID, exists: state.isPaired, principal: principal, engine: engine)
        }
        return try await prepare(command, state: state, principal: principal, engine: engine)
    }
}
