import CRMDomain
import EventSourcing
import Foundation
import Testing

@testable import CRMProjections

private func date(_ text: String) -> LocalDate { LocalDate(text) ?? LocalDate(year: 2000, month: 1, day: 1)! }

/// Customer 360 version 4: products held (from contracts in force), current installations, scheduled
/// appointments, and the contacts an opportunity names.
@Suite struct Customer360HoldingsTests {
    let acme = UUID.derived("customer", "acme-holdings")
    let projection = Customer360Projection()
    let meter = UUID.derived("product", "smart-meter")
    let heat = UUID.derived("product", "heat-pump")

    func line(_ product: UUID, _ name: String, _ quantity: Decimal) -> Contract.Line {
        Contract.Line(productID: product, name: name, quantity: quantity, unitPrice: Money(100, .eur))
    }

    func draft(_ id: UUID, _ lines: [Contract.Line], at: Date) -> ContractDrafted {
        ContractDrafted(contractID: id, customerID: acme, owner: "emp-1", title: "Supply \(id.uuidString.prefix(4))", quoteID: UUID.derived("quote", id.uuidString),
                        quoteNumber: "Q-1", lines: lines,
                        terms: Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-01"), expiry: date("2027-12-31")),
                        draftedBy: "emp-1", draftedAt: at)
    }

