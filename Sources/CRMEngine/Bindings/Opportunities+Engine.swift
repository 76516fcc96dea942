import CRMDomain
import Foundation

// Contacts an opportunity names (R-CUS-3): a contact belongs to one customer, which the opportunity's own
// stream cannot tell, so the engine reads each named contact from the log before deciding.

extension CRMEngine {
    /// Refuses contacts that are not live contacts of customer `customerID`: an unknown id, a contact of
    /// another customer (or moved to one) or an archived contact is `invalid`, naming `field`, with nothing
    /// written. Each contact's stream is read from the log (not a view), so a contact created a moment ago
    /// counts.
    ///
    /// ```swift
    /// try await engine.requireContacts([contactID], ofCustomer: customerID)
    /// ```
    public func requireContacts(_ ids: [UUID], ofCustomer customerID: UUID, field: String = "contacts") async throws {
        try requireOpen()
        for id in ids {
            let contact = try await load(Contact.self, stream: Contact.stream(id)).state
            guard contact.exists, contact.customerID == customerID else {
                throw EngineError(.invalid, field: field, "no contact of the record's customer has this id")
            }
            guard !contact.isArchived else { throw EngineError(.invalid, field: field, "the contact is archived") }
        }
    }
}

extension Opportunity {
    /// Checks the contacts an `open` or `addContacts` brings in (ones already named are not judged again:
    /// a contact archived since stays named until removed). The system's commands are checked too: a
    /// contact of another customer is never right.
    /// A person's `addContacts` is judged only once they may do it (else authorization refuses it next): its
    /// answer must not tell someone who may only read the opportunity whose contact an id is. (An `open` is
    /// judged after the engine's early check of creating there.)
    static func requireContacts(of command: Command, state: State, principal: Principal, engine: CRMEngine) async throws {
        switch command {
        case .open(_, let details, _, _, _, _, let contacts, _) where state.details == nil && !contacts.isEmpty:
            try await engine.requireContacts(contacts, ofCustomer: details.customerID)
        case .addContacts(let contacts):
            guard let customerID = state.details?.customerID, state.status == .open else { return }  // the domain refuses it
            guard try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return }
            try await engine.requireContacts(contacts.filter { !state.contacts.contains($0) }, ofCustomer: customerID)
        default:
            return
        }
    }
}
