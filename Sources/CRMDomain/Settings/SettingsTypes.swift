import Foundation

/// A public holiday, for all branches or for some.
public struct Holiday: Hashable, Sendable, Codable {
    public var date: LocalDate
    public var name: String
    /// The branches it applies to; empty means every branch.
    public var branches: [String]

    public init(date: LocalDate, name: String, branches: [String] = []) {
        self.date = date
        self.name = name
        self.branches = branches
    }

    public func applies(to branch: String?) -> Bool {
        branches.isEmpty || branch.map(branches.contains) == true
    }
}

/// Response and resolution deadlines for tickets of one kind and severity.
public struct SLADeadline: Hashable, Sendable, Codable {
    public var kind: TicketKind
    public var severity: TicketSeverity
    /// Minutes from opening until the first response is due.
    public var responseMinutes: Int
    /// Minutes from opening until resolution is due.
    public var resolutionMinutes: Int

    public init(kind: TicketKind, severity: TicketSeverity, responseMinutes: Int, resolutionMinutes: Int) {
        self.kind = kind
        self.severity = severity
        self.responseMinutes = responseMinutes
        self.resolutionMinutes = resolutionMinutes
    }
}

/// A task routing rule (R-TSK-1): the first rule whose conditions all match decides the assignee.
/// A condition left nil matches anything.
public struct RoutingRule: Hashable, Sendable, Codable {
    public var name: String
    public var branch: String?
    public var community: String?
    public var productLine: String?
    public var customerGroup: String?
    /// The employee to assign; nil assigns the customer's owner (account manager).
    public var assignee: String?

    public init(name: String, branch: String? = nil, community: String? = nil, productLine: String? = nil,
                customerGroup: String? = nil, assignee: String? = nil) {
        self.name = name
        self.branch = branch
        self.community = community
        self.productLine = productLine
        self.customerGroup = customerGroup
        self.assignee = assignee
    }
}

/// What a routed task is about, for matching against ``RoutingRule``s.
public struct RoutingInput: Hashable, Sendable {
    public var branch: String?
    public var community: String?
    public var productLine: String?
    public var customerGroup: String?
    public var customerOwner: String?

    public init(branch: String? = nil, community: String? = nil, productLine: String? = nil, customerGroup: String? = nil, customerOwner: String? = nil) {
        self.branch = branch
        self.community = community
        self.productLine = productLine
        self.customerGroup = customerGroup
        self.customerOwner = customerOwner
    }
}

extension Array where Element == RoutingRule {
    /// The assignee the first matching rule gives, or nil when no rule matches (or it names the owner
    /// and the customer has none).
    public func route(_ input: RoutingInput) -> String? {
        func matches(_ condition: String?, _ value: String?) -> Bool { condition == nil || condition == value }
        for rule in self where matches(rule.branch, input.branch) && matches(rule.community, input.community)
            && matches(rule.productLine, input.productLine) && matches(rule.customerGroup, input.customerGroup) {
            return rule.assignee ?? input.customerOwner
        }
        return nil
    }
}

/// One step of a ticket rule chain (R-SRV-2), e.g. "complaint received → notify the sales owner →
/// queue an apology letter".
public struct RuleAction: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// Tell the customer's owner (a notification task).
        case notifyOwner
        /// Queue a letter from a template (an outbox item).
        case queueLetter
        /// Dispatch a follow-up task to a department.
        case createTask
        /// Raise the ticket's severity one step.
        case escalate
    }

    public var kind: Kind
    /// The letter template or the task's subject.
    public var template: String?
    /// The department a created task goes to.
    public var department: String?
    /// Hours until a created task is due.
    public var dueInHours: Int?

    public init(kind: Kind, template: String? = nil, department: String? = nil, dueInHours: Int? = nil) {
        self.kind = kind
        self.template = template
        self.department = department
        self.dueInHours = dueInHours
    }
}

