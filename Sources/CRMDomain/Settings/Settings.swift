import EventSourcing
import Foundation

/// Configuration as data (R-ORG-4): branch time zones, holidays, SLA deadlines, task routing rules,
/// reminder lead times and ticket rule chains (part 1); discount limits, exchange rates, warning and
/// loyalty thresholds and KPI rules (part 2, `Settings+Sales.swift`). One stream, ``Settings/streamID``; every change is
/// an event, so the settings have a modification trail like any record.
public enum Settings: Aggregate {
    public static let category = "settings"
    /// The one settings stream.
    public static let streamID = StreamID("settings-global")

    /// Reminder lead times used until a setting says otherwise, in days.
    public static let defaultLeadDays: [ReminderKind: Int] = [
        .birthday: 3, .anniversary: 7, .holiday: 5, .appointment: 1, .contractExpiry: 30, .diary: 0, .subscription: 1,
    ]

    /// The longest SLA deadline, in minutes: ten years of 365 days.
    public static let maximumDeadlineMinutes = 10 * 365 * 24 * 60
    /// The latest a rule chain's task can be due, in hours after the ticket event: ten years of 365 days.
    public static let maximumTaskDueHours = 10 * 365 * 24

    /// The areas of IANA location time zone ids (`Asia/Shanghai`, `America/Argentina/Buenos_Aires`, `Etc/GMT-8`).
    static let timeZoneAreas: Set<Substring> = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific", "Etc",
    ]

    public struct State: Sendable, Equatable, Codable {
        public var branchTimeZones: [String: String] = [:]
        public var holidays: [Holiday] = []
        public var slaDeadlines: [SLADeadline] = []
        public var routingRules: [RoutingRule] = []
        public var reminderLeadDays: [ReminderKind: Int] = [:]
        public var ticketRuleChains: [TicketRuleChain] = []
        /// Discount limits set explicitly; ``effectiveDiscountLimits`` adds the defaults.
        public var discountLimits: [DiscountLimit] = []
        public var exchangeRates: [ExchangeRate] = []
        public var warningThresholds: [WarningThreshold] = []
        public var loyaltyThresholds: [LoyaltyThreshold] = []
        public var kpiRules: [KPIRule] = []
        /// The scoring curve and period per KPI indicator, where not the default (linear capped at 1, monthly).
        public var kpiScoring: [KPIScoring] = []
        /// How spend, tenure and activities earn loyalty points (R-CUS-8); the engine's reactor applies them.
        public var loyaltyAccrualRules: [LoyaltyAccrualRule] = []
        /// How daily pay is estimated (R-ANA-2); none until set.
        public var payScheme: PayScheme?
        /// Monthly cost budgets of categories, customers and industries (R-ANA-5), beside campaign budgets.
        public var costBudgets: [CostBudget] = []
        /// The RFM weights and segments (R-ANA-3); the built-in ones until set.
        public var rfmScheme: RFMScheme?

        public init() {}

        /// The calendar of a branch's time zone (UTC when the branch has none set).
        public func calendar(forBranch branch: String?) -> LocalCalendar {
            branch.flatMap { branchTimeZones[$0] }.flatMap(LocalCalendar.init(timeZoneID:)) ?? .utc
        }

        /// The SLA deadline for a ticket kind and severity, if configured.
        public func sla(kind: TicketKind, severity: TicketSeverity) -> SLADeadline? {
            slaDeadlines.first { $0.kind == kind && $0.severity == severity }
        }

        /// Days ahead a reminder of `kind` is generated.
        public func leadDays(_ kind: ReminderKind) -> Int {
            reminderLeadDays[kind] ?? Settings.defaultLeadDays[kind] ?? 0
        }

        /// Holidays on `date` that apply to `branch`.
        public func holidays(on date: LocalDate, branch: String?) -> [Holiday] {
            holidays.filter { $0.date == date && $0.applies(to: branch) }
        }

        /// The actions of the rule chains matching a ticket's kind and severity, in order.
        public func ruleActions(kind: TicketKind, severity: TicketSeverity) -> [RuleAction] {
            ticketRuleChains.filter { $0.kind == kind && severity >= $0.minimumSeverity }.flatMap(\.actions)
        }
    }

    public enum Command: Sendable {
        case setBranchTimeZone(branch: String, timeZoneID: String)
        case addHoliday(Holiday)
        case removeHoliday(date: LocalDate, name: String)
        case setSLADeadline(SLADeadline)
        case replaceRoutingRules([RoutingRule])
        case setReminderLeadTime(kind: ReminderKind, days: Int)
        case setTicketRuleChain(TicketRuleChain)
        case removeTicketRuleChain(kind: TicketKind, minimumSeverity: TicketSeverity)
        case setDiscountLimit(DiscountLimit)
        /// Adds a dated rate, or replaces the one with the same currencies and start date.
        case setExchangeRate(ExchangeRate)
        case setWarningThreshold(WarningThreshold)
        case replaceLoyaltyThresholds([LoyaltyThreshold])
        case replaceKPIRules([KPIRule])
        /// Sets one indicator's scoring curve and period (replacing the one it had).
        case setKPIScoring(KPIScoring)
        /// Replaces the loyalty accrual rules: at most one spend rule, one tenure rule, one rule per activity.
        case replaceLoyaltyAccrualRules([LoyaltyAccrualRule])
        /// Sets the daily pay scheme (R-ANA-2).
        case setPayScheme(PayScheme)
        /// Sets one month's cost budget of a category, customer or industry (replacing the same slot's).
        case setCostBudget(CostBudget)
        /// Sets the RFM loyalty-score weights and segment rules (R-ANA-3).
        case setRFMScheme(RFMScheme)
    }

    public typealias Event = SettingsEvent

    public static var initialState: State { State() }

    /// Settings are replaced entry by entry or list by list, resending what stays: a name, code or currency
    /// the settings already hold is not judged again by the character and ISO 4217 checks (it may predate
    /// them); a new one is.
    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .setBranchTimeZone(let branch, let zone):
            let branch = try Validate.text(branch, field: "branch", max: 100, unlessAmong: state.branchTimeZones.keys)
            let zone = try ianaTimeZone(zone, field: "timeZoneID", unlessAmong: state.branchTimeZones.values)
            guard state.branchTimeZones[branch] != zone else { return [] }
            return [.branchTimeZoneSet(BranchTimeZoneSet(branch: branch, timeZoneID: zone))]

        case .addHoliday(var holiday):
            holiday.name = try Validate.text(holiday.name, field: "name", max: 100)
            guard !state.holidays.contains(where: { $0.date == holiday.date && $0.name == holiday.name }) else {
                throw DomainError(.alreadyExists, field: "date", "a holiday of that name is already on that date")
            }
            return [.holidayAdded(HolidayAdded(holiday: holiday))]

        case .removeHoliday(let date, let name):
            guard state.holidays.contains(where: { $0.date == date && $0.name == name }) else {
                throw .notFound("no such holiday on that date")
            }
            return [.holidayRemoved(HolidayRemoved(date: date, name: name))]

        case .setSLADeadline(let deadline):
            let previous = state.sla(kind: deadline.kind, severity: deadline.severity)
            guard previous != deadline else { return [] }
            guard deadline.responseMinutes > 0 else { throw .invalid("responseMinutes", "must be positive") }
            guard deadline.responseMinutes <= maximumDeadlineMinutes else {
                throw .invalid("responseMinutes", "must be at most \(maximumDeadlineMinutes) minutes (ten years)")
            }
            guard deadline.resolutionMinutes >= deadline.responseMinutes else {
                throw .invalid("resolutionMinutes", "must not be shorter than the response deadline")
            }
            guard deadline.resolutionMinutes <= maximumDeadlineMinutes else {
                throw .invalid("resolutionMinutes", "must be at most \(maximumDeadlineMinutes) minutes (ten years)")
            }
            return [.slaDeadlineSet(SLADeadlineSet(deadline: deadline, previous: previous))]

        case .replaceRoutingRules(let rules):
            var names = Set<String>()
            let recorded = state.routingRules
            for rule in rules {
                _ = try Validate.text(rule.name, field: "name", max: 100, unlessAmong: recorded.map(\.name))
                for (field, value, old) in [("branch", rule.branch, recorded.compactMap(\.branch)),
                                            ("community", rule.community, recorded.compactMap(\.community)),
                                            ("productLine", rule.productLine, recorded.compactMap(\.productLine)),
                                            ("customerGroup", rule.customerGroup, recorded.compactMap(\.customerGroup)),
                                            ("assignee", rule.assignee, recorded.compactMap(\.assignee))] {
                    if let value { try Validate.characters(of: value, field: field, multiline: false, unlessAmong: old) }
                }
                guard names.insert(rule.name).inserted else { throw .invalid("name", "rule names must be unique") }
            }
            guard rules != state.routingRules else { return [] }
            return [.routingRulesReplaced(RoutingRulesReplaced(rules: rules))]

        case .setReminderLeadTime(let kind, let days):
            guard (0...366).contains(days) else { throw .invalid("days", "must be between 0 and 366") }
            let previous = state.reminderLeadDays[kind]
            guard previous != days else { return [] }
            return [.reminderLeadTimeSet(ReminderLeadTimeSet(kind: kind, days: days, previousDays: previous))]

        case .setTicketRuleChain(let chain):
            guard !chain.actions.isEmpty else { throw .invalid("actions", "a rule chain needs at least one action") }
            for action in chain.actions where action.kind == .queueLetter && (action.template ?? "").isEmpty {
                throw .invalid("template", "a letter action needs a template")
            }
            for action in chain.actions where action.kind == .createTask && (action.department ?? "").isEmpty {
                throw .invalid("department", "a task action needs a department")
            }
            let recordedActions = state.ticketRuleChains.flatMap(\.actions)
            // A task's due time is judged unless the whole action is one the settings hold (it may predate the bounds).
            for action in chain.actions where !recordedActions.contains(action) {
                guard let hours = action.dueInHours else { continue }
                guard hours > 0 else { throw .invalid("dueInHours", "must be positive") }
                guard hours <= maximumTaskDueHours else {
                    throw .invalid("dueInHours", "must be at most \(maximumTaskDueHours) hours (ten years)")
                }
            }
            for action in chain.actions {
                if let template = action.template {
                    try Validate.characters(of: template, field: "template", multiline: false, unlessAmong: recordedActions.compactMap(\.template))
                }
                if let department = action.department {
                    try Validate.characters(of: department, field: "department", multiline: false, unlessAmong: recordedActions.compactMap(\.department))
                }
            }
            if state.ticketRuleChains.contains(chain) { return [] }
            return [.ticketRuleChainSet(TicketRuleChainSet(chain: chain))]

        case .removeTicketRuleChain(let kind, let minimum):
            guard state.ticketRuleChains.contains(where: { $0.kind == kind && $0.minimumSeverity == minimum }) else {
                throw .notFound("no rule chain for that kind and severity")
            }
            return [.ticketRuleChainRemoved(TicketRuleChainRemoved(kind: kind, minimumSeverity: minimum))]

        case .setDiscountLimit, .setExchangeRate, .setWarningThreshold, .replaceLoyaltyThresholds, .replaceKPIRules, .setKPIScoring, .replaceLoyaltyAccrualRules,
             .setPayScheme, .setCostBudget, .setRFMScheme:
            return try decideSales(command, state: state)
        }
    }

    /// A branch time zone a command brings in: an IANA id Foundation knows, either a location id in one of the
    /// IANA areas (`Asia/Shanghai`, `Etc/GMT-8`), `UTC`, `GMT`, or one of the platform's known ids. Abbreviations and
    /// offsets (`EST`, `GMT+5`) are refused even though Foundation resolves them. A zone the settings already
    /// hold for some branch is taken as recorded (it may predate this check).
    static func ianaTimeZone(_ id: String, field: String, unlessAmong recorded: some Collection<String>) throws(DomainError) -> String {
        guard !recorded.contains(id) else { return id }
        let isLocation = id.contains("/") && id.split(separator: "/", maxSplits: 1).first.map(timeZoneAreas.contains) == true
        guard isLocation || id == "UTC" || id == "GMT" || TimeZone.knownTimeZoneIdentifiers.contains(id) else {
            throw .invalid(field, "must be an IANA time zone id such as Europe/Berlin")
        }
        return try Validate.timeZone(id, field: field)
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .branchTimeZoneSet(let e): s.branchTimeZones[e.branch] = e.timeZoneID
        case .holidayAdded(let e): s.holidays.append(e.holiday)
        case .holidayRemoved(let e): s.holidays.removeAll { $0.date == e.date && $0.name == e.name }
        case .slaDeadlineSet(let e):
            s.slaDeadlines.removeAll { $0.kind == e.deadline.kind && $0.severity == e.deadline.severity }
            s.slaDeadlines.append(e.deadline)
        case .routingRulesReplaced(let e): s.routingRules = e.rules
        case .reminderLeadTimeSet(let e): s.reminderLeadDays[e.kind] = e.days
        case .ticketRuleChainSet(let e):
            s.ticketRuleChains.removeAll { $0.kind == e.chain.kind && $0.minimumSeverity == e.chain.minimumSeverity }
            s.ticketRuleChains.append(e.chain)
        case .ticketRuleChainRemoved(let e):
            s.ticketRuleChains.removeAll { $0.kind == e.kind && $0.minimumSeverity == e.minimumSeverity }
        case .discountLimitSet(let e):
            s.discountLimits.removeAll { $0.role == e.limit.role }
            s.discountLimits.append(e.limit)
        case .exchangeRateSet(let e):
            s.exchangeRates.removeAll { $0.from == e.rate.from && $0.to == e.rate.to && $0.validFrom == e.rate.validFrom }
            s.exchangeRates.append(e.rate)
        case .warningThresholdSet(let e):
            s.warningThresholds.removeAll { $0.sameScope(as: e.threshold) }
            s.warningThresholds.append(e.threshold)
        case .loyaltyThresholdsReplaced(let e): s.loyaltyThresholds = e.thresholds
        case .kpiRulesReplaced(let e): s.kpiRules = e.rules
        case .kpiScoringSet(let e):
            s.kpiScoring.removeAll { $0.indicator == e.scoring.indicator }
            s.kpiScoring.append(e.scoring)
        case .loyaltyAccrualRulesReplaced(let e): s.loyaltyAccrualRules = e.rules
        case .paySchemeSet(let e): s.payScheme = e.scheme
        case .costBudgetSet(let e):
            s.costBudgets.removeAll { $0.sameSlot(as: e.budget) }
            s.costBudgets.append(e.budget)
        case .rfmSchemeSet(let e): s.rfmScheme = e.scheme
        }
        return s
    }
}
