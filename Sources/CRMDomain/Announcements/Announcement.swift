import EventSourcing
import Foundation

/// An announcement from management (R-ORG-3): published to target groups (departments, branches, roles,
/// named employees), shown until it expires or is withdrawn; targeted employees mark it read, once.
/// Stream `announcement-<id>`.
public enum Announcement: Aggregate {
    public static let category = "announcement"

    public struct State: Sendable, Equatable {
        public var announcementID: UUID?
        public var title = ""
        public var body = ""
        public var targets = AnnouncementTargets()
        public var publishedAt: Date?
        public var expiresAt: Date?
        /// Who read it, and when.
        public var readBy: [UUID: Date] = [:]
        public var withdrawnAt: Date?
        public var withdrawalReason: String?

        public init() {}

        public var isWithdrawn: Bool { withdrawnAt != nil }

        /// Whether it has expired at `instant` (expiry is exclusive: at the expiry instant it is gone).
        public func isExpired(at instant: Date) -> Bool { expiresAt.map { instant >= $0 } ?? false }

        /// Whether `reader` sees it at `instant`: published by then, neither expired nor withdrawn, and
        /// `reader` is in a target group.
        public func isVisible(to reader: AnnouncementReader, at instant: Date) -> Bool {
            guard let publishedAt, publishedAt <= instant, !isWithdrawn, !isExpired(at: instant) else { return false }
            return targets.includes(reader)
        }

        /// The ids of the targeted `employees` who have not read it, in the given order (untargeted ones
        /// are left out: it was never for them).
        public func unreadBy(employees: [AnnouncementReader]) -> [UUID] {
            guard announcementID != nil else { return [] }
            return employees.filter { targets.includes($0) && readBy[$0.employeeID] == nil }.map(\.employeeID)
        }
    }

    public enum Command: Sendable {
        /// Publishes now; `expiresAt`, when given, must be later than now.
        case publish(announcementID: UUID, title: String, body: String, targets: AnnouncementTargets, expiresAt: Date?)
        /// `reader` marks it read. An announcement not for `reader` is "not found", as an unknown one.
        case markRead(AnnouncementReader)
        /// Takes it down, with the reason shown in the trail.
        case withdraw(reason: String)
    }

    public typealias Event = AnnouncementEvent
    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .publish(let id, let title, let body, let targets, let expiresAt):
            guard state.announcementID == nil else { throw DomainError(.alreadyExists, "the announcement already exists") }
            let title = try Validate.text(title, field: "title", max: 200)
            let body = try Validate.multilineText(body, field: "body", max: 20_000)
            for branch in targets.branches { try Validate.characters(of: branch, field: "targets", multiline: false) }
            let targets = deduplicated(targets)
            guard !targets.isEmpty else { throw .invalid("targets", "name at least one department, branch, role or employee") }
            if let expiresAt, expiresAt <= context.now { throw .invalid("expiresAt", "the expiry must be later than the publication") }
            return [.published(AnnouncementPublished(announcementID: id, title: title, body: body, targets: targets,
                                                     publishedBy: context.actor, publishedAt: context.now, expiresAt: expiresAt))]

        case .markRead(let reader):
            let id = try announcement(state)
            // One it is not for does not exist for the reader: the same answer as an unknown id, whatever
            // became of it since (withdrawn, expired), so it tells nothing of announcements for others.
            guard state.targets.includes(reader) else { throw .notFound("no such announcement") }
            guard !state.isWithdrawn else { throw .transition("the announcement was withdrawn") }
            guard state.readBy[reader.employeeID] == nil else { return [] }
            guard !state.isExpired(at: context.now) else { throw .transition("the announcement has expired") }
            return [.read(AnnouncementRead(announcementID: id, employeeID: reader.employeeID, readAt: context.now))]

        case .withdraw(let reason):
            let id = try announcement(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            guard !state.isWithdrawn else { return [] }
            return [.withdrawn(AnnouncementWithdrawn(announcementID: id, reason: reason, withdrawnBy: context.actor, withdrawnAt: context.now))]
        }
    }

    private static func announcement(_ state: State) throws(DomainError) -> UUID {
        guard let id = state.announcementID else { throw .notFound("no such announcement") }
        return id
    }

    /// The targets with blank branches dropped and repeats removed, order kept.
    private static func deduplicated(_ t: AnnouncementTargets) -> AnnouncementTargets {
        func unique<T: Hashable>(_ xs: [T]) -> [T] {
            var seen = Set<T>()
            return xs.filter { seen.insert($0).inserted }
        }
        let branches = t.branches.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return AnnouncementTargets(departments: unique(t.departments), branches: unique(branches), roles: unique(t.roles), employees: unique(t.employees))
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .published(let e):
            s.announcementID = e.announcementID
            s.title = e.title
            s.body = e.body
            s.targets = e.targets
            s.publishedAt = e.publishedAt
            s.expiresAt = e.expiresAt
        case .read(let e):
            s.readBy[e.employeeID] = e.readAt
        case .withdrawn(let e):
            s.withdrawnAt = e.withdrawnAt
            s.withdrawalReason = e.reason
        }
        return s
    }
}
