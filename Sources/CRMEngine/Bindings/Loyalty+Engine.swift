import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Loyalty accounts: module `customers` (points are customer data; there is no loyalty module — as
/// ``Permission/Module/init(_:)`` files `loyalty` records); a record of its customer, stream
/// `loyalty-<customerID>`. Every command changes the customer's points → edit. Points for spend, tenure
/// and activities come from the engine's reactions (the system principal); a person accrues only by hand
/// (source `manual`), so no caller can pass off its own points as earned by a rule; a person's accrual,
/// redemption or expiry is never dated after today in the customer's branch calendar (the scheduler expires
/// lots on its own day). A person accrues only for a customer that exists and was not merged (`invalid`,
/// `customerID`), and redeems or expires points by hand only on the account of a customer not merged (the
/// same answer); a redemption or expiry on an account never opened writes nothing (the domain), so no
/// account opens for an unknown customer.
extension LoyaltyAccount: EngineRecord {
    public static var module: Permission.Module { .customers }
    public static func action(for command: Command) -> Permission.Action { .edit }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if state.customerID == nil, case .accrue(let customerID, _, _, _, _, _, _)? = command { return .customer(customerID, owners: []) }
        return .customer(state.customerID, owners: [])
    }
    /// The account's id is its customer's: the customer is the record id, whatever the command names.
    public static func scope(of command: Command?, state: State, id: UUID) -> ScopeSource { .customer(id, owners: []) }
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .accrue(let customerID, _, _, _, _, _, _) = command, customerID != id {
            throw EngineError(.invalid, field: "customerID", "points go to the account of the customer they name")
        }
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .expire(let asOf):
            try await requireCustomerNotMerged(command, state: state, principal: principal, engine: engine)
            // Points lapse on the clock's day, not on one the caller makes up (the scheduler passes its own).
            try await requireNotAfterToday(asOf, field: "asOf", customer: state.customerID, principal: principal, engine: engine)
            return command
        case .redeem(_, _, _, let day):
            try await requireCustomerNotMerged(command, state: state, principal: principal, engine: engine)
            try await requireNotAfterToday(day, field: "on", customer: state.customerID, principal: principal, engine: engine)
            return command
        case .clawBack:
            // Taking back a lot is the engine's reaction to what undid its source (a revenue entry reversed).
            guard principal.isSystem else {
                throw EngineError(.forbidden, field: "sourceReference", "points are taken back by the engine's reactions only")
            }
            return command
        case .accrue:
            break
        }
        guard case .accrue(let customerID, _, let source, _, _, let earnedOn, _) = command else { return command }
        if source != .manual, !principal.isSystem {
            throw EngineError(.forbidden, field: "source", "points by rule are accrued by the engine's reactions only")
        }
        // A person's points go to a customer that exists and is not merged (its points would be lost with it), as
        // ``CRMEngine/requireLinkableCustomer(_:as:at:query:)`` judges it with `query` false: changing the account is
        // `edit` in `customers` over the customer's scope, which authorization judges already. Every accrual is
        // judged, not only the one opening the account. Judged only for whoever may change the account (else
        // authorization answers, telling nothing of the customer); the system's accruals replay the log.
        if !principal.replaysDecisions,
           try await mayDo(command, state: state, id: customerID, principal: principal, engine: engine, at: engine.clock.now()) {
            try await engine.requireLinkableCustomer(customerID, as: principal, at: engine.clock.now(), query: false)
        }
        // Points by hand are given for what already happened: not on a day after today in the customer's
        // branch calendar. (A rule's lot may be earned later — revenue dated ahead: it is usable from that day.)
        if source == .manual {
            try await requireNotAfterToday(earnedOn, field: "earnedOn", customer: customerID, principal: principal, engine: engine)
        }
        return command
    }

    /// A person's redemption or expiry on the account of a merged customer is refused (`invalid`, `customerID`,
    /// nothing written), as a person's accrual is: merged is final, and the merge itself leaves the account as it
    /// is. Judged only for whoever may change the account (anyone else gets authorization's answer, telling
    /// nothing of the customer); the system's commands (the scheduler's expiry, a reaction's clawback) replay
    /// the log and are not judged.
    private static func requireCustomerNotMerged(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws {
        guard !principal.replaysDecisions, let customerID = state.customerID,
              try await mayDo(command, state: state, id: customerID, principal: principal, engine: engine, at: engine.clock.now()) else { return }
        guard try await engine.load(Customer.self, stream: Customer.stream(customerID)).state.status != .merged else {
            throw EngineError(.invalid, field: "customerID", "the customer was merged into another; use the surviving customer")
        }
    }

    /// A person's day (a manual accrual's, a redemption's, an expiry's) must not be after today in the
    /// customer's branch calendar (`invalid`, `field`): points are given, spent and lapse for what already
    /// happened. Judged only for whoever may change the account — anyone else gets authorization's answer,
    /// not this one; the system passes its own days.
    private static func requireNotAfterToday(_ day: LocalDate, field: String, customer: UUID?, principal: Principal, engine: CRMEngine) async throws {
        guard !principal.isSystem, let customer else { return }
        let scope = try await engine.resolve(.customer(customer, owners: []), includingNamedOwners: false)
        let now = engine.clock.now()
        guard principal.may(.edit, in: module, on: scope, at: now) else { return }
        let today = try await engine.calendar(forBranch: scope.branch).localDate(of: now)
        if day > today { throw EngineError(.invalid, field: field, "must not be after today (\(today) in the customer's branch calendar)") }
    }
}

extension CRMEngine {
    /// Today in the calendar of `customer`'s branch (UTC when it has none or does not exist): the day a
    /// loyalty accrual or redemption takes when the caller names none. Tells no more than a day.
    public func today(ofCustomer customer: UUID) async throws -> LocalDate {
        try requireOpen()
        let branch = try await resolve(.customer(customer, owners: []), includingNamedOwners: false).branch
        return try await calendar(forBranch: branch).localDate(of: clock.now())
    }
}
