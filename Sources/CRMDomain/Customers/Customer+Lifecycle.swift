import Foundation

extension Customer {
    /// Appointments (R-CUS-5) and the utility lifecycle (R-CUS-7), for a live, unarchived customer.
    static func decideLifecycle(_ command: Command, id: UUID, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .scheduleAppointment(let appointmentID, let kind, let at, let address, let note):
            guard state.appointment(appointmentID) == nil else { throw DomainError(.alreadyExists, field: "appointmentID", "the appointment exists") }
            guard at >= context.now else { throw .invalid("at", "must not be in the past") }
            let appointment = Appointment(id: appointmentID, kind: kind, at: at, address: try Validate.text(address, field: "address", max: 300),
                                          note: try Validate.optionalMultilineText(note, field: "note"))
            return [.appointmentScheduled(CustomerAppointmentScheduled(customerID: id, appointment: appointment))]

        case .rescheduleAppointment(let appointmentID, let at, let address):
            let appointment = try scheduled(appointmentID, state: state)
            guard at >= context.now else { throw .invalid("at", "must not be in the past") }
            let newAddress = try address.map { (a: String) throws(DomainError) in
                try Validate.text(a, field: "address", max: 300, unlessUnchangedFrom: appointment.address)
            } ?? appointment.address
            if at == appointment.at && newAddress == appointment.address { return [] }
            return [.appointmentRescheduled(CustomerAppointmentRescheduled(
                customerID: id, appointmentID: appointmentID, previousAt: appointment.at, at: at,
                previousAddress: appointment.address, address: newAddress))]

        case .completeAppointment(let appointmentID, let note):
            _ = try scheduled(appointmentID, state: state)
            return [.appointmentCompleted(CustomerAppointmentCompleted(
                customerID: id, appointmentID: appointmentID, completedAt: context.now, note: try Validate.optionalMultilineText(note, field: "note")))]

        case .cancelAppointment(let appointmentID, let reason):
            _ = try scheduled(appointmentID, state: state)
            return [.appointmentCancelled(CustomerAppointmentCancelled(
                customerID: id, appointmentID: appointmentID, reason: try Validate.optionalMultilineText(reason, field: "reason")))]

        case .transferOwnership(let newHolder, let effective):
            guard state.status == .active else { throw .transition("only an active account can be transferred") }
            let holder = try Validate.text(newHolder, field: "newHolder")
            guard holder != state.accountHolder else { throw .invalid("newHolder", "already holds the account") }
            // Transfers follow one another: one taking effect before the last one did would leave the holder
            // named by the log's order, not by the dates.
            if let last = state.transferredOn, effective < last {
                throw .invalid("effective", "must not be before the previous transfer's effective day (\(last))")
            }
            return [.ownershipTransferred(CustomerOwnershipTransferred(
                customerID: id, previousHolder: state.accountHolder, newHolder: holder, effective: effective))]

        case .addInstallation(let installationID, let address, let meter):
            guard state.status != .suspended else { throw .transition("a suspended customer gets no new installation") }
            guard state.installation(installationID) == nil else { throw DomainError(.alreadyExists, field: "installationID", "the installation exists") }
            let installation = Installation(id: installationID, address: try Validate.text(address, field: "address", max: 300),
                                            meterNumber: try Validate.text(meter, field: "meterNumber", max: 64))
            try checkMeterFree(installation.meterNumber, except: installationID, state: state)
            return [.installationAdded(CustomerInstallationAdded(customerID: id, installation: installation))]

        case .moveInstallation(let installationID, let address, let meter):
            guard state.status != .suspended else { throw .transition("a suspended customer's installations cannot move") }
            let installation = try activeInstallation(installationID, state: state)
            let toAddress = try Validate.text(address, field: "address", max: 300, unlessUnchangedFrom: installation.address)
            let toMeter = try meter.map { (m: String) throws(DomainError) in
                try Validate.text(m, field: "meterNumber", max: 64, unlessUnchangedFrom: installation.meterNumber)
            } ?? installation.meterNumber
            if toAddress == installation.address && toMeter == installation.meterNumber { return [] }
            try checkMeterFree(toMeter, except: installationID, state: state)
            return [.installationMoved(CustomerInstallationMoved(
                customerID: id, installationID: installationID, fromAddress: installation.address, toAddress: toAddress,
                previousMeterNumber: installation.meterNumber, meterNumber: toMeter))]

        case .removeInstallation(let installationID, let reason):
            _ = try activeInstallation(installationID, state: state)
            return [.installationRemoved(CustomerInstallationRemoved(
                customerID: id, installationID: installationID, reason: try Validate.optionalMultilineText(reason, field: "reason")))]

        case .suspend(let reason):
            guard state.status == .active else { throw .transition("only an active customer can be suspended") }
            return [.suspended(CustomerSuspended(customerID: id, reason: try Validate.multilineText(reason, field: "reason", max: 500)))]

        case .resume:
            guard state.status == .suspended else { throw .transition("only a suspended customer can resume") }
            return [.resumed(CustomerResumed(customerID: id))]

        default:
            return []
        }
    }

    private static func scheduled(_ id: UUID, state: State) throws(DomainError) -> Appointment {
        guard let appointment = state.appointment(id) else { throw DomainError(.notFound, field: "appointmentID", "no such appointment") }
        guard appointment.status == .scheduled else { throw .transition("the appointment is already \(appointment.status.rawValue)") }
        return appointment
    }

    private static func activeInstallation(_ id: UUID, state: State) throws(DomainError) -> Installation {
        guard let installation = state.installation(id) else { throw DomainError(.notFound, field: "installationID", "no such installation") }
        guard installation.isActive else { throw .transition("the installation was removed") }
        return installation
    }

    private static func checkMeterFree(_ meter: String, except id: UUID, state: State) throws(DomainError) {
        if state.installations.contains(where: { $0.isActive && $0.id != id && $0.meterNumber == meter }) {
            throw DomainError(.alreadyExists, field: "meterNumber", "another installation of the customer has that meter")
        }
    }

    static func evolveLifecycle(_ state: State, _ event: Event) -> State {
        var s = state
        func updateAppointment(_ id: UUID, _ change: (inout Appointment) -> Void) {
            if let i = s.appointments.firstIndex(where: { $0.id == id }) { change(&s.appointments[i]) }
        }
        func updateInstallation(_ id: UUID, _ change: (inout Installation) -> Void) {
            if let i = s.installations.firstIndex(where: { $0.id == id }) { change(&s.installations[i]) }
        }
        switch event {
        case .appointmentScheduled(let e): s.appointments.append(e.appointment)
        case .appointmentRescheduled(let e): updateAppointment(e.appointmentID) { $0.at = e.at; $0.address = e.address }
        case .appointmentCompleted(let e): updateAppointment(e.appointmentID) { $0.status = .completed }
        case .appointmentCancelled(let e): updateAppointment(e.appointmentID) { $0.status = .cancelled }
        case .ownershipTransferred(let e):
            s.transferredTo = e.newHolder
            s.transferredOn = e.effective
        case .installationAdded(let e): s.installations.append(e.installation)
        case .installationMoved(let e): updateInstallation(e.installationID) { $0.address = e.toAddress; $0.meterNumber = e.meterNumber }
        case .installationRemoved(let e): updateInstallation(e.installationID) { $0.isActive = false }
        case .suspended(let e):
            s.status = .suspended
            s.suspensionReason = e.reason
        case .resumed:
            s.status = .active
            s.suspensionReason = nil
        default: break
        }
        return s
    }
}
