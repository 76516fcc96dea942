import EventSourcing
import Foundation

public struct AnnouncementPublished: EventPayload, Equatable {
    public static let eventType = "AnnouncementPublished"
    public static let schemaVersion: UInt32 = 1
    public var announcementID: UUID
    public var title: String
    public var body: String
    public var targets: AnnouncementTargets
    public var publishedBy: String
    public var publishedAt: Date
    /// When it stops being shown; nil for never.
    public var expiresAt: Date?

    public init(announcementID: UUID, title: String, body: String, targets: AnnouncementTargets, publishedBy: String, publishedAt: Date, expiresAt: Date? = nil) {
        self.announcementID = announcementID
        self.title = title
        self.body = body
        self.targets = targets
        self.publishedBy = publishedBy
        self.publishedAt = publishedAt
        self.expiresAt = expiresAt
    }
}

public struct AnnouncementRead: EventPayload, Equatable {
    public static let eventType = "AnnouncementRead"
    public static let schemaVersion: UInt32 = 1
    public var announcementID: UUID
    public var employeeID: UUID
    public var readAt: Date

    public init(announcementID: UUID, employeeID: UUID, readAt: Date) {
        self.announcementID = announcementID
        self.employeeID = employeeID
        self.readAt = readAt
    }
}

public struct AnnouncementWithdrawn: EventPayload, Equatable {
    public static let eventType = "AnnouncementWithdrawn"
    public static let schemaVersion: UInt32 = 1
    public var announcementID: UUID
    public var reason: String
    public var withdrawnBy: String
    public var withdrawnAt: Date

    public init(announcementID: UUID, reason: String, withdrawnBy: String, withdrawnAt: Date) {
        self.announcementID = announcementID
        self.reason = reason
        self.withdrawnBy = withdrawnBy
        self.withdrawnAt = withdrawnAt
    }
}

public enum AnnouncementEvent: DomainEvent {
    case published(AnnouncementPublished)
    case read(AnnouncementRead)
    case withdrawn(AnnouncementWithdrawn)

    public static let payloadTypes: [any EventPayload.Type] = [
        AnnouncementPublished.self, AnnouncementRead.self, AnnouncementWithdrawn.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .published(let p): return p
        case .read(let p): return p
        case .withdrawn(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as AnnouncementPublished: self = .published(p)
        case let p as AnnouncementRead: self = .read(p)
        case let p as AnnouncementWithdrawn: self = .withdrawn(p)
        default: return nil
        }
    }
}
