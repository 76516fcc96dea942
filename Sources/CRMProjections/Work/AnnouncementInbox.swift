import CRMDomain
import EventSourcing
import Foundation

/// The announcement inbox with read state per employee (R-ORG-3): published announcements indexed by each
/// target group (department, branch, role, named employee) and the read receipts. Expiry is checked at
/// query time; a withdrawn announcement leaves every inbox.
///
/// ```swift
/// let reader = AnnouncementReader(employeeID: me, departments: units, branch: "north", roles: roles)
/// let items = try AnnouncementInbox.inbox(for: reader, now: now, in: views)
/// ```
public struct AnnouncementInbox: Projection {
    public let name = "announcement-inbox"
    public let version: UInt32 = 1

    /// `announcementID → Announcement`: published and not withdrawn.
    public static let announcements = ViewTable("announcements")
    /// `target kind + target id + announcementID → ()`: kinds `d` (department), `b` (branch), `r` (role), `e` (employee).
    public static let byTarget = ViewTable("by-target")
    /// `announcementID + employeeID → Date`: read receipts.
    public static let reads = ViewTable("reads")

    public var tables: [ViewTable] { [Self.announcements, Self.byTarget, Self.reads] }

    public var eventTypes: Set<String>? {
        [AnnouncementPublished.eventType, AnnouncementRead.eventType, AnnouncementWithdrawn.eventType]
    }

    public init() {}

    /// A published announcement.
    public struct Announcement: Codable, Hashable, Sendable {
        public var announcementID: UUID
        public var title: String
        public var body: String
        public var targets: AnnouncementTargets
        public var publishedBy: String
        public var publishedAt: Date
        /// When it stops being shown; nil: never.
        public var expiresAt: Date?
        /// No customer data: only a permission over all data, or the targeting, reaches it.
        public var scope: RecordScope
    }

    /// One announcement in an employee's inbox.
    public struct Item: Hashable, Sendable {
        public var announcement: Announcement
        /// When the employee read it; nil: unread.
        public var readAt: Date?
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as AnnouncementPublished:
            let a = Announcement(announcementID: e.announcementID, title: e.title, body: e.body, targets: e.targets, publishedBy: e.publishedBy,
                                 publishedAt: e.publishedAt, expiresAt: e.expiresAt, scope: .global)
            try views.put(row: a, forKey: ViewKey().uuid(a.announcementID).bytes, in: Self.announcements)
            for key in Self.targetKeys(a) { try views.put([], forKey: key, in: Self.byTarget) }
        case let e as AnnouncementRead:
            guard try views.value(forKey: ViewKey().uuid(e.announcementID).bytes, in: Self.announcements) != nil else { return }
            let key = ViewKey().uuid(e.announcementID).uuid(e.employeeID).bytes
            guard try views.value(forKey: key, in: Self.reads) == nil else { return }
            try views.put(row: e.readAt, forKey: key, in: Self.reads)
        case let e as AnnouncementWithdrawn:
            let key = ViewKey().uuid(e.announcementID).bytes
            guard let a = try views.row(Announcement.self, forKey: key, in: Self.announcements) else { return }
            for k in Self.targetKeys(a) { try views.delete(key: k, in: Self.byTarget) }
            try views.delete(key: key, in: Self.announcements)
            var receipts: [[UInt8]] = []
            try views.scan(Self.reads, prefix: key) { k, _ in
                receipts.append(Array(k))
                return true
            }
            for k in receipts { try views.delete(key: k, in: Self.reads) }
        default:
            return
        }
    }

    private static func targetKeys(_ a: Announcement) -> [[UInt8]] {
        targetPrefixes(departments: a.targets.departments, branches: a.targets.branches, roles: a.targets.roles, employees: a.targets.employees)
            .map { ViewKey($0).uuid(a.announcementID).bytes }
    }

    private static func targetPrefixes(departments: [UUID], branches: [String], roles: [UUID], employees: [UUID]) -> [[UInt8]] {
        departments.map { ViewKey().string("d").uuid($0).bytes }
            + branches.map { ViewKey().string("b").string($0).bytes }
            + roles.map { ViewKey().string("r").uuid($0).bytes }
            + employees.map { ViewKey().string("e").uuid($0).bytes }
    }

    // MARK: - Queries

    /// The announcements `reader` is targeted by, not expired at `now` and published by then, newest
    /// first, with the reader's read state.
    public static func inbox(for reader: AnnouncementReader, now: Date, in views: any ViewReader) throws -> [Item] {
        let prefixes = targetPrefixes(departments: reader.departments, branches: reader.branch.isEmpty ? [] : [reader.branch],
                                      roles: reader.roles, employees: [reader.employeeID])
        var ids: Set<UUID> = []
        for prefix in prefixes {
            try views.scan(byTarget, prefix: prefix) { key, _ in
                if let id = UUID(viewKey: key, at: key.count - 16) { ids.insert(id) }
                return true
            }
        }
        var items: [Item] = []
        for id in ids {
            guard let a = try views.row(Announcement.self, forKey: ViewKey().uuid(id).bytes, in: announcements),
                  a.publishedAt <= now, !(a.expiresAt.map { now >= $0 } ?? false) else { continue }
            let readAt = try views.row(Date.self, forKey: ViewKey().uuid(id).uuid(reader.employeeID).bytes, in: reads)
            items.append(Item(announcement: a, readAt: readAt))
        }
        return items.sorted {
            ($1.announcement.publishedAt, $1.announcement.announcementID.uuidString) < ($0.announcement.publishedAt, $0.announcement.announcementID.uuidString)
        }
    }

    /// How many announcements in `reader`'s inbox at `now` are unread.
    public static func unreadCount(for reader: AnnouncementReader, now: Date, in views: any ViewReader) throws -> Int {
        try inbox(for: reader, now: now, in: views).filter { $0.readAt == nil }.count
    }
}
