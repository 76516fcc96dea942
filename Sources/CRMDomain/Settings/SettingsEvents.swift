import EventSourcing
import Foundation

public struct BranchTimeZoneSet: EventPayload, Equatable {
    public static let eventType = "BranchTimeZoneSet"
    public static let schemaVersion: UInt32 = 1
    public var branch: String
    public var timeZoneID: String

    public init(branch: String, timeZoneID: String) {
        self.branch = branch
        self.timeZoneID = timeZoneID
    }
}

public struct HolidayAdded: EventPayload, Equatable {
    public static let eventType = "HolidayAdded"
    public static let schemaVersion: UInt32 = 1
    public var holiday: Holiday

    public init(holiday: Holiday) {
        self.holiday = holiday
    }
}

public struct HolidayRemoved: EventPayload, Equatable {
    public static let eventType = "HolidayRemoved"
    public static let schemaVersion: UInt32 = 1
    public var date: LocalDate
    public var name: String

    public init(date: LocalDate, name: String) {
        self.date = date
        self.name = name
    }
}

public struct SLADeadlineSet: EventPayload, Equatable {
    public static let eventType = "SLADeadlineSet"
    public static let schemaVersion: UInt32 = 1
    public var deadline: SLADeadline
    /// The deadline it replaced, for the modification trail.
    public var previous: SLADeadline?

    public init(deadline: SLADeadline, previous: SLADeadline? = nil) {
        self.deadline = deadline
        self.previous = previous
    }
}

public struct RoutingRulesReplaced: EventPayload, Equatable {
    public static let eventType = "RoutingRulesReplaced"
    public static let schemaVersion: UInt32 = 1
    public var rules: [RoutingRule]

    public init(rules: [RoutingRule]) {
        self.rules = rules
    }
}

public struct ReminderLeadTimeSet: EventPayload, Equatable {
    public static let eventType = "ReminderLeadTimeSet"
    public static let schemaVersion: UInt32 = 1
    public var kind: ReminderKind
    public var days: Int
    public var previousDays: Int?

    public init(kind: ReminderKind, days: Int, previousDays: Int? = nil) {
        self.kind = kind
        self.days = days
        self.previousDays = previousDays
    }
}

public struct TicketRuleChainSet: EventPayload, Equatable {
    public static let eventType = "TicketRuleChainSet"
    public static let schemaVersion: UInt32 = 1
    public var chain: TicketRuleChain

    public init(chain: TicketRuleChain) {
        self.chain = chain
    }
}

public struct TicketRuleChainRemoved: EventPayload, Equatable {
    public static let eventType = "TicketRuleChainRemoved"
    public static let schemaVersion: UInt32 = 1
    public var kind: TicketKind
    public var minimumSeverity: TicketSeverity

    public init(kind: TicketKind, minimumSeverity: TicketSeverity) {
        self.kind = kind
        self.minimumSeverity = minimumSeverity
    }
}

/// The events of the settings aggregate.
public enum SettingsEvent: DomainEvent {
    case branchTimeZoneSet(BranchTimeZoneSet)
    case holidayAdded(HolidayAdded)
    case holidayRemoved(HolidayRemoved)
    case slaDeadlineSet(SLADeadlineSet)
    case routingRulesReplaced(RoutingRulesReplaced)
    case reminderLeadTimeSet(ReminderLeadTimeSet)
    case ticketRuleChainSet(TicketRuleChainSet)
    case ticketRuleChainRemoved(TicketRuleChainRemoved)
    case discountLimitSet(DiscountLimitSet)
    case exchangeRateSet(ExchangeRateSet)
    case warningThresholdSet(WarningThresholdSet)
    case loyaltyThresholdsReplaced(LoyaltyThresholdsReplaced)
    case kpiRulesReplaced(KPIRulesReplaced)
    case kpiScoringSet(KPIScoringSet)
    case loyaltyAccrualRulesReplaced(LoyaltyAccrualRulesReplaced)
    case paySchemeSet(PaySchemeSet)
    case costBudgetSet(CostBudgetSet)
    case rfmSchemeSet(RFMSchemeSet)

    public static let payloadTypes: [any EventPayload.Type] = [
        BranchTimeZoneSet.self, HolidayAdded.self, HolidayRemoved.self, SLADeadlineSet.self, RoutingRulesReplaced.self,
        ReminderLeadTimeSet.self, TicketRuleChainSet.self, TicketRuleChainRemoved.self,
        DiscountLimitSet.self, ExchangeRateSet.self, WarningThresholdSet.self, LoyaltyThresholdsReplaced.self, KPIRulesReplaced.self, KPIScoringSet.self, LoyaltyAccrualRulesReplaced.self,
        PaySchemeSet.self, CostBudgetSet.self, RFMSchemeSet.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .branchTimeZoneSet(let p): return p
        case .holidayAdded(let p): return p
        case .holidayRemoved(let p): return p
        case .slaDeadlineSet(let p): return p
        case .routingRulesReplaced(let p): return p
        case .reminderLeadTimeSet(let p): return p
        case .ticketRuleChainSet(let p): return p
        case .ticketRuleChainRemoved(let p): return p
        case .discountLimitSet(let p): return p
        case .exchangeRateSet(let p): return p
        case .warningThresholdSet(let p): return p
        case .loyaltyThresholdsReplaced(let p): return p
        case .kpiRulesReplaced(let p): return p
        case .kpiScoringSet(let p): return p
        case .loyaltyAccrualRulesReplaced(let p): return p
        case .paySchemeSet(let p): return p
        case .costBudgetSet(let p): return p
        case .rfmSchemeSet(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as BranchTimeZoneSet: self = .branchTimeZoneSet(p)
        case let p as HolidayAdded: self = .holidayAdded(p)
        case let p as HolidayRemoved: self = .holidayRemoved(p)
        case let p as SLADeadlineSet: self = .slaDeadlineSet(p)
        case let p as RoutingRulesReplaced: self = .routingRulesReplaced(p)
        case let p as ReminderLeadTimeSet: self = .reminderLeadTimeSet(p)
        case let p as TicketRuleChainSet: self = .ticketRuleChainSet(p)
        case let p as TicketRuleChainRemoved: self = .ticketRuleChainRemoved(p)
        case let p as DiscountLimitSet: self = .discountLimitSet(p)
        case let p as ExchangeRateSet: self = .exchangeRateSet(p)
        case let p as WarningThresholdSet: self = .warningThresholdSet(p)
        case let p as LoyaltyThresholdsReplaced: self = .loyaltyThresholdsReplaced(p)
        case let p as KPIRulesReplaced: self = .kpiRulesReplaced(p)
        case let p as KPIScoringSet: self = .kpiScoringSet(p)
        case let p as LoyaltyAccrualRulesReplaced: self = .loyaltyAccrualRulesReplaced(p)
        case let p as PaySchemeSet: self = .paySchemeSet(p)
        case let p as CostBudgetSet: self = .costBudgetSet(p)
        case let p as RFMSchemeSet: self = .rfmSchemeSet(p)
        default: return nil
        }
    }
}

