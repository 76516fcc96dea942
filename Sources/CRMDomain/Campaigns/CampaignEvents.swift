import EventSourcing
import Foundation

/// A campaign was planned (R-MKT-1).
public struct CampaignPlanned: EventPayload, Equatable {
    public static let eventType = "CampaignPlanned"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var name: String
    public var objective: String
    public var owner: String
    public var budget: Money
    public var start: LocalDate
    public var end: LocalDate
    public var plannedAt: Date

    public init(campaignID: UUID, name: String, objective: String, owner: String, budget: Money, start: LocalDate, end: LocalDate, plannedAt: Date) {
        self.campaignID = campaignID
        self.name = name
        self.objective = objective
        self.owner = owner
        self.budget = budget
        self.start = start
        self.end = end
        self.plannedAt = plannedAt
    }
}

/// The plan changed while planned: exactly the changed fields.
public struct CampaignPlanChanged: EventPayload, Equatable {
    public static let eventType = "CampaignPlanChanged"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var changes: [FieldChange]

    public init(campaignID: UUID, changes: [FieldChange]) {
        self.campaignID = campaignID
        self.changes = changes
    }
}

/// The plan went to feasibility review, with the study.
public struct CampaignFeasibilitySubmitted: EventPayload, Equatable {
    public static let eventType = "CampaignFeasibilitySubmitted"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var study: String
    public var by: String
    public var at: Date

    public init(campaignID: UUID, study: String, by: String, at: Date) {
        self.campaignID = campaignID
        self.study = study
        self.by = by
        self.at = at
    }
}

/// The campaign was approved after feasibility.
public struct CampaignApproved: EventPayload, Equatable {
    public static let eventType = "CampaignApproved"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var by: String
    public var at: Date
    public var note: String?

    public init(campaignID: UUID, by: String, at: Date, note: String? = nil) {
        self.campaignID = campaignID
        self.by = by
        self.at = at
        self.note = note
    }
}

/// The campaign was sent back to planning, with a reason.
public struct CampaignSentBack: EventPayload, Equatable {
    public static let eventType = "CampaignSentBack"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var by: String
    public var at: Date
    public var reason: String

    public init(campaignID: UUID, by: String, at: Date, reason: String) {
        self.campaignID = campaignID
        self.by = by
        self.at = at
        self.reason = reason
    }
}

/// Execution began.
public struct CampaignStarted: EventPayload, Equatable {
    public static let eventType = "CampaignStarted"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var by: String
    public var at: Date

    public init(campaignID: UUID, by: String, at: Date) {
        self.campaignID = campaignID
        self.by = by
        self.at = at
    }
}

/// A work item was assigned (or reassigned: `previous` holds the former assignment).
public struct CampaignWorkItemAssigned: EventPayload, Equatable {
    public static let eventType = "CampaignWorkItemAssigned"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var item: Campaign.WorkItem
    public var previous: Campaign.WorkItem?

    public init(campaignID: UUID, item: Campaign.WorkItem, previous: Campaign.WorkItem? = nil) {
        self.campaignID = campaignID
        self.item = item
        self.previous = previous
    }
}

/// Progress on a work item was reported.
public struct CampaignProgressReported: EventPayload, Equatable {
    public static let eventType = "CampaignProgressReported"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var report: Campaign.ProgressReport

    public init(campaignID: UUID, report: Campaign.ProgressReport) {
        self.campaignID = campaignID
        self.report = report
    }
}

/// An actual cost line was added.
public struct CampaignCostAdded: EventPayload, Equatable {
    public static let eventType = "CampaignCostAdded"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var line: Campaign.CostLine
    public var by: String

    public init(campaignID: UUID, line: Campaign.CostLine, by: String) {
        self.campaignID = campaignID
        self.line = line
        self.by = by
    }
}

/// A marketing material was requested.
public struct CampaignMaterialRequested: EventPayload, Equatable {
    public static let eventType = "CampaignMaterialRequested"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var materialID: UUID
    public var name: String
    public var unit: String
    public var quantity: Decimal
    public var by: String

    public init(campaignID: UUID, materialID: UUID, name: String, unit: String, quantity: Decimal, by: String) {
        self.campaignID = campaignID
        self.materialID = materialID
        self.name = name
        self.unit = unit
        self.quantity = quantity
        self.by = by
    }
}

/// A quantity of a material was approved, purchased or consumed.
public struct CampaignMaterialAdvanced: EventPayload, Equatable {
    public static let eventType = "CampaignMaterialAdvanced"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var materialID: UUID
    public var stage: Campaign.MaterialStage
    public var quantity: Decimal
    public var by: String

    public init(campaignID: UUID, materialID: UUID, stage: Campaign.MaterialStage, quantity: Decimal, by: String) {
        self.campaignID = campaignID
        self.materialID = materialID
        self.stage = stage
        self.quantity = quantity
        self.by = by
    }
}

