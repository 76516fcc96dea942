import CRMDomain
import Foundation

// Contacts a visit names (R-SRV-4, R-CUS-3), planned or met: as an opportunity's, each must be a live contact
// of the visit's customer, which the visit's own stream cannot tell, so the engine reads each from the log.

extension Visit {
    /// Checks the contacts a `plan` or a `recordActual` brings in with ``CRMEngine/requireContacts(_:ofCustomer:field:)``:
    /// an unknown contact, another customer's (or one moved to another) or an archived one is `invalid`, field
    /// `contacts`, nothing written. Contacts the plan already named are not judged again when the actual visit
    /// names them (a contact archived since the plan still met the visitor).
    /// A person's `recordActual` is judged only once they may do it (else authorization refuses it next): its
    /// answer must not tell someone who may only read the visit whose contact an id is. (A `plan` is judged
    /// after the engine's early check of creating there.)
    /// A person plans a visit only for a visitor who may work on it: `edit` in visits over its customer's scope,
    /// not counting the ownership the plan gives, or a role over one's `own` visits — else `invalid`, field
    /// `visitor`, nothing written (``EngineRecord/requireNamedMayWorkOn(_:customer:state:principal:engine:)``).
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .plan(_, let customerID, _, _, let contacts, _, _) where !state.exists:
            if !contacts.isEmpty { try await engine.requireContacts(contacts, ofCustomer: customerID) }
            try await requireNamedMayWorkOn(command, customer: customerID, state: state, principal: principal, engine: engine)
        case .recordActual(let actual):
            let added = actual.contacts.filter { !state.contacts.contains($0) }
            // An unknown or finished visit: the domain refuses it.
            guard let customerID = state.customerID, state.status == .planned, !added.isEmpty else { return command }
            guard try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return command }
            try await engine.requireContacts(added, ofCustomer: customerID)
        default:
            break
        }
        return command
    }
}
