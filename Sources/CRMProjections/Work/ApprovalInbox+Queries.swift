import CRMDomain
import EventSourcing
import Foundation

extension ApprovalInbox {
    /// One instance in an employee's inbox, as seen at the query's `now`.
    public struct Item: Hashable, Sendable {
        public var instance: Instance
        /// The current step's due instant; nil when the instance was sent back to its submitter.
        public var dueAt: Date?
        /// Seconds past the due instant at `now`; nil when not late.
        public var lateBy: TimeInterval?
        /// True when the employee holds it as the step's delegate.
        public var asDelegate: Bool
        /// True when the step's lateness has been escalated.
        public var escalated: Bool
    }

    /// An employee's approval inbox at one instant.
    public struct Inbox: Hashable, Sendable {
        /// Every instance waiting for the employee (by delegation or by one of `roles`, or sent back to them
        /// as submitter), earliest due first.
        public var pending: [Item]
        /// The pending ones past their due instant at `now` (as `WorkflowInstanceState.isLate(at:)`).
        public var late: [Item]
        /// Instances whose late step was escalated to the employee or to one of `roles`.
        public var escalatedToMe: [Item]
    }

    /// The inbox of `employee` holding `roles` (the engine resolves them from the organisation) at `now`.
    public static func inbox(for employee: String, roles: [String], now: Date, in views: any ViewReader) throws -> Inbox {
        let parties = [WorkflowParty.employee(employee)] + roles.map(WorkflowParty.role)
        var pending: [Item] = []
        var escalatedToMe: [Item] = []
        var seen: Set<String> = []
        for party in parties {
            for (_, instance) in try views.rows(Instance.self, in: Self.pending, prefix: partyKey(party).bytes)
            where seen.insert(instance.stream).inserted {
                pending.append(item(instance, employee: employee, now: now))
            }
        }
        var seenEscalated: Set<String> = []
        for party in parties {
            for (_, instance) in try views.rows(Instance.self, in: Self.escalated, prefix: partyKey(party).bytes)
            where seenEscalated.insert(instance.stream).inserted {
                escalatedToMe.append(item(instance, employee: employee, now: now))
            }
        }
        let order: (Item, Item) -> Bool = {
            ($0.dueAt ?? $0.instance.stepStartedAt, $0.instance.stream) < ($1.dueAt ?? $1.instance.stepStartedAt, $1.instance.stream)
        }
        pending.sort(by: order)
        escalatedToMe.sort(by: order)
        return Inbox(pending: pending, late: pending.filter { $0.lateBy != nil }, escalatedToMe: escalatedToMe)
    }

    /// One waiting instance by its stream, or nil when unknown or finished.
    public static func instance(stream: StreamID, in views: any ViewReader) throws -> Instance? {
        try views.row(Instance.self, forKey: ViewKey().string(stream.rawValue).bytes, in: instances)
    }

    private static func item(_ instance: Instance, employee: String, now: Date) -> Item {
        let due = instance.dueAt
        let late = due.flatMap { now > $0 ? now.timeIntervalSince($0) : nil }
        return Item(instance: instance, dueAt: due, lateBy: late, asDelegate: instance.delegate == employee,
                    escalated: instance.escalatedTo != nil)
    }
}