/// A material request was declined, with a reason (R-MKT-2): its approval workflow was sent back to the
/// requester or rejected. Nothing of it is approved; a later approval of a quantity clears the decline.
public struct CampaignMaterialDeclined: EventPayload, Equatable {
    public static let eventType = "CampaignMaterialDeclined"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var materialID: UUID
    public var reason: String
    public var by: String
    public var at: Date

    public init(campaignID: UUID, materialID: UUID, reason: String, by: String, at: Date) {
        self.campaignID = campaignID
        self.materialID = materialID
        self.reason = reason
        self.by = by
        self.at = at
    }
}

/// A target list was selected by segment or criteria.
public struct CampaignTargetsSelected: EventPayload, Equatable {
    public static let eventType = "CampaignTargetsSelected"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var list: Campaign.TargetList
    public var by: String
    public var at: Date

    public init(campaignID: UUID, list: Campaign.TargetList, by: String, at: Date) {
        self.campaignID = campaignID
        self.list = list
        self.by = by
        self.at = at
    }
}

/// A message was sent to one customer of a target list.
public struct CampaignMessageSent: EventPayload, Equatable {
    public static let eventType = "CampaignMessageSent"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var message: Campaign.SentMessage

    public init(campaignID: UUID, message: Campaign.SentMessage) {
        self.campaignID = campaignID
        self.message = message
    }
}

/// The campaign was closed with its summary; `actualCost` is the sum of its cost lines.
public struct CampaignClosed: EventPayload, Equatable {
    public static let eventType = "CampaignClosed"
    public static let schemaVersion: UInt32 = 1
    public var campaignID: UUID
    public var summary: Campaign.Summary
    public var actualCost: Money
    public var by: String
    public var at: Date

    public init(campaignID: UUID, summary: Campaign.Summary, actualCost: Money, by: String, at: Date) {
        self.campaignID = campaignID
        self.summary = summary
        self.actualCost = actualCost
        self.by = by
        self.at = at
    }
}

/// The events of the campaign aggregate.
public enum CampaignEvent: DomainEvent {
    case planned(CampaignPlanned)
    case planChanged(CampaignPlanChanged)
    case feasibilitySubmitted(CampaignFeasibilitySubmitted)
    case approved(CampaignApproved)
    case sentBack(CampaignSentBack)
    case started(CampaignStarted)
    case workItemAssigned(CampaignWorkItemAssigned)
    case progressReported(CampaignProgressReported)
    case costAdded(CampaignCostAdded)
    case materialRequested(CampaignMaterialRequested)
    case materialAdvanced(CampaignMaterialAdvanced)
    case materialDeclined(CampaignMaterialDeclined)
    case targetsSelected(CampaignTargetsSelected)
    case messageSent(CampaignMessageSent)
    case closed(CampaignClosed)

    public static let payloadTypes: [any EventPayload.Type] = [
        CampaignPlanned.self, CampaignPlanChanged.self, CampaignFeasibilitySubmitted.self, CampaignApproved.self,
        CampaignSentBack.self, CampaignStarted.self, CampaignWorkItemAssigned.self, CampaignProgressReported.self,
        CampaignCostAdded.self, CampaignMaterialRequested.self, CampaignMaterialAdvanced.self,
        CampaignMaterialDeclined.self, CampaignTargetsSelected.self, CampaignMessageSent.self, CampaignClosed.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .planned(let p): return p
        case .planChanged(let p): return p
        case .feasibilitySubmitted(let p): return p
        case .approved(let p): return p
        case .sentBack(let p): return p
        case .started(let p): return p
        case .workItemAssigned(let p): return p
        case .progressReported(let p): return p
        case .costAdded(let p): return p
        case .materialRequested(let p): return p
        case .materialAdvanced(let p): return p
        case .materialDeclined(let p): return p
        case .targetsSelected(let p): return p
        case .messageSent(let p): return p
        case .closed(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as CampaignPlanned: self = .planned(p)
        case let p as CampaignPlanChanged: self = .planChanged(p)
        case let p as CampaignFeasibilitySubmitted: self = .feasibilitySubmitted(p)
        case let p as CampaignApproved: self = .approved(p)
        case let p as CampaignSentBack: self = .sentBack(p)
        case let p as CampaignStarted: self = .started(p)
        case let p as CampaignWorkItemAssigned: self = .workItemAssigned(p)
        case let p as CampaignProgressReported: self = .progressReported(p)
        case let p as CampaignCostAdded: self = .costAdded(p)
        case let p as CampaignMaterialRequested: self = .materialRequested(p)
        case let p as CampaignMaterialAdvanced: self = .materialAdvanced(p)
        case let p as CampaignMaterialDeclined: self = .materialDeclined(p)
        case let p as CampaignTargetsSelected: self = .targetsSelected(p)
        case let p as CampaignMessageSent: self = .messageSent(p)
        case let p as CampaignClosed: self = .closed(p)
        default: return nil
        }
    }
}
