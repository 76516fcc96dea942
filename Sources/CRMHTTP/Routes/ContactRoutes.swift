import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// Contacts of customers, the contact log and the activity (contact log and visits) list.
    func addContactRoutes(to v1: Group) {
        create(v1, "contacts", Contact.self) { id, body in
            .create(contactID: id, NewContact(
                customerID: try body.uuid("customerId"), name: try body.string("name", max: 200),
                role: try body.optionalEnum("role", ContactRole.self) ?? .other, title: try body.optionalString("title", max: 100),
                phone: try body.optionalString("phone", max: 64), email: try body.optionalString("email", max: 254)))
        }
        v1.get("contacts") { request, context in
            let view = try await customerView(request, context)
            return try page(view.contacts, key: { $0.id.uuidString }, request: request, path: "/v1/contacts",
                            query: "customerId=\(view.profile.id.lowercasedString)&")
        }
        record(v1, "contacts/:id", Contact.self)
        command(v1, "contacts/:id", Contact.self, method: .patch) { _, body in
            .edit(ContactEdit(name: try body.unclearableString("name", max: 200), role: try body.unclearableEnum("role", ContactRole.self),
                              title: try body.patch("title") { $0 }, phone: try body.patch("phone") { $0 }, email: try body.patch("email") { $0 }))
        }
        command(v1, "contacts/:id/archive", Contact.self) { _, body in .archive(reason: try body.optionalString("reason", max: 2000)) }
        command(v1, "contacts/:id/restore", Contact.self) { _, _ in .restore }
        command(v1, "contacts/:id/relationships", Contact.self) { _, body in .addRelationship(try relationship(body)) }
        command(v1, "contacts/:id/relationships/remove", Contact.self) { _, body in .removeRelationship(try relationship(body)) }

        create(v1, "contact-log", ContactLogEntry.self) { id, body in
            .log(id: id, customerID: try body.uuid("customerId"), details: try contactDetails(body))
        }
        record(v1, "contact-log/:id", ContactLogEntry.self)
        command(v1, "contact-log/:id/amend", ContactLogEntry.self) { _, body in .amend(try contactDetails(body)) }
        command(v1, "contact-log/:id/retract", ContactLogEntry.self) { _, body in .retract(reason: try body.string("reason", max: 2000)) }
        v1.get("activity") { request, context in try await activity(request, context) }
    }

    /// The customer named by the `customerId` query parameter, as the caller may see it (404 otherwise).
    func customerView(_ request: Request, _ context: CRMRequestContext) async throws -> Customer360 {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        guard let customer = try optionalUUID(query, "customerId") else { throw Problem.invalid("customerId", "required: the customer whose records to list") }
        return try await engine.customer(customer, as: principal, consistentWith: try query.position("consistentWith"))
    }

    /// Contact log entries and visits, newest first (then by id): of a customer, of an employee, or holding
    /// the words `q`, narrowed by kind, channel, contact person (`contactId`) and time, a page at a time; the
    /// cursor is bound to the filters.
    func activity(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 50, max: configuration.maxPageSize)
        var filter = ContactVisitLog.Filter()
        if let kind = query.string("kind") {
            guard let value = RecordKind(rawValue: kind), value == .contactLog || value == .visit else { throw Problem.invalid("kind", "expected contactLog or visit") }
            filter.kind = value
        }
        filter.channel = query.string("channel")
        filter.customerID = try optionalUUID(query, "customerId")
        filter.employee = query.string("employee")
        filter.contactID = try optionalUUID(query, "contactId")
        filter.from = try query.string("from").map { try instant($0, "from") }
        filter.until = try query.string("until").map { try instant($0, "until") }
        let text = query.string("q")
        guard text != nil || filter.customerID != nil || filter.employee != nil else {
            throw Problem.invalid("customerId", "give customerId, employee or q")
        }
        let list = PagedList("/v1/activity", filters: [
            ("customerId", filter.customerID?.lowercasedString), ("employee", filter.employee), ("q", text), ("kind", filter.kind?.rawValue),
            ("channel", filter.channel), ("from", query.string("from")), ("until", query.string("until")),
            ("contactId", filter.contactID?.lowercasedString),
        ], limit: limit)
        let after = try list.after(query)
        try await waitForView("contact-visit-log", query)
        let page = try await engine.activity(as: principal, text: text, filter: filter, after: after, limit: limit)
        return try JSONOutput.response(list.answer(page.items, next: page.next))
    }

    func instant(_ text: String, _ name: String) throws -> Date {
        guard let date = parseInstant(text) else { throw Problem.invalid(name, "expected an RFC 3339 instant") }
        return date
    }

    private func relationship(_ body: JSONObjectReader) throws -> ContactRelationship {
        ContactRelationship(contactID: try body.uuid("contactId"), kind: try body.enumValue("kind", ContactRelationshipKind.self))
    }

    private func contactDetails(_ body: JSONObjectReader) throws -> ContactLogEntry.Details {
        ContactLogEntry.Details(
            contactID: try body.optionalUUID("contactId"), channel: try body.enumValue("channel", ContactChannel.self),
            subject: try body.string("subject", max: 500), occurredAt: try body.date("occurredAt"),
            durationSeconds: try body.optionalInt("durationSeconds", in: 0...86_400 * 7) ?? 0,
            attachments: try body.optionalStrings("attachments", max: 50) ?? [], note: try body.optionalString("note"))
    }
}
