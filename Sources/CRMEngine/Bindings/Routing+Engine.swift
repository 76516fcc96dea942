import CRMDomain
import Foundation

// Routing rules (R-TSK-1, R-SAL-2): a task dispatched, or an opportunity opened or assigned, "by the rules"
// is routed by the settings' rules over the customer's recorded place — never by rules or a place the
// caller brings. The system's own commands (reactions replaying decisions) keep what they carry.

extension CRMEngine {
    /// What the routing rules match on for a record of customer `id`: its recorded branch, community, group
    /// and owner; `branch` (the record's own) where the customer has none, and the product line given.
    func routingInput(customer id: UUID?, branch: String?, productLine: String?) async throws -> RoutingInput {
        guard let id else { return RoutingInput(branch: branch, productLine: productLine) }
        let customer = try await load(Customer.self, stream: Customer.stream(id)).state
        guard customer.exists else { return RoutingInput(branch: branch, productLine: productLine) }
        return RoutingInput(branch: customer.branch ?? branch, community: customer.community, productLine: productLine,
                            customerGroup: customer.group, customerOwner: customer.owner)
    }

    /// The owner of customer `id` as recorded, if any.
    func owner(ofCustomer id: UUID?) async throws -> String? {
        guard let id else { return nil }
        return try await load(Customer.self, stream: Customer.stream(id)).state.owner
    }
}

extension WorkTask {
    /// `dispatchByRules` gets the settings' rules and the customer's place; `importExternal` without an owner
    /// goes to the customer's owning account manager (R-TSK-5). A person dispatches, imports (naming its owner)
    /// or reassigns a customer's task only to an employee who may work on it: `edit` in tasks over its customer's scope, not counting the
    /// ownership the assignment gives (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``; a role over one's
    /// `own` tasks counts; else `invalid`, field `assignee` — `owner` for an import) — judged for whoever may dispatch or reassign it,
    /// once the domain would accept it, an operator's too; the system's dispatches (its reactions' and the scheduler's
    /// decisions, ``Principal/replaysDecisions``) are neither judged nor routed again. A task of no customer (one's own
    /// work) goes to anyone active.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard !principal.replaysDecisions else { return command }
        switch command {
        case .reassign, .dispatch:
            let customer: UUID?
            if case .dispatch(_, let details, _) = command { customer = details.customerID } else { customer = state.details?.customerID }
            try await requireNamedMayWorkOn(command, customer: customer, state: state, principal: principal, engine: engine)
            return command
        case .dispatchByRules(let id, let details, let given, _):
            let input = try await engine.routingInput(customer: details.customerID, branch: details.branch, productLine: given.productLine)
            return .dispatchByRules(taskID: id, details: details, input: input, rules: try await engine.settings().routingRules)
        case .importExternal(let id, let details, let reference, let owner) where owner.trimmingCharacters(in: .whitespaces).isEmpty:
            return .importExternal(taskID: id, details: details, reference: reference, owner: try await engine.owner(ofCustomer: details.customerID) ?? "")
        case .importExternal(_, let details, _, _):
            // An owner the importer names is judged as a dispatch's assignee (field `owner`).
            try await requireNamedMayWorkOn(command, customer: details.customerID, state: state, principal: principal, engine: engine)
            return command
        default:
            return command
        }
    }
}

extension Opportunity {
    /// An opportunity opened without an owner goes to whom the rules name, recorded as the rules' assignment
    /// (the domain refuses it when none does); a person's opening with an owner is the opener's, whatever
    /// `assignment` it carries. `assignByRules` gets the settings' rules and the customer's place.
    /// The contacts it names must be live contacts of its customer (``CRMEngine/requireContacts(_:ofCustomer:field:)``).
    /// A person opens it with an owner, or gives it to one (`assignByManager`), only if that employee may work
    /// on it: `edit` in opportunities over its customer's scope, not counting the ownership the hand-over gives
    /// (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``; a role over one's `own` opportunities
    /// counts; else `invalid`, field `owner`, nothing written) — judged for whoever may send the command, once
    /// the domain would accept it, an operator's too; the owner the rules choose and the system's replayed
    /// decisions are not judged.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        try await requireContacts(of: command, state: state, principal: principal, engine: engine)
        let prepared = try await routed(command, state: state, principal: principal, engine: engine)
        if case .open(_, _, _, _, let owner, _, _, _) = command, state.details == nil, owner.trimmingCharacters(in: .whitespaces).isEmpty {
            return prepared  // the rules' choice (or nobody's: the domain refuses it)
        }
        let customerID: UUID?
        if case .open(_, let details, _, _, _, _, _, _) = prepared, state.details == nil { customerID = details.customerID } else { customerID = state.details?.customerID }
        try await requireNamedMayWorkOn(prepared, customer: customerID, state: state, principal: principal, engine: engine)
        return prepared
    }

    /// The opening routed (or kept as the opener's), `assignByRules` given the settings' rules and the customer's place.
    private static func routed(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard !principal.isSystem else { return command }
        switch command {
        case .open(let id, let details, let pipeline, let stage, let owner, let line, let contacts, _)
            where state.details == nil && owner.trimmingCharacters(in: .whitespaces).isEmpty:
            let input = try await engine.routingInput(customer: details.customerID, branch: nil, productLine: line)
            guard let routed = try await engine.settings().routingRules.route(input) else {
                return .open(opportunityID: id, details: details, pipeline: pipeline, stage: stage, owner: owner, productLine: line, contacts: contacts)
            }
            return .open(opportunityID: id, details: details, pipeline: pipeline, stage: stage, owner: routed, productLine: line, contacts: contacts,
                         assignment: .rules)
        case .open(let id, let details, let pipeline, let stage, let owner, let line, let contacts, let assignment) where assignment != .opener:
            // Only the engine's routing says the rules chose: a person naming the owner is its opener.
            return .open(opportunityID: id, details: details, pipeline: pipeline, stage: stage, owner: owner, productLine: line, contacts: contacts)
        case .assignByRules(let given, _):
            let input = try await engine.routingInput(customer: state.details?.customerID, branch: given.branch,
                                                      productLine: state.productLine ?? given.productLine)
            return .assignByRules(input: input, rules: try await engine.settings().routingRules)
        default:
            return command
        }
    }
}
