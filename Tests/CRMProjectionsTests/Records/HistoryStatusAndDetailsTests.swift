import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The modification history names the fields of status changes, new contacts, appointments, pairings and
/// form fields (R-LOG-5: which fields, old → new).
@Suite struct HistoryStatusAndDetailsTests {
    let acme = UUID.derived("customer", "acme")
    let projection = ModificationHistory()

    private func changes(of payloads: [any EventPayload], on stream: StreamID) throws -> [[FieldChange]] {
        var log = TestLog()
        if stream != Customer.stream(acme) { log.add(created(acme, name: "Acme"), on: Customer.stream(acme)) }
        for payload in payloads { log.add(payload, on: stream) }
        let trail = try ModificationHistory.history(of: stream, events: log.stream(stream), in: try log.views(projection))
        #expect(trail.allSatisfy { $0.summary == nil }, "every entry lists its changes")
        return trail.map(\.changes)
    }

    @Test func statusChangesShowTheStatusOldAndNewAndTheSuspensionReason() throws {
        let stream = Customer.stream(acme)
        let found = try changes(of: [created(acme, name: "Acme"), CustomerActivated(customerID: acme),
                                     CustomerSuspended(customerID: acme, reason: "meter tampering"), CustomerResumed(customerID: acme),
                                     CustomerArchived(customerID: acme, reason: "moved"), CustomerRestored(customerID: acme)], on: stream)
        #expect(found[1] == [FieldChange(field: "status", old: .option("prospect"), new: .option("active"))])
        #expect(found[2] == [FieldChange(field: "status", old: .option("active"), new: .option("suspended")),
                             FieldChange(field: "suspensionReason", old: nil, new: .text("meter tampering"))])
        #expect(found[3] == [FieldChange(field: "status", old: .option("suspended"), new: .option("active"))])
        #expect(found[4] == [FieldChange(field: "isArchived", old: .bool(false), new: .bool(true)),
                             FieldChange(field: "reason", old: nil, new: .text("moved"))])
        #expect(found[5] == [FieldChange(field: "isArchived", old: .bool(true), new: .bool(false))])
    }

    @Test func aNewContactItsRelationshipsAndAScheduledAppointmentListTheirFields() throws {
        let contact = UUID.derived("contact", "zhang"), other = UUID.derived("contact", "li")
        let found = try changes(of: [ContactCreated(contactID: contact, customerID: acme, name: "Zhang", role: .primary, phone: "123"),
                                     ContactRelationshipAdded(contactID: contact, relationship: ContactRelationship(contactID: other, kind: .reportsTo))],
                                on: Contact.stream(contact))
        #expect(found[0] == [FieldChange(field: "name", old: nil, new: .text("Zhang")), FieldChange(field: "role", old: nil, new: .option("primary")),
                             FieldChange(field: "phone", old: nil, new: .text("123"))])
        #expect(found[1] == [FieldChange(field: "relationship.reportsTo", old: nil, new: .id(other))])

        let appointment = Appointment(id: UUID.derived("appointment", "1"), kind: .install, at: t0.addingTimeInterval(day), address: "1 Road")
        let scheduled = try changes(of: [created(acme, name: "Acme"), CustomerAppointmentScheduled(customerID: acme, appointment: appointment),
                                         CustomerAppointmentCancelled(customerID: acme, appointmentID: appointment.id, reason: "no access")],
                                    on: Customer.stream(acme))
        #expect(scheduled[1].map(\.field) == ["appointment.id", "appointment.kind", "appointment.at", "appointment.address"])
        #expect(scheduled[1][2].new == .text("2026-01-02T00:00:00Z"))
        #expect(scheduled[2] == [FieldChange(field: "appointment.status", old: .option("scheduled"), new: .option("cancelled")),
                                 FieldChange(field: "reason", old: nil, new: .text("no access"))])
    }

    @Test func aPairingNamesItsPeopleAndAFormChangeNamesItsField() throws {
        let pairing = MaintenancePairing.stream(MaintenancePairing.id(customerID: acme))
        let paired = try changes(of: [MaintenancePaired(customerID: acme, agent: "emp-7", manager: "emp-8", pairedAt: t0)], on: pairing)
        #expect(paired[0] == [FieldChange(field: "agent", old: nil, new: .text("emp-7")), FieldChange(field: "manager", old: nil, new: .text("emp-8"))])

        let field = FieldDefinition(name: "size", label: "Size", type: .enumeration, options: ["小", "中"])
        let form = CustomerForm.stream(group: "residential")
        var log = TestLog()
        log.add(CustomerFormFieldChanged(group: "residential", field: field, changes: [
            FieldChange(field: "options", old: .list(["小", "中", "大"]), new: .list(["小", "中"]))]), on: form)
        let trail = try ModificationHistory.history(of: form, events: log.stream(form), in: try log.views(projection))
        #expect(trail.first?.changes == [FieldChange(field: "fields.size.options", old: .list(["小", "中", "大"]), new: .list(["小", "中"]))])
    }

    /// Configuration and grants name what an administrator set, old → new (R-ORG-4: each change an audited
    /// event; R-LOG-5), and a ticket's resolution and closing what was recorded with them.
    @Test func settingsGrantsAndATicketsResolutionListWhatChanged() throws {
        func changes(_ payload: any EventPayload) -> [FieldChange] { (payload as? HasFieldChanges)?.fieldChanges ?? [] }
        let sla = SLADeadline(kind: .complaint, severity: .high, responseMinutes: 45, resolutionMinutes: 240)
        let before = SLADeadline(kind: .complaint, severity: .high, responseMinutes: 60, resolutionMinutes: 240)
        #expect(changes(SLADeadlineSet(deadline: sla, previous: before))
                == [FieldChange(field: "sla.complaint.high.responseMinutes", old: .number(60), new: .number(45))])
        #expect(changes(SLADeadlineSet(deadline: sla)).map(\.field) == ["sla.complaint.high.responseMinutes", "sla.complaint.high.resolutionMinutes"])
        let day = try #require(LocalDate(year: 2026, month: 10, day: 1))
        #expect(changes(HolidayAdded(holiday: Holiday(date: day, name: "National Day"))) == [FieldChange(field: "holidays.2026-10-01", old: nil, new: .text("National Day"))])
        #expect(changes(DiscountLimitSet(limit: DiscountLimit(role: "salesManager", maxPercent: 18), previous: DiscountLimit(role: "salesManager", maxPercent: 15)))
                == [FieldChange(field: "discountLimits.salesManager", old: .number(15), new: .number(18))])
        let grant = UUID.derived("grant", "g"), employee = UUID.derived("employee", "e"), role = UUID.derived("role", "r")
        #expect(changes(RoleGranted(grantID: grant, employeeID: employee, roleID: role, validity: .always))
                == [FieldChange(field: "grants.\(grant.lowercasedString).employee", old: nil, new: .id(employee)),
                    FieldChange(field: "grants.\(grant.lowercasedString).role", old: nil, new: .id(role))])
        #expect(changes(RoleGrantRevoked(grantID: grant, employeeID: employee, roleID: role)).map(\.new) == [nil, nil])
        let ticket = UUID.derived("ticket", "t"), now = Date(timeIntervalSince1970: 1_767_225_600)
        #expect(changes(TicketResolved(ticketID: ticket, resolution: "meter replaced", resolvedAt: now)) == [FieldChange(field: "resolution", old: nil, new: .text("meter replaced"))])
        #expect(changes(TicketClosed(ticketID: ticket, satisfaction: 4, comment: "quick", closedAt: now))
                == [FieldChange(field: "satisfaction", old: nil, new: .number(4)), FieldChange(field: "comment", old: nil, new: .text("quick"))])
    }
}
