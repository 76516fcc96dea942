import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Customer lifecycle and appointments")
struct CustomerLifecycleTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC, the scenario's clock
    static let visit = UUID.derived("test", "appointment")
    static let meter = UUID.derived("test", "installation")

    static var scheduled: CustomerEvent {
        .appointmentScheduled(CustomerAppointmentScheduled(customerID: CustomerFixtures.id, appointment: Appointment(
            id: visit, kind: .install, at: now.addingTimeInterval(86_400), address: "1 Nanjing Rd", note: "call first")))
    }

    static var installed: CustomerEvent {
        .installationAdded(CustomerInstallationAdded(customerID: CustomerFixtures.id, installation: Installation(id: meter, address: "1 Nanjing Rd", meterNumber: "M-1")))
    }

    // MARK: status

    @Test func aProspectIsActivatedOnce() {
        var s = Scenario(Customer.self)
        s.apply(.create(customerID: CustomerFixtures.id, NewCustomer(kind: .person, name: "A", group: "g"), form: .empty(group: "g")))
        #expect(s.apply(.activate) == [.activated(CustomerActivated(customerID: CustomerFixtures.id))])
        #expect(s.state.status == .active)
        #expect(s.whenRefused(.activate)?.code == .invalidTransition)
    }

    @Test func anActiveCustomerIsSuspendedWithAReasonAndResumed() {
        var s = CustomerFixtures.scenario()
        #expect(s.whenRefused(.resume)?.code == .invalidTransition)
        #expect(s.whenRefused(.suspend(reason: " "))?.field == "reason")
        #expect(s.apply(.suspend(reason: "unpaid bills")) == [.suspended(CustomerSuspended(customerID: CustomerFixtures.id, reason: "unpaid bills"))])
        #expect(s.state.status == .suspended)
        #expect(s.state.suspensionReason == "unpaid bills")
        #expect(s.whenRefused(.suspend(reason: "again"))?.code == .invalidTransition)
        #expect(s.apply(.resume) == [.resumed(CustomerResumed(customerID: CustomerFixtures.id))])
        #expect(s.state.status == .active && s.state.suspensionReason == nil)
    }

    @Test func aProspectCannotBeSuspended() {
        var s = Scenario(Customer.self)
        s.apply(.create(customerID: CustomerFixtures.id, NewCustomer(kind: .person, name: "A", group: "g"), form: .empty(group: "g")))
        #expect(s.whenRefused(.suspend(reason: "x"))?.code == .invalidTransition)
    }

    // MARK: transfer of ownership

    @Test func transferringOwnershipRecordsTheOldAndNewHolder() {
        var s = CustomerFixtures.scenario()
        let events = s.apply(.transferOwnership(newHolder: "Wang Fang", effective: date("2026-02-01")))
        #expect(events == [.ownershipTransferred(CustomerOwnershipTransferred(
            customerID: CustomerFixtures.id, previousHolder: "Li Wei", newHolder: "Wang Fang", effective: date("2026-02-01")))])
        #expect(s.state.accountHolder == "Wang Fang")
        #expect(s.whenRefused(.transferOwnership(newHolder: "Wang Fang", effective: date("2026-03-01")))?.field == "newHolder")
        #expect(s.whenRefused(.transferOwnership(newHolder: "", effective: date("2026-03-01")))?.field == "newHolder")
    }

    @Test func onlyAnActiveAccountIsTransferred() {
        let s = CustomerFixtures.scenario([.suspended(CustomerSuspended(customerID: CustomerFixtures.id, reason: "debt"))])
        #expect(s.whenRefused(.transferOwnership(newHolder: "B", effective: date("2026-02-01")))?.code == .invalidTransition)
    }

    // MARK: installations

    @Test func installationsAreAddedMovedAndRemoved() {
        var s = CustomerFixtures.scenario()
        #expect(s.apply(.addInstallation(id: Self.meter, address: "1 Nanjing Rd", meterNumber: "M-1")) == [Self.installed])
        let moved = s.apply(.moveInstallation(id: Self.meter, address: "9 Huaihai Rd", meterNumber: nil))
        #expect(moved == [.installationMoved(CustomerInstallationMoved(
            customerID: CustomerFixtures.id, installationID: Self.meter, fromAddress: "1 Nanjing Rd", toAddress: "9 Huaihai Rd",
            previousMeterNumber: "M-1", meterNumber: "M-1"))])
        #expect(s.state.installation(Self.meter)?.address == "9 Huaihai Rd")
        #expect(s.when(.moveInstallation(id: Self.meter, address: "9 Huaihai Rd", meterNumber: "M-1")).isEmpty)
        #expect(s.apply(.removeInstallation(id: Self.meter, reason: "moved away")) == [.installationRemoved(CustomerInstallationRemoved(
            customerID: CustomerFixtures.id, installationID: Self.meter, reason: "moved away"))])
        #expect(s.state.installation(Self.meter)?.isActive == false)
        #expect(s.whenRefused(.removeInstallation(id: Self.meter, reason: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.moveInstallation(id: Self.meter, address: "x", meterNumber: nil))?.code == .invalidTransition)
    }

    @Test func installationRulesAreEnforced() {
        let s = CustomerFixtures.scenario([Self.installed])
        #expect(s.whenRefused(.addInstallation(id: Self.meter, address: "a", meterNumber: "M-9"))?.field == "installationID")
        #expect(s.whenRefused(.addInstallation(id: UUID.derived("i2"), address: "a", meterNumber: "M-1"))?.field == "meterNumber")
        #expect(s.whenRefused(.addInstallation(id: UUID.derived("i2"), address: "", meterNumber: "M-2"))?.field == "address")
        #expect(s.whenRefused(.addInstallation(id: UUID.derived("i2"), address: "a", meterNumber: " "))?.field == "meterNumber")
        #expect(s.whenRefused(.moveInstallation(id: UUID.derived("none"), address: "a", meterNumber: nil))?.code == .notFound)
        #expect(s.whenRefused(.removeInstallation(id: UUID.derived("none"), reason: nil))?.code == .notFound)
    }

    @Test func aSuspendedCustomerGetsNoNewOrMovedInstallationButMayRemoveOne() {
        var s = CustomerFixtures.scenario([Self.installed, .suspended(CustomerSuspended(customerID: CustomerFixtures.id, reason: "debt"))])
        #expect(s.whenRefused(.addInstallation(id: UUID.derived("i2"), address: "a", meterNumber: "M-2"))?.code == .invalidTransition)
        #expect(s.whenRefused(.moveInstallation(id: Self.meter, address: "b", meterNumber: nil))?.code == .invalidTransition)
        #expect(s.apply(.removeInstallation(id: Self.meter, reason: nil)).count == 1)
    }

    // MARK: appointments

    @Test func anAppointmentIsScheduledAndCompleted() {
        var s = CustomerFixtures.scenario()
        let events = s.apply(.scheduleAppointment(id: Self.visit, kind: .install, at: Self.now.addingTimeInterval(86_400), address: "1 Nanjing Rd", note: "call first"))
        #expect(events == [Self.scheduled])
        #expect(s.state.appointment(Self.visit)?.status == .scheduled)
        #expect(s.apply(.completeAppointment(id: Self.visit, note: "done")) == [.appointmentCompleted(CustomerAppointmentCompleted(
            customerID: CustomerFixtures.id, appointmentID: Self.visit, completedAt: Self.now, note: "done"))])
        #expect(s.state.appointment(Self.visit)?.status == .completed)
        #expect(s.whenRefused(.completeAppointment(id: Self.visit, note: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.cancelAppointment(id: Self.visit, reason: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.rescheduleAppointment(id: Self.visit, at: Self.now.addingTimeInterval(90_000), address: nil))?.code == .invalidTransition)
    }

    @Test func schedulingIsValidated() {
        let s = CustomerFixtures.scenario([Self.scheduled])
        let later = Self.now.addingTimeInterval(3_600)
        #expect(s.whenRefused(.scheduleAppointment(id: Self.visit, kind: .move, at: later, address: "a", note: nil))?.code == .alreadyExists)
        #expect(s.whenRefused(.scheduleAppointment(id: UUID.derived("a2"), kind: .move, at: Self.now.addingTimeInterval(-60), address: "a", note: nil))?.field == "at")
        #expect(s.whenRefused(.scheduleAppointment(id: UUID.derived("a2"), kind: .remove, at: later, address: " ", note: nil))?.field == "address")
    }

    @Test func aScheduledAppointmentIsRescheduledWithItsOldTimeAndAddress() {
        var s = CustomerFixtures.scenario([Self.scheduled])
        let later = Self.now.addingTimeInterval(2 * 86_400)
        let events = s.apply(.rescheduleAppointment(id: Self.visit, at: later, address: "2 Nanjing Rd"))
        #expect(events == [.appointmentRescheduled(CustomerAppointmentRescheduled(
            customerID: CustomerFixtures.id, appointmentID: Self.visit, previousAt: Self.now.addingTimeInterval(86_400), at: later,
            previousAddress: "1 Nanjing Rd", address: "2 Nanjing Rd"))])
        #expect(s.state.appointment(Self.visit)?.at == later)
        #expect(s.state.appointment(Self.visit)?.status == .scheduled)
        #expect(s.when(.rescheduleAppointment(id: Self.visit, at: later, address: nil)).isEmpty)
        #expect(s.whenRefused(.rescheduleAppointment(id: Self.visit, at: Self.now.addingTimeInterval(-1), address: nil))?.field == "at")
        #expect(s.whenRefused(.rescheduleAppointment(id: UUID.derived("none"), at: later, address: nil))?.code == .notFound)
    }

    @Test func aCancelledAppointmentIsFinal() {
        var s = CustomerFixtures.scenario([Self.scheduled])
        #expect(s.apply(.cancelAppointment(id: Self.visit, reason: "customer away")) == [.appointmentCancelled(CustomerAppointmentCancelled(
            customerID: CustomerFixtures.id, appointmentID: Self.visit, reason: "customer away"))])
        #expect(s.state.appointment(Self.visit)?.status == .cancelled)
        #expect(s.whenRefused(.completeAppointment(id: Self.visit, note: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.cancelAppointment(id: UUID.derived("none"), reason: nil))?.code == .notFound)
    }

    @Test func lifecycleCommandsOnAnArchivedCustomerAreRefused() {
        let s = CustomerFixtures.scenario([Self.scheduled, .archived(CustomerArchived(customerID: CustomerFixtures.id, reason: nil))])
        #expect(s.whenRefused(.completeAppointment(id: Self.visit, note: nil))?.code == .archived)
        #expect(s.whenRefused(.addInstallation(id: Self.meter, address: "a", meterNumber: "m"))?.code == .archived)
        #expect(s.whenRefused(.transferOwnership(newHolder: "B", effective: date("2026-02-01")))?.code == .archived)
    }

    // MARK: encoding

    @Test func everyCustomerEventRoundTripsThroughBothEncodings() throws {
        let id = CustomerFixtures.id
        let events: [CustomerEvent] = [
            CustomerFixtures.created,
            .created(CustomerCreated(customerID: id, kind: .organisation, name: "上海燃气", group: "sme", industry: "energy", branch: nil,
                                     community: "pudong", owner: nil, status: .prospect, birthday: nil, founded: date("1999-09-09"),
                                     customFields: ["deposit": .money(Money(Decimal(string: "12.50") ?? 0, .cny)), "paperless": .bool(false)],
                                     externalKeys: [])),
            .edited(CustomerEdited(customerID: id, changes: [FieldChange(field: "custom.since", old: nil, new: .date(date("2020-02-29")))])),
            .activated(CustomerActivated(customerID: id)),
            .archived(CustomerArchived(customerID: id, reason: "dup")),
            .restored(CustomerRestored(customerID: id)),
            .mergedInto(CustomerMergedInto(customerID: id, survivorID: CustomerFixtures.other, releasedKeys: [CustomerFixtures.billing])),
            .absorbedDuplicate(CustomerAbsorbedDuplicate(customerID: id, duplicateID: CustomerFixtures.other, contactIDs: [UUID.derived("c")], openWorkIDs: [])),
            .externalKeySet(CustomerExternalKeySet(customerID: id, key: CustomerFixtures.billing, previousKey: nil)),
            .externalKeyRemoved(CustomerExternalKeyRemoved(customerID: id, key: CustomerFixtures.billing)),
            Self.scheduled,
            .appointmentRescheduled(CustomerAppointmentRescheduled(customerID: id, appointmentID: Self.visit, previousAt: Self.now,
                                                                   at: Self.now.addingTimeInterval(60), previousAddress: "a", address: "b")),
            .appointmentCompleted(CustomerAppointmentCompleted(customerID: id, appointmentID: Self.visit, completedAt: Self.now, note: nil)),
            .appointmentCancelled(CustomerAppointmentCancelled(customerID: id, appointmentID: Self.visit, reason: "r")),
            .ownershipTransferred(CustomerOwnershipTransferred(customerID: id, previousHolder: "A", newHolder: "B", effective: date("2026-02-01"))),
            Self.installed,
            .installationMoved(CustomerInstallationMoved(customerID: id, installationID: Self.meter, fromAddress: "a", toAddress: "b",
                                                         previousMeterNumber: "M-1", meterNumber: "M-2")),
            .installationRemoved(CustomerInstallationRemoved(customerID: id, installationID: Self.meter, reason: nil)),
            .suspended(CustomerSuspended(customerID: id, reason: "debt")),
            .resumed(CustomerResumed(customerID: id)),
        ]
        #expect(Set(events.map { type(of: $0.payload).eventType }).count == CustomerEvent.payloadTypes.count)
        try expectRoundTrips(events)
    }
}