    @Test func productsHeldAreTheLinesOfContractsInForceSummedPerProduct() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let (a, b, c, d) = (UUID.derived("contract", "a"), UUID.derived("contract", "b"), UUID.derived("contract", "c"), UUID.derived("contract", "d"))
        log.add(draft(a, [line(meter, "Smart meter", 2)], at: t0), on: Contract.stream(a))
        log.add(draft(b, [line(meter, "Smart meter v2", Decimal(string: "1.5") ?? 0), line(heat, "Heat pump", 1)], at: t0.addingTimeInterval(day)),
                on: Contract.stream(b))
        log.add(draft(c, [line(heat, "Heat pump XL", 4)], at: t0.addingTimeInterval(2 * day)), on: Contract.stream(c))
        log.add(draft(d, [line(heat, "Heat pump", 9)], at: t0.addingTimeInterval(3 * day)), on: Contract.stream(d))
        // a and b come into force; c stays a draft; d is activated, then terminated.
        for id in [a, b, d] { log.add(ContractActivated(contractID: id, by: "emp-1", at: t0), on: Contract.stream(id)) }
        log.add(ContractTerminated(contractID: d, termination: Contract.Termination(reason: "moved", date: date("2026-02-01"), by: "emp-1"), at: t0),
                on: Contract.stream(d))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.productsHeld == [
            HeldProduct(productID: heat, name: "Heat pump", quantity: 1, contracts: [b]),
            HeldProduct(productID: meter, name: "Smart meter v2", quantity: Decimal(string: "3.5") ?? 0, contracts: [a, b]),
        ])
        #expect(view.contracts.first { $0.id == c }?.products == [RelatedRecord.Product(productID: heat, name: "Heat pump XL", quantity: 4)])
        #expect(view.endedContracts.map(\.id) == [d])
    }

    @Test func changedLinesBeforeActivationAreTheOnesHeld() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let a = UUID.derived("contract", "lines")
        log.add(draft(a, [line(meter, "Smart meter", 1)], at: t0), on: Contract.stream(a))
        log.add(ContractLinesChanged(contractID: a, previousLines: [line(meter, "Smart meter", 1)], lines: [line(heat, "Heat pump", 2)]),
                on: Contract.stream(a))
        var view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.productsHeld.isEmpty, "a draft holds nothing")
        log.add(ContractActivated(contractID: a, by: "emp-1", at: t0), on: Contract.stream(a))
        view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.productsHeld.map(\.productID) == [heat])
        log.add(ContractExpired(contractID: a, expiry: date("2027-12-31"), recordedAt: t0), on: Contract.stream(a))
        view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.productsHeld.isEmpty, "an expired contract holds nothing")
    }

    @Test func installationsAreTheCurrentOnesAndAppointmentsTheScheduledOnesSoonestFirst() throws {
        var log = TestLog()
        let stream = Customer.stream(acme)
        log.add(created(acme, name: "Acme"), on: stream)
        let (i1, i2) = (UUID.derived("installation", "1"), UUID.derived("installation", "2"))
        log.add(CustomerInstallationAdded(customerID: acme, installation: Installation(id: i1, address: "1 Main St", meterNumber: "M-1")), on: stream)
        log.add(CustomerInstallationAdded(customerID: acme, installation: Installation(id: i2, address: "2 Side St", meterNumber: "M-2")), on: stream)
        log.add(CustomerInstallationMoved(customerID: acme, installationID: i1, fromAddress: "1 Main St", toAddress: "9 New Rd",
                                          previousMeterNumber: "M-1", meterNumber: "M-9"), on: stream)
        log.add(CustomerInstallationRemoved(customerID: acme, installationID: i2, reason: "demolished"), on: stream)
        let (a1, a2, a3, a4) = (UUID.derived("appt", "1"), UUID.derived("appt", "2"), UUID.derived("appt", "3"), UUID.derived("appt", "4"))
        for (id, offset) in [(a1, 5.0), (a2, 3.0), (a3, 4.0), (a4, 6.0)] {
            log.add(CustomerAppointmentScheduled(customerID: acme, appointment: Appointment(id: id, kind: .onSiteService, at: t0.addingTimeInterval(offset * day),
                                                                                            address: "9 New Rd", note: "gate \(Int(offset))")), on: stream)
        }
        log.add(CustomerAppointmentRescheduled(customerID: acme, appointmentID: a1, previousAt: t0.addingTimeInterval(5 * day),
                                               at: t0.addingTimeInterval(1 * day), previousAddress: "9 New Rd", address: "1 Depot"), on: stream)
        log.add(CustomerAppointmentCompleted(customerID: acme, appointmentID: a2, completedAt: t0.addingTimeInterval(3 * day)), on: stream)
        log.add(CustomerAppointmentCancelled(customerID: acme, appointmentID: a4, reason: "away"), on: stream)
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.profile.installations == [Installation(id: i1, address: "9 New Rd", meterNumber: "M-9")])
        #expect(view.profile.appointments.map(\.id) == [a1, a3])
        #expect(view.profile.appointments.first?.address == "1 Depot")
        #expect(view.upcomingAppointments(at: t0.addingTimeInterval(2 * day)).map(\.id) == [a3])
    }

    @Test func lifecycleEventsRewriteOnlyTheProfileRowAndTheStamp() throws {
        var log = TestLog()
        let stream = Customer.stream(acme)
        log.add(created(acme, name: "Acme"), on: stream)
        let views = CountingViews()
        try views.base.apply(log.events, to: projection)
        let appointment = Appointment(id: UUID.derived("appt", "x"), kind: .install, at: t0.addingTimeInterval(day), address: "1 Main St")
        let events: [any EventPayload] = [
            CustomerInstallationAdded(customerID: acme, installation: Installation(id: UUID.derived("inst", "x"), address: "1 Main St", meterNumber: "M-1")),
            CustomerAppointmentScheduled(customerID: acme, appointment: appointment),
            CustomerAppointmentCompleted(customerID: acme, appointmentID: appointment.id, completedAt: t0),
        ]
        var next = TestLog()
        next.events = log.events
        next.versions = log.versions
        for payload in events { next.add(payload, on: stream) }
        for event in next.events.dropFirst(log.events.count) { try projection.apply(event, to: views) }
        #expect(views.puts == ["customer-360": 6], "a profile row and a stamp per event, no list rows: \(views.puts)")
        // An event that changes nothing (completing an appointment the view no longer lists) writes nothing.
        views.puts = [:]
        next.add(CustomerAppointmentCancelled(customerID: acme, appointmentID: appointment.id), on: stream)
        if let last = next.events.last { try projection.apply(last, to: views) }
        #expect(views.puts.isEmpty)
        // The view equals a rebuild's.
        #expect(views.base.tables == (try next.views(projection)).tables)
    }

    @Test func anOpportunitySummaryListsTheContactsItNames() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let (ann, bob) = (UUID.derived("contact", "ann"), UUID.derived("contact", "bob"))
        let opp = UUID.derived("opportunity", "contacts")
        log.add(OpportunityOpened(opportunityID: opp, details: .init(customerID: acme, title: "Boiler", source: "web", expectedRevenue: Money(10, .eur),
                                                                     closeDate: date("2026-06-30")), pipeline: .default, stage: "opportunityFound", owner: "emp-1"),
                on: Opportunity.stream(opp))
        log.add(OpportunityContactsAdded(opportunityID: opp, contactIDs: [ann, bob]), on: Opportunity.stream(opp))
        var view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openOpportunities.first?.contacts == [ann, bob])
        log.add(OpportunityContactsRemoved(opportunityID: opp, contactIDs: [ann, bob]), on: Opportunity.stream(opp))
        view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openOpportunities.first?.contacts == nil)
    }

    @Test func theNewRowFormsWriteTheirCodableBytes() throws {
        let appointment = Appointment(id: acme, kind: .move, at: t0, address: "1 Main St", note: nil)
        let rows: [any (Codable & BinaryPayloadCodable)] = [
            RelatedRecord(kind: .contract, id: acme, title: "C", status: "active", detail: nil, at: t0, day: nil, amount: nil, owner: nil,
                          scope: .global, contacts: nil, products: [RelatedRecord.Product(productID: meter, name: "电表", quantity: Decimal(string: "2.25") ?? 0)]),
            RelatedRecord(kind: .opportunity, id: acme, title: "O", status: "open", detail: "x", at: nil, day: nil, amount: nil, owner: "emp-1",
                          scope: .global, contacts: [meter, heat], products: nil),
            CustomerProfile(id: acme, kind: .person, name: "A", group: "g", industry: nil, branch: nil, community: nil, owner: nil, status: .active,
                            isArchived: false, birthday: nil, founded: nil, customFields: [], externalKeys: [], mergedInto: nil, absorbed: [],
                            installations: [Installation(id: meter, address: "a", meterNumber: "m")],
                            appointments: [appointment, Appointment(id: heat, kind: .install, at: t0, address: "b", note: "n", status: .completed)]),
            appointment,
        ]
        for row in rows {
            let hand = try BinaryPayloadEncoder.encode(row)
            #expect(hand == (try BinaryPayloadEncoder.encodeWithCodable(row)), "\(type(of: row))")
        }
        let record = try #require(rows.first as? RelatedRecord)
        #expect(try BinaryPayloadDecoder.decode(RelatedRecord.self, from: BinaryPayloadEncoder.encode(record)) == record)
    }
}