// MARK: Part 2: sales, analysis and money settings

public struct DiscountLimitSet: EventPayload, Equatable {
    public static let eventType = "DiscountLimitSet"
    public static let schemaVersion: UInt32 = 1
    public var limit: DiscountLimit
    public var previous: DiscountLimit?

    public init(limit: DiscountLimit, previous: DiscountLimit? = nil) {
        self.limit = limit
        self.previous = previous
    }
}

public struct ExchangeRateSet: EventPayload, Equatable {
    public static let eventType = "ExchangeRateSet"
    public static let schemaVersion: UInt32 = 1
    public var rate: ExchangeRate
    /// The rate it replaced (same currencies and start date), if any.
    public var previous: ExchangeRate?

    public init(rate: ExchangeRate, previous: ExchangeRate? = nil) {
        self.rate = rate
        self.previous = previous
    }
}

public struct WarningThresholdSet: EventPayload, Equatable {
    public static let eventType = "WarningThresholdSet"
    public static let schemaVersion: UInt32 = 1
    public var threshold: WarningThreshold
    public var previous: WarningThreshold?

    public init(threshold: WarningThreshold, previous: WarningThreshold? = nil) {
        self.threshold = threshold
        self.previous = previous
    }
}

public struct LoyaltyThresholdsReplaced: EventPayload, Equatable {
    public static let eventType = "LoyaltyThresholdsReplaced"
    public static let schemaVersion: UInt32 = 1
    public var thresholds: [LoyaltyThreshold]

    public init(thresholds: [LoyaltyThreshold]) {
        self.thresholds = thresholds
    }
}

public struct KPIRulesReplaced: EventPayload, Equatable {
    public static let eventType = "KPIRulesReplaced"
    public static let schemaVersion: UInt32 = 1
    public var rules: [KPIRule]

    public init(rules: [KPIRule]) {
        self.rules = rules
    }
}

/// One KPI indicator's scoring curve and period were set (R-ANA-1); `previous` is what it replaced.
public struct KPIScoringSet: EventPayload, Equatable {
    public static let eventType = "KPIScoringSet"
    public static let schemaVersion: UInt32 = 1
    public var scoring: KPIScoring
    public var previous: KPIScoring?

    public init(scoring: KPIScoring, previous: KPIScoring?) {
        self.scoring = scoring
        self.previous = previous
    }
}

/// The loyalty accrual rules were replaced (R-CUS-8).
public struct LoyaltyAccrualRulesReplaced: EventPayload, Equatable {
    public static let eventType = "LoyaltyAccrualRulesReplaced"
    public static let schemaVersion: UInt32 = 1
    public var rules: [LoyaltyAccrualRule]

    public init(rules: [LoyaltyAccrualRule]) {
        self.rules = rules
    }
}

/// The daily pay scheme was set (R-ANA-2); `previous` is the one it replaced.
public struct PaySchemeSet: EventPayload, Equatable {
    public static let eventType = "PaySchemeSet"
    public static let schemaVersion: UInt32 = 1
    public var scheme: PayScheme
    public var previous: PayScheme?

    public init(scheme: PayScheme, previous: PayScheme?) {
        self.scheme = scheme
        self.previous = previous
    }
}

/// A month's cost budget of a category, customer or industry was set (R-ANA-5); `previous` is the one it replaced.
public struct CostBudgetSet: EventPayload, Equatable {
    public static let eventType = "CostBudgetSet"
    public static let schemaVersion: UInt32 = 1
    public var budget: CostBudget
    public var previous: CostBudget?

    public init(budget: CostBudget, previous: CostBudget?) {
        self.budget = budget
        self.previous = previous
    }
}

/// The RFM weights and segment rules were set (R-ANA-3); `previous` is the scheme they replaced.
public struct RFMSchemeSet: EventPayload, Equatable {
    public static let eventType = "RFMSchemeSet"
    public static let schemaVersion: UInt32 = 1
    public var scheme: RFMScheme
    public var previous: RFMScheme?

    public init(scheme: RFMScheme, previous: RFMScheme?) {
        self.scheme = scheme
        self.previous = previous
    }
}
