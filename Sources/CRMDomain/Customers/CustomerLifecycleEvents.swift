import EventSourcing
import Foundation

/// An appointment was scheduled (install, move, remove, on-site service; R-CUS-5).
public struct CustomerAppointmentScheduled: EventPayload, Equatable {
    public static let eventType = "CustomerAppointmentScheduled"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var appointment: Appointment

    public init(customerID: UUID, appointment: Appointment) {
        self.customerID = customerID
        self.appointment = appointment
    }
}

/// A scheduled appointment moved to another time or address.
public struct CustomerAppointmentRescheduled: EventPayload, Equatable {
    public static let eventType = "CustomerAppointmentRescheduled"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var appointmentID: UUID
    public var previousAt: Date
    public var at: Date
    public var previousAddress: String
    public var address: String

    public init(customerID: UUID, appointmentID: UUID, previousAt: Date, at: Date, previousAddress: String, address: String) {
        self.customerID = customerID
        self.appointmentID = appointmentID
        self.previousAt = previousAt
        self.at = at
        self.previousAddress = previousAddress
        self.address = address
    }
}

/// A scheduled appointment took place.
public struct CustomerAppointmentCompleted: EventPayload, Equatable {
    public static let eventType = "CustomerAppointmentCompleted"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var appointmentID: UUID
    public var completedAt: Date
    public var note: String?

    public init(customerID: UUID, appointmentID: UUID, completedAt: Date, note: String? = nil) {
        self.customerID = customerID
        self.appointmentID = appointmentID
        self.completedAt = completedAt
        self.note = note
    }
}

/// A scheduled appointment was cancelled.
public struct CustomerAppointmentCancelled: EventPayload, Equatable {
    public static let eventType = "CustomerAppointmentCancelled"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var appointmentID: UUID
    public var reason: String?

    public init(customerID: UUID, appointmentID: UUID, reason: String? = nil) {
        self.customerID = customerID
        self.appointmentID = appointmentID
        self.reason = reason
    }
}

/// The account passed to a new holder on a date (transfer of ownership, R-CUS-7).
public struct CustomerOwnershipTransferred: EventPayload, Equatable {
    public static let eventType = "CustomerOwnershipTransferred"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var previousHolder: String
    public var newHolder: String
    public var effective: LocalDate

    public init(customerID: UUID, previousHolder: String, newHolder: String, effective: LocalDate) {
        self.customerID = customerID
        self.previousHolder = previousHolder
        self.newHolder = newHolder
        self.effective = effective
    }
}

/// An installation (address and meter) was added.
public struct CustomerInstallationAdded: EventPayload, Equatable {
    public static let eventType = "CustomerInstallationAdded"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var installation: Installation

    public init(customerID: UUID, installation: Installation) {
        self.customerID = customerID
        self.installation = installation
    }
}

/// An installation moved to another address, possibly with a new meter.
public struct CustomerInstallationMoved: EventPayload, Equatable {
    public static let eventType = "CustomerInstallationMoved"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var installationID: UUID
    public var fromAddress: String
    public var toAddress: String
    public var previousMeterNumber: String
    public var meterNumber: String

    public init(customerID: UUID, installationID: UUID, fromAddress: String, toAddress: String, previousMeterNumber: String, meterNumber: String) {
        self.customerID = customerID
        self.installationID = installationID
        self.fromAddress = fromAddress
        self.toAddress = toAddress
        self.previousMeterNumber = previousMeterNumber
        self.meterNumber = meterNumber
    }
}

/// An installation was removed (final).
public struct CustomerInstallationRemoved: EventPayload, Equatable {
    public static let eventType = "CustomerInstallationRemoved"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var installationID: UUID
    public var reason: String?

    public init(customerID: UUID, installationID: UUID, reason: String? = nil) {
        self.customerID = customerID
        self.installationID = installationID
        self.reason = reason
    }
}

/// An active customer was suspended.
public struct CustomerSuspended: EventPayload, Equatable {
    public static let eventType = "CustomerSuspended"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var reason: String

    public init(customerID: UUID, reason: String) {
        self.customerID = customerID
        self.reason = reason
    }
}

/// A suspended customer is active again.
public struct CustomerResumed: EventPayload, Equatable {
    public static let eventType = "CustomerResumed"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID

    public init(customerID: UUID) {
        self.customerID = customerID
    }
}
