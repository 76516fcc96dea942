import CRMDomain
import EventSourcing
import Foundation

/// What a generated history contains, known before a single event is produced: the branches, the staff by
/// branch and role, the roles, and every customer with its branch and owner. Tests use it to say "an
/// employee of branch A" or "a customer of branch B" without replaying the log.
///
/// ```swift
/// let world = HistoryGenerator(configuration).world
/// let agent = world.staff(of: "berlin", role: .accountManager).first
/// let theirCustomers = world.customers(of: "berlin").filter { $0.owner == agent?.id }
/// ```
public struct World: Sendable {
    /// A branch with its unit in the organisation, its time zone, currency and communities (territories).
    public struct Branch: Sendable, Hashable {
        public var name: String
        public var timeZoneID: String
        public var currency: Currency
        /// The branch's top-level department.
        public var unitID: UUID
        /// Communities customers of the branch belong to, e.g. `shanghai-pudong`.
        public var communities: [String]
    }

    /// What a member of staff does; each has the matching role granted.
    public enum StaffRole: String, Sendable, Hashable, CaseIterable {
        /// The bootstrap administrator (every permission, all data).
        case administrator
        /// Manages a branch: its account manager rights plus approving, scoped to the branch.
        case branchManager
        /// Owns customers, tasks, visits, opportunities and quotes of the branch.
        case accountManager
        /// Works tickets and the contact log of the branch.
        case serviceAgent
    }

    /// A member of staff. Their id's lowercased text is the actor of their events and the `owner` /
    /// `assignee` in records.
    public struct Staff: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var branch: String
        public var role: StaffRole
        /// The id as actors and assignees spell it (lowercased).
        public var actor: String { id.lowercasedString }
    }

    /// A customer: who it is, where it belongs and when it appears in the history.
    public struct Customer: Sendable, Hashable {
        public var id: UUID
        public var name: String
        public var kind: CustomerKind
        /// The customer group, which selects the custom form: `residential`, `business` or `key-account`.
        public var group: String
        public var branch: String
        public var community: String
        /// The owning account manager's employee id.
        public var owner: UUID
        /// When the customer is created in the history.
        public var createdAt: Date
    }

    /// The first instant of the history.
    public var start: Date
    /// The end of the history (exclusive): `start` plus the configured months. Open tasks due before it are overdue.
    public var end: Date
    public var branches: [Branch]
    /// The administrator first, then each branch's staff.
    public var staff: [Staff]
    /// Role ids by name (`Administrator`, `Account manager shanghai`, …).
    public var roles: [String: UUID]
    /// Every customer, in order of creation.
    public var customers: [Customer]
    /// The customer groups with a custom form.
    public var customerGroups: [String]

    /// The bootstrap administrator.
    public var administrator: Staff? { staff.first { $0.role == .administrator } }

    /// The staff of `branch`, optionally only those of one role.
    public func staff(of branch: String, role: StaffRole? = nil) -> [Staff] {
        staff.filter { $0.branch == branch && $0.role != .administrator && (role == nil || $0.role == role) }
    }

    /// The customers of `branch`.
    public func customers(of branch: String) -> [Customer] {
        customers.filter { $0.branch == branch }
    }

    /// The branch named `name`.
    public func branch(_ name: String) -> Branch? { branches.first { $0.name == name } }
}
