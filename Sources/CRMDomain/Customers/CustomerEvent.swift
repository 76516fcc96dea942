import EventSourcing
import Foundation

/// The events of the customer aggregate.
public enum CustomerEvent: DomainEvent {
    case created(CustomerCreated)
    case edited(CustomerEdited)
    case activated(CustomerActivated)
    case archived(CustomerArchived)
    case restored(CustomerRestored)
    case mergedInto(CustomerMergedInto)
    case absorbedDuplicate(CustomerAbsorbedDuplicate)
    case externalKeySet(CustomerExternalKeySet)
    case externalKeyRemoved(CustomerExternalKeyRemoved)
    case appointmentScheduled(CustomerAppointmentScheduled)
    case appointmentRescheduled(CustomerAppointmentRescheduled)
    case appointmentCompleted(CustomerAppointmentCompleted)
    case appointmentCancelled(CustomerAppointmentCancelled)
    case ownershipTransferred(CustomerOwnershipTransferred)
    case installationAdded(CustomerInstallationAdded)
    case installationMoved(CustomerInstallationMoved)
    case installationRemoved(CustomerInstallationRemoved)
    case suspended(CustomerSuspended)
    case resumed(CustomerResumed)

    public static let payloadTypes: [any EventPayload.Type] = [
        CustomerCreated.self,
        CustomerEdited.self,
        CustomerActivated.self,
        CustomerArchived.self,
        CustomerRestored.self,
        CustomerMergedInto.self,
        CustomerAbsorbedDuplicate.self,
        CustomerExternalKeySet.self,
        CustomerExternalKeyRemoved.self,
        CustomerAppointmentScheduled.self,
        CustomerAppointmentRescheduled.self,
        CustomerAppointmentCompleted.self,
        CustomerAppointmentCancelled.self,
        CustomerOwnershipTransferred.self,
        CustomerInstallationAdded.self,
        CustomerInstallationMoved.self,
        CustomerInstallationRemoved.self,
        CustomerSuspended.self,
        CustomerResumed.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .created(let p): return p
        case .edited(let p): return p
        case .activated(let p): return p
        case .archived(let p): return p
        case .restored(let p): return p
        case .mergedInto(let p): return p
        case .absorbedDuplicate(let p): return p
        case .externalKeySet(let p): return p
        case .externalKeyRemoved(let p): return p
        case .appointmentScheduled(let p): return p
        case .appointmentRescheduled(let p): return p
        case .appointmentCompleted(let p): return p
        case .appointmentCancelled(let p): return p
        case .ownershipTransferred(let p): return p
        case .installationAdded(let p): return p
        case .installationMoved(let p): return p
        case .installationRemoved(let p): return p
        case .suspended(let p): return p
        case .resumed(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as CustomerCreated: self = .created(p)
        case let p as CustomerEdited: self = .edited(p)
        case let p as CustomerActivated: self = .activated(p)
        case let p as CustomerArchived: self = .archived(p)
        case let p as CustomerRestored: self = .restored(p)
        case let p as CustomerMergedInto: self = .mergedInto(p)
        case let p as CustomerAbsorbedDuplicate: self = .absorbedDuplicate(p)
        case let p as CustomerExternalKeySet: self = .externalKeySet(p)
        case let p as CustomerExternalKeyRemoved: self = .externalKeyRemoved(p)
        case let p as CustomerAppointmentScheduled: self = .appointmentScheduled(p)
        case let p as CustomerAppointmentRescheduled: self = .appointmentRescheduled(p)
        case let p as CustomerAppointmentCompleted: self = .appointmentCompleted(p)
        case let p as CustomerAppointmentCancelled: self = .appointmentCancelled(p)
        case let p as CustomerOwnershipTransferred: self = .ownershipTransferred(p)
        case let p as CustomerInstallationAdded: self = .installationAdded(p)
        case let p as CustomerInstallationMoved: self = .installationMoved(p)
        case let p as CustomerInstallationRemoved: self = .installationRemoved(p)
        case let p as CustomerSuspended: self = .suspended(p)
        case let p as CustomerResumed: self = .resumed(p)
        default: return nil
        }
    }
}
