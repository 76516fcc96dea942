import Foundation

// The contact persons an opportunity names (R-CUS-3: contacts are shared between the customer view and
// opportunities). Whether a contact is the customer's, and live, spans aggregates: the engine checks it
// before deciding (`Opportunity.prepare`); here only the list itself is judged.

extension Opportunity {
    /// The most contacts one opportunity names.
    public static let maximumContacts = 50

    /// The contacts of `ids` not yet in `current`, in the order given; refuses a repeated id or a list that
    /// would name more than ``maximumContacts``.
    static func checkedContacts(_ ids: [UUID], adding current: [UUID]) throws(DomainError) -> [UUID] {
        guard Set(ids).count == ids.count else { throw .invalid("contacts", "must not repeat a contact") }
        let new = ids.filter { !current.contains($0) }
        guard current.count + new.count <= maximumContacts else {
            throw .invalid("contacts", "an opportunity names at most \(maximumContacts) contacts")
        }
        return new
    }

    /// `ids` checked for removal: at least one, none repeated, each named by the opportunity now.
    static func removedContacts(_ ids: [UUID], from state: State) throws(DomainError) -> [UUID] {
        guard !ids.isEmpty else { throw .invalid("contacts", "name at least one contact") }
        guard Set(ids).count == ids.count else { throw .invalid("contacts", "must not repeat a contact") }
        guard ids.allSatisfy(state.contacts.contains) else {
            throw DomainError(.notFound, field: "contacts", "the opportunity does not name this contact")
        }
        return ids
    }
}
