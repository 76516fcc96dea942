import CRMDomain
import CRMProjections
import Foundation

/// Statistics reports (R-ANA-5, R-SRV-5, R-SAL-7) as pure functions over read-model rows. The monthly
/// overdue report per department (R-TSK-6) is ``CRMProjections/TicketSLABoard/monthlyOverdue(year:month:calendar:asOf:in:where:)``
/// (the domain's ``CRMDomain/OverdueReport``), not repeated here.
public enum Reports {
    // MARK: - Task completion

    /// One assignee's completed tasks over some months.
    public struct TaskCompletion: Hashable, Sendable {
        public var assignee: String
        public var onTime: Int
        public var late: Int
        public var completed: Int { onTime + late }
        /// onTime ÷ completed × 100, 2 places; nil with nothing completed.
        public var onTimePercent: Decimal?
    }

    /// One assignee's completions of one month.
    public struct CompletionRow: Hashable, Sendable {
        public var assignee: String
        public var month: RevenueMonth
        public var onTime: Int
        public var late: Int

        public init(assignee: String, month: RevenueMonth, onTime: Int, late: Int) {
            self.assignee = assignee
            self.month = month
            self.onTime = onTime
            self.late = late
        }

        /// The task board's monthly counts; nil when its month text is malformed.
        public init?(_ row: TaskBoard.Completions) {
            guard let month = RevenueMonth(text: row.month) else { return nil }
            self.init(assignee: row.assignee, month: month, onTime: row.onTime, late: row.late)
        }
    }

    /// Task completion statistics per assignee from the task board's monthly counts, months `from`
    /// through `through` (inclusive); assignees in id order.
    public static func taskCompletion(_ rows: [TaskBoard.Completions], from: RevenueMonth, through: RevenueMonth) -> [TaskCompletion] {
        taskCompletion(rows.compactMap(CompletionRow.init), from: from, through: through)
    }

    /// Task completion statistics per assignee, months `from` through `through` (inclusive); assignees in id order.
    public static func taskCompletion(_ rows: [CompletionRow], from: RevenueMonth, through: RevenueMonth) -> [TaskCompletion] {
        var sums: [String: (Int, Int)] = [:]
        for row in rows {
            let m = row.month
            guard m >= from, m <= through else { continue }
            let s = sums[row.assignee] ?? (0, 0)
            sums[row.assignee] = (s.0 + row.onTime, s.1 + row.late)
        }
        return sums.keys.sorted().map { key in
            let (onTime, late) = sums[key] ?? (0, 0)
            let done = onTime + late
            return TaskCompletion(assignee: key, onTime: onTime, late: late,
                                  onTimePercent: done == 0 ? nil : (Decimal(onTime) / Decimal(done) * 100).rounded(2))
        }
    }

    // MARK: - Revenue and growth per account manager

    /// One account manager's revenue in two periods.
    public struct ManagerRevenue: Hashable, Sendable {
        /// The customers' owner (the first owner of the cell's scope; `""` for unowned customers).
        public var manager: String
        public var current: Decimal
        public var previous: Decimal
        /// (current − previous) ÷ previous × 100, 2 places; nil when previous is 0.
        public var growthPercent: Decimal?
        public var customers: Int
    }

    /// Revenue per account manager in `current` against `previous`, one currency; most revenue first,
    /// ties by manager. A customer counts for the manager who owns it now (the cells' scope).
    public static func revenueByManager(_ cells: [RevenueCube.Cell], current: ClosedRange<RevenueMonth>, previous: ClosedRange<RevenueMonth>,
                                        currency: Currency) -> [ManagerRevenue] {
        revenueByManager(cells.compactMap(RevenueExplanation.Row.init), current: current, previous: previous, currency: currency)
    }

    /// Revenue per account manager (the rows' `manager`) in `current` against `previous`, one currency.
    public static func revenueByManager(_ cells: [RevenueExplanation.Row], current: ClosedRange<RevenueMonth>, previous: ClosedRange<RevenueMonth>,
                                        currency: Currency) -> [ManagerRevenue] {
        var now: [String: Decimal] = [:], before: [String: Decimal] = [:], customers: [String: Set<UUID>] = [:]
        for cell in cells where cell.currency == currency {
            let m = cell.month
            let manager = cell.manager ?? ""
            if current.contains(m) {
                now[manager, default: 0] += cell.amount
                if let customer = cell.customerID { customers[manager, default: []].insert(customer) }
            }
            if previous.contains(m) { before[manager, default: 0] += cell.amount }
        }
        return Set(now.keys).union(before.keys).map { manager in
            let c = now[manager] ?? 0, p = before[manager] ?? 0
            return ManagerRevenue(manager: manager, current: c, previous: p, growthPercent: Tendency.changePercent(c, p),
                                  customers: customers[manager]?.count ?? 0)
        }.sorted { ($1.current, $0.manager) < ($0.current, $1.manager) }
    }

    // MARK: - Service quality

    /// The facts of one ticket that service quality reads.
    public struct TicketFacts: Hashable, Sendable {
        public var assignee: String?
        public var openedAt: Date
        public var responseDueAt: Date
        public var firstRespondedAt: Date?
        public var resolutionDueAt: Date
        public var resolvedAt: Date?
        /// 1…5 from the closing survey; nil when not rated.
        public var satisfaction: Int?

        public init(assignee: String?, openedAt: Date, responseDueAt: Date, firstRespondedAt: Date?, resolutionDueAt: Date,
                    resolvedAt: Date?, satisfaction: Int? = nil) {
            self.assignee = assignee
            self.openedAt = openedAt
            self.responseDueAt = responseDueAt
            self.firstRespondedAt = firstRespondedAt
            self.resolutionDueAt = resolutionDueAt
            self.resolvedAt = resolvedAt
            self.satisfaction = satisfaction
        }

