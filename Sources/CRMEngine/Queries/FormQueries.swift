import CRMDomain
import EventSourcing
import Foundation

extension CRMEngine {
    /// The form of a customer's group as `principal` sees it (R-CUS-2), for rendering an edit form: its
    /// fields less those hidden from the principal. Needs the right to query the customer (not found
    /// otherwise, like ``state(_:id:as:)``); the settings module is not needed to fill in a form.
    ///
    /// ```swift
    /// let form = try await engine.customerForm(of: customerID, as: manager)
    /// ```
    public func customerForm(of customerID: UUID, as principal: Principal) async throws -> FormDefinition {
        try requireOpen()
        let (customer, _) = try await state(Customer.self, id: customerID, as: principal)
        var form = try await form(group: customer.group)
        let seen = principal.fieldVisibility(on: customer.recordScope)
        form.fields = form.fields.filter { seen.canSee(formGroup: customer.group, field: $0.name) }
        return form
    }
}