/// The rule chain for tickets of one kind, at or above a minimum severity.
public struct TicketRuleChain: Hashable, Sendable, Codable {
    public var kind: TicketKind
    public var minimumSeverity: TicketSeverity
    public var actions: [RuleAction]

    public init(kind: TicketKind, minimumSeverity: TicketSeverity = .low, actions: [RuleAction]) {
        self.kind = kind
        self.minimumSeverity = minimumSeverity
        self.actions = actions
    }
}

/// How an account manager's daily pay is estimated from the KPI scheme (R-ANA-2): a base per working
/// day plus, per KPI item, its day's score × a rate per point (the indicator's own rate, else the default).
public struct PayScheme: Hashable, Sendable, Codable {
    /// One indicator's rate per point.
    public struct Rate: Hashable, Sendable, Codable {
        public var indicator: String
        public var perPoint: Decimal
        public init(indicator: String, perPoint: Decimal) {
            self.indicator = indicator
            self.perPoint = perPoint
        }
    }

    public var currency: Currency
    public var basePerDay: Decimal
    public var defaultRatePerPoint: Decimal
    /// Rates of indicators paid otherwise than the default, one per indicator, by indicator.
    public var rates: [Rate]

    public init(currency: Currency, basePerDay: Decimal = 0, defaultRatePerPoint: Decimal, rates: [Rate] = []) {
        self.currency = currency
        self.basePerDay = basePerDay
        self.defaultRatePerPoint = defaultRatePerPoint
        self.rates = rates
    }
}

/// A cost budget for one month (R-ANA-5) beside the campaigns' own budgets: for a cost category (e.g.
/// `visits`, the sales and service visits' costs, which carry no budget of their own), a customer or an
/// industry. One per dimension, key, month and currency; setting it again replaces the amount.
public struct CostBudget: Hashable, Sendable, Codable {
    public enum Dimension: String, Hashable, Sendable, Codable, CaseIterable {
        case category, customer, industry
    }

    public var dimension: Dimension
    /// The category name, the customer's id (lowercased) or the industry.
    public var key: String
    public var month: RevenueMonth
    public var amount: Money

    public init(dimension: Dimension, key: String, month: RevenueMonth, amount: Money) {
        self.dimension = dimension
        self.key = key
        self.month = month
        self.amount = amount
    }

    /// Whether `other` is the budget of the same dimension, key, month and currency.
    public func sameSlot(as other: CostBudget) -> Bool {
        dimension == other.dimension && key == other.key && month == other.month && amount.currency == other.amount.currency
    }
}

/// How RFM scores become a loyalty score and a segment (R-ANA-3): the weights of R, F and M in the
/// loyalty score and the segment rules, tried in order (the first whose R range and FM range — the mean of
/// F and M — both hold names the segment). No segments: the built-in ones (docs/ANALYTICS.md).
public struct RFMScheme: Hashable, Sendable, Codable {
    /// One segment rule: R from `recencyFrom` to `recencyTo`, FM from `fmFrom` to `fmTo` (scores 1–5).
    public struct Segment: Hashable, Sendable, Codable {
        public var name: String
        public var recencyFrom: Int
        public var recencyTo: Int
        public var fmFrom: Decimal
        public var fmTo: Decimal

        public init(name: String, recencyFrom: Int, recencyTo: Int, fmFrom: Decimal, fmTo: Decimal) {
            self.name = name
            self.recencyFrom = recencyFrom
            self.recencyTo = recencyTo
            self.fmFrom = fmFrom
            self.fmTo = fmTo
        }
    }

    public var recencyWeight: Decimal
    public var frequencyWeight: Decimal
    public var monetaryWeight: Decimal
    public var segments: [Segment]

    public init(recencyWeight: Decimal = 1, frequencyWeight: Decimal = 1, monetaryWeight: Decimal = 1, segments: [Segment] = []) {
        self.recencyWeight = recencyWeight
        self.frequencyWeight = frequencyWeight
        self.monetaryWeight = monetaryWeight
        self.segments = segments
    }
}
