import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct ModificationHistoryTests {
    let acme = UUID.derived("customer", "acme")
    let projection = ModificationHistory()

    @Test func customerEditsShowFieldOldAndNewWithWhoWhenAndWhere() throws {
        var log = TestLog()
        let stream = Customer.stream(acme)
        log.add(created(acme, name: "Acme"), on: stream, actor: "emp-1", ip: "10.0.0.1")
        log.add(CustomerEdited(customerID: acme, changes: [
            FieldChange(field: "name", old: .text("Acme"), new: .text("Acme Energy")),
            FieldChange(field: "custom.meters", old: nil, new: .number(2)),
        ]), on: stream, actor: "emp-2", ip: "10.0.0.2", source: "web")
        log.add(CustomerActivated(customerID: acme), on: stream, actor: "emp-3", ip: nil)
        let trail = try ModificationHistory.history(of: stream, events: log.stream(stream), in: try log.views(projection))
        #expect(trail.map(\.eventType) == ["CustomerCreated", "CustomerEdited", "CustomerActivated"])
        #expect(trail.map(\.version) == [1, 2, 3])
        let edit = trail[1]
        #expect(edit.actor == "emp-2")
        #expect(edit.clientIP == "10.0.0.2")
        #expect(edit.sourceSystem == "web")
        #expect(edit.recordedAt == log.events[1].recordedAt)
        #expect(edit.changes == [FieldChange(field: "name", old: .text("Acme"), new: .text("Acme Energy")),
                                 FieldChange(field: "custom.meters", old: nil, new: .number(2))])
        #expect(edit.summary == nil)
        #expect(trail[2].changes == [FieldChange(field: "status", old: .option("prospect"), new: .option("active"))])
        #expect(trail[2].summary == nil)
        #expect(trail[2].clientIP == nil)
    }

    @Test func transitionsWithPlainOldAndNewFieldsAreShownAsChanges() throws {
        var log = TestLog()
        let task = UUID.derived("task", "1")
        let due = t0.addingTimeInterval(day)
        log.add(TaskDispatched(taskID: task, details: .init(title: "Call", customerID: acme, kind: .followUp, dueAt: due), assignee: "emp-1",
                               route: .manual), on: WorkTask.stream(task))
        log.add(TaskReassigned(taskID: task, previousAssignee: "emp-1", assignee: "emp-2"), on: WorkTask.stream(task))
        log.add(TaskRescheduled(taskID: task, previousDueAt: due, dueAt: due.addingTimeInterval(3600)), on: WorkTask.stream(task))
        let trail = try ModificationHistory.history(of: WorkTask.stream(task), events: log.stream(WorkTask.stream(task)), in: try log.views(projection))
        #expect(trail[1].changes == [FieldChange(field: "assignee", old: .text("emp-1"), new: .text("emp-2"))])
        #expect(trail[2].changes == [FieldChange(field: "dueAt", old: .text("2026-01-02T00:00:00Z"), new: .text("2026-01-02T01:00:00Z"))])
    }

    @Test func aCustomersHistoryCombinesItsLinkedStreamsInLogOrderWithPaging() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let contact = UUID.derived("contact", "1"), ticket = UUID.derived("ticket", "1")
        log.add(ContactCreated(contactID: contact, customerID: acme, name: "Zhang", role: .primary), on: Contact.stream(contact))
        log.add(ProductCreated(productID: UUID.derived("product"), productLine: "gas", name: "Meter", standardPrice: Money(10, .cny)),
                on: "product-1")
        log.add(TicketOpened(ticketID: ticket, channel: .web, kind: .complaint, severity: .low, customerID: acme, subject: "Bill",
                             department: "billing", openedAt: t0, responseDueAt: t0, resolutionDueAt: t0), on: Ticket.stream(ticket))
        log.add(ContactEdited(contactID: contact, changes: [FieldChange(field: "phone", old: nil, new: .text("123"))]), on: Contact.stream(contact))
        let views = try log.views(projection)
        let all = try ModificationHistory.history(ofCustomer: acme, in: views, events: log.event)
        #expect(all.map(\.eventType) == ["CustomerCreated", "ContactCreated", "TicketOpened", "ContactEdited"])
        let page = try ModificationHistory.history(ofCustomer: acme, in: views, limit: 2, events: log.event)
        let next = try ModificationHistory.history(ofCustomer: acme, in: views, after: page.last?.position, limit: 2, events: log.event)
        #expect((page + next).map(\.position) == all.map(\.position))
        let product = try ModificationHistory.history(of: "product-1", events: log.stream("product-1"), in: views)
        #expect(product.first?.scope == .global)
        #expect(product.first?.customerID == nil)
        let paged = try ModificationHistory.history(of: Contact.stream(contact), events: log.stream(Contact.stream(contact), after: 1, limit: 5), in: views)
        #expect(paged.map(\.eventType) == ["ContactEdited"])
    }

    @Test func rowsKeepTheScopeAtTheEventAndQueriesGiveTheCurrentOne() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme", branch: "north"), on: Customer.stream(acme))
        let contact = UUID.derived("contact", "1")
        log.add(ContactCreated(contactID: contact, customerID: acme, name: "Zhang", role: .primary), on: Contact.stream(contact))
        log.add(CustomerEdited(customerID: acme, changes: [FieldChange(field: "branch", old: .text("north"), new: .text("south"))]),
                on: Customer.stream(acme))
        let trail = try ModificationHistory.history(of: Contact.stream(contact), events: log.stream(Contact.stream(contact)), in: try log.views(projection))
        #expect(trail.first?.scopeAtEvent?.branch == "north")
        #expect(trail.first?.scope.branch == "south")
        #expect(trail.first?.customerID == acme)
    }

    @Test func eachEventShowsTheScopeItsCustomerHadThenAndAMovedRecordFollowsItsNewCustomer() throws {
        var log = TestLog()
        let globex = UUID.derived("customer", "globex")
        log.add(created(acme, name: "Acme", branch: "north"), on: Customer.stream(acme))
        log.add(created(globex, name: "Globex", branch: "east"), on: Customer.stream(globex))
        let contact = UUID.derived("contact", "1")
        let stream = Contact.stream(contact)
        let rename = { (n: Int) in ContactEdited(contactID: contact, changes: [FieldChange(field: "name", old: .text("Z\(n)"), new: .text("Z\(n + 1)"))]) }
        log.add(ContactCreated(contactID: contact, customerID: acme, name: "Z0", role: .primary), on: stream)
        log.add(CustomerEdited(customerID: acme, changes: [FieldChange(field: "branch", old: .text("north"), new: .text("south"))]),
                on: Customer.stream(acme))
        log.add(rename(0), on: stream)
        // An edit that leaves the scope as it is records no change of scope.
        log.add(CustomerEdited(customerID: acme, changes: [FieldChange(field: "name", old: .text("Acme"), new: .text("Acme 2"))]),
                on: Customer.stream(acme))
        log.add(CustomerEdited(customerID: acme, changes: [FieldChange(field: "branch", old: .text("south"), new: .text("west"))]),
                on: Customer.stream(acme))
        log.add(rename(1), on: stream)
        log.add(ContactMovedToCustomer(contactID: contact, fromCustomerID: acme, toCustomerID: globex), on: stream)
        log.add(rename(2), on: stream)
        log.add(ProductEdited(productID: UUID.derived("product", "1"), changes: []), on: "product-1")
        let views = try log.views(projection)

        let trail = try ModificationHistory.history(of: stream, events: log.stream(stream), in: views)
        #expect(trail.map(\.scopeAtEvent?.branch) == ["north", "south", "west", "east", "east"])
        #expect(trail.map(\.customerID) == [acme, acme, acme, globex, globex])
        #expect(trail.allSatisfy { $0.scope.branch == "east" })
        #expect(try ModificationHistory.history(ofCustomer: globex, in: views, events: log.event).map(\.eventType)
            == ["CustomerCreated", "ContactMovedToCustomer", "ContactEdited"])
        let acmeTrail = try ModificationHistory.history(ofCustomer: acme, in: views, events: log.event)
        #expect(acmeTrail.filter { $0.stream == Customer.stream(acme) }.map(\.scopeAtEvent?.branch) == ["north", "south", "south", "west"])
        #expect(acmeTrail.allSatisfy { $0.scope.branch == "west" })
        let product = try ModificationHistory.history(of: "product-1", events: log.stream("product-1"), in: views)
        #expect(product.map(\.scopeAtEvent) == [.global])
    }

    @Test func batchingDoesNotChangeTheRows() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        for n in 0..<5 {
            let id = UUID.derived("contact", "\(n)")
            log.add(ContactCreated(contactID: id, customerID: acme, name: "C\(n)", role: .other), on: Contact.stream(id))
            log.add(ContactEdited(contactID: id, changes: [FieldChange(field: "name", old: .text("C\(n)"), new: .text("D\(n)"))]), on: Contact.stream(id))
        }
        #expect(try log.views(projection).tables == log.views(projection, batches: 4).tables)
    }
}