        /// A row of the SLA board (which keeps no satisfaction: pass it from the ticket when known).
        public init(_ row: TicketSLABoard.TicketRow, satisfaction: Int? = nil) {
            self.init(assignee: row.assignee, openedAt: row.openedAt, responseDueAt: row.responseDueAt, firstRespondedAt: row.firstRespondedAt,
                      resolutionDueAt: row.resolutionDueAt, resolvedAt: row.resolvedAt, satisfaction: satisfaction)
        }
    }

    /// Service quality of a group of tickets (all, one agent's, or those without an assignee).
    public struct ServiceQuality: Hashable, Sendable {
        /// Which tickets a row sums up.
        public enum Group: String, Hashable, Sendable {
            /// Every ticket of the report (the first row; label `(all)`).
            case all
            /// One assignee's tickets.
            case assignee
            /// The tickets nobody is assigned to (label `(unassigned)`).
            case unassigned
        }

        /// The agent, or `""` for the whole set and for the unassigned tickets (``group`` tells which).
        public var assignee: String
        public var group: Group = .assignee
        public var tickets: Int
        /// Responded ÷ tickets × 100.
        public var responseRatePercent: Decimal?
        /// Responded by the response deadline ÷ responded × 100.
        public var respondedInTimePercent: Decimal?
        /// Mean minutes from opening to first response.
        public var averageWaitMinutes: Decimal?
        /// Mean minutes from opening to resolution, over resolved tickets.
        public var averageHandlingMinutes: Decimal?
        /// Resolved by the resolution deadline ÷ resolved × 100.
        public var resolvedInSLAPercent: Decimal?
        /// Mean satisfaction of the rated tickets.
        public var averageSatisfaction: Decimal?
        public var resolved: Int
    }

    /// Service quality for all tickets together first, then for the tickets without an assignee (a row of
    /// group `.unassigned`, when there are any), then per assignee (by id).
    public static func serviceQuality(_ tickets: [TicketFacts]) -> [ServiceQuality] {
        var groups: [String: [TicketFacts]] = [:]
        var unassigned: [TicketFacts] = []
        for t in tickets {
            if let assignee = t.assignee, !assignee.isEmpty { groups[assignee, default: []].append(t) } else { unassigned.append(t) }
        }
        return [quality(of: tickets, as: "", group: .all)] + (unassigned.isEmpty ? [] : [quality(of: unassigned, as: "", group: .unassigned)])
            + groups.keys.sorted().map { quality(of: groups[$0] ?? [], as: $0) }
    }

    static func quality(of tickets: [TicketFacts], as assignee: String, group: ServiceQuality.Group = .assignee) -> ServiceQuality {
        func percent(_ a: Int, _ b: Int) -> Decimal? { b == 0 ? nil : (Decimal(a) / Decimal(b) * 100).rounded(2) }
        func mean(_ xs: [Decimal]) -> Decimal? { xs.isEmpty ? nil : (xs.reduce(0, +) / Decimal(xs.count)).rounded(2) }
        func minutes(_ from: Date, _ to: Date) -> Decimal { Decimal(Int((to.timeIntervalSince(from) / 60).rounded())) }
        let responded = tickets.filter { $0.firstRespondedAt != nil }
        let inTime = responded.filter { ($0.firstRespondedAt ?? .distantFuture) <= $0.responseDueAt }
        let resolved = tickets.filter { $0.resolvedAt != nil }
        let inSLA = resolved.filter { ($0.resolvedAt ?? .distantFuture) <= $0.resolutionDueAt }
        return ServiceQuality(
            assignee: assignee, group: group, tickets: tickets.count,
            responseRatePercent: percent(responded.count, tickets.count),
            respondedInTimePercent: percent(inTime.count, responded.count),
            averageWaitMinutes: mean(responded.compactMap { t in t.firstRespondedAt.map { minutes(t.openedAt, $0) } }),
            averageHandlingMinutes: mean(resolved.compactMap { t in t.resolvedAt.map { minutes(t.openedAt, $0) } }),
            resolvedInSLAPercent: percent(inSLA.count, resolved.count),
            averageSatisfaction: mean(tickets.compactMap { $0.satisfaction.map { Decimal($0) } }),
            resolved: resolved.count)
    }

    // MARK: - Customer composition

    /// One class of customers and its share.
    public struct Share: Hashable, Sendable {
        public var key: String
        public var count: Int
        /// count ÷ all × 100, 2 places.
        public var percent: Decimal
        /// The summed value (e.g. revenue) of the class, when a value was given.
        public var value: Decimal
    }

    /// Customer composition: items grouped by `key` (kind, group, branch, segment, tier…), with their
    /// count, share and summed `value`; largest count first, ties by key.
    public static func composition<Item>(_ items: [Item], by key: (Item) -> String, value: (Item) -> Decimal = { _ in 0 }) -> [Share] {
        var counts: [String: (Int, Decimal)] = [:]
        for item in items {
            let k = key(item)
            let c = counts[k] ?? (0, 0)
            counts[k] = (c.0 + 1, c.1 + value(item))
        }
        let total = Decimal(items.count)
        return counts.map { k, c in Share(key: k, count: c.0, percent: total == 0 ? 0 : (Decimal(c.0) / total * 100).rounded(2), value: c.1) }
            .sorted { ($1.count, $0.key) < ($0.count, $1.key) }
    }
}
