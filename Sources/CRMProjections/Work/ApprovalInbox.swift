import CRMDomain
import EventSourcing
import Foundation

/// The approval inbox per employee (R-ORG-5): running workflow instances indexed by whose turn it is —
/// the current step's approver role, or its delegate, or the submitter when sent back to them — and by
/// whom a late step was escalated to. Lateness is computed at query time from the step's due instant
/// (step start + deadline hours, as `WorkflowInstanceState.dueAt`); finished instances leave the inbox, and
/// so do those closed because their subject was decided outside them (`WorkflowClosedBySubject`). A material
/// request's row names its material (kept from `CampaignMaterialRequested`, which precedes the instance).
///
/// ```swift
/// let inbox = try ApprovalInbox.inbox(for: "emp-7", roles: ["branch-manager"], now: now, in: views)
/// ```
public struct ApprovalInbox: Projection {
    public let name = "approval-inbox"
    /// 2: rows name a material request's material; `WorkflowClosedBySubject` removes the instance.
    public let version: UInt32 = 2

    /// `stream → Instance`: running instances and those returned to their submitter.
    public static let instances = ViewTable("instances")
    /// `holder kind + holder id + due (or start) + stream → Instance`.
    public static let pending = ViewTable("pending")
    /// `target kind + target id + stream → Instance`: current steps escalated to a role or employee.
    public static let escalated = ViewTable("escalated")

    /// `material instance id → Material`: each requested material, under the id of the instance that would
    /// approve it (`ApprovalRouting.materialInstanceID(campaignID:materialID:)`), read when that instance starts.
    public static let materials = ViewTable("materials")

    public var tables: [ViewTable] { [Self.instances, Self.pending, Self.escalated, Self.materials] }

    public var eventTypes: Set<String>? {
        Set(WorkflowEvent.payloadTypes.map { $0.eventType } + [CampaignMaterialRequested.eventType])
    }

    public init() {}

    /// The material a material request instance approves, as requested.
    public struct Material: Codable, Hashable, Sendable {
        public var id: UUID
        public var name: String
        public var unit: String
        public var quantity: Decimal

        public init(id: UUID, name: String, unit: String, quantity: Decimal) {
            self.id = id
            self.name = name
            self.unit = unit
            self.quantity = quantity
        }
    }

    /// A workflow instance waiting for someone.
    public struct Instance: Codable, Hashable, Sendable {
        /// The instance's stream (the key of later events, which carry no instance id).
        public var stream: String
        public var instanceID: UUID
        public var subjectKind: WorkflowSubjectKind
        /// The record approved; for a material request, the material's campaign (see `material`).
        public var subjectID: UUID
        /// For a material request: the material it approves (nil for other subjects, and for a request
        /// whose material the view did not see).
        public var material: Material?
        public var submitter: String
        public var definitionName: String
        public var steps: [WorkflowStep]
        /// `running` or `returnedToSubmitter`.
        public var status: WorkflowStatus
        public var stepIndex: Int
        public var stepStartedAt: Date
        public var delegate: String?
        /// Whom the current step's lateness was escalated to, once it was.
        public var escalatedTo: WorkflowParty?
        /// The submitter as owner (workflow events carry no customer). The engine's inbox query judges each
        /// row on its subject's scope too (read from the log), as commands on the instance are judged.
        public var scope: RecordScope

        /// The step waiting for a decision; nil when returned to the submitter.
        public var currentStep: WorkflowStep? {
            guard status == .running, steps.indices.contains(stepIndex) else { return nil }
            return steps[stepIndex]
        }

        /// Whose turn it is (as `WorkflowInstanceState.holder`).
        public var holder: WorkflowParty? {
            switch status {
            case .running:
                if let delegate { return .employee(delegate) }
                return currentStep.map { .role($0.approverRole) }
            case .returnedToSubmitter: return .employee(submitter)
            default: return nil
            }
        }

        /// When the current step is due; nil when returned to the submitter.
        public var dueAt: Date? {
            currentStep.map { stepStartedAt.addingTimeInterval(TimeInterval($0.deadlineHours) * 3600) }
        }
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        if let e = event.payload as? CampaignMaterialRequested {
            let material = Material(id: e.materialID, name: e.name, unit: e.unit, quantity: e.quantity)
            let id = ApprovalRouting.materialInstanceID(campaignID: e.campaignID, materialID: e.materialID)
            try views.put(row: material, forKey: ViewKey().uuid(id).bytes, in: Self.materials)
            return
        }
        let key = ViewKey().string(event.stream.rawValue).bytes
        if let e = event.payload as? WorkflowStarted {
            guard try views.value(forKey: key, in: Self.instances) == nil else { return }
            let material = e.subjectKind == .materialRequest
                ? try views.row(Material.self, forKey: ViewKey().uuid(e.instanceID).bytes, in: Self.materials) : nil
            let instance = Instance(
                stream: event.stream.rawValue, instanceID: e.instanceID, subjectKind: e.subjectKind, subjectID: e.subjectID,
                material: material, submitter: e.submitter, definitionName: e.definition.name, steps: e.definition.steps, status: .running, stepIndex: 0,
                stepStartedAt: e.startedAt, scope: RecordScope(owners: [e.submitter]))
            try replace(nil, with: instance, in: views)
            return
        }
        guard let old = try views.row(Instance.self, forKey: key, in: Self.instances) else { return }
        var new: Instance? = old
        func startStep(_ index: Int, at instant: Date) {
            new?.stepIndex = index
            new?.stepStartedAt = instant
            new?.delegate = nil
            new?.escalatedTo = nil
        }
        switch event.payload {
        case let e as WorkflowStepApproved:
            if e.step + 1 < old.steps.count { startStep(e.step + 1, at: e.at) }
        case let e as WorkflowSentBack:
            startStep(e.toStep ?? 0, at: e.at)
            if e.toStep == nil { new?.status = .returnedToSubmitter }
        case let e as WorkflowResubmitted:
            new?.status = .running
            startStep(0, at: e.at)
        case let e as WorkflowStepDelegated:
            new?.delegate = e.delegate
        case let e as WorkflowStepEscalated:
            new?.escalatedTo = e.escalatedTo
        case is WorkflowCompleted, is WorkflowRejected, is WorkflowCancelled, is WorkflowClosedBySubject:
            new = nil
        default:
            return
        }
        guard new != old else { return }
        try replace(old, with: new, in: views)
    }

    static func partyKey(_ party: WorkflowParty) -> ViewKey { ViewKey().string(party.kind.rawValue).string(party.id) }

    private static func pendingKey(_ i: Instance) -> [UInt8]? {
        guard let holder = i.holder else { return nil }
        return partyKey(holder).date(i.dueAt ?? i.stepStartedAt).string(i.stream).bytes
    }

    private static func escalatedKey(_ i: Instance) -> [UInt8]? {
        i.escalatedTo.map { partyKey($0).string(i.stream).bytes }
    }

    /// Removes `old`'s index rows and writes `new`'s (nil: the instance finished and leaves the inbox).
    private func replace(_ old: Instance?, with new: Instance?, in views: any ViewWriter) throws {
        if let old {
            if let k = Self.pendingKey(old) { try views.delete(key: k, in: Self.pending) }
            if let k = Self.escalatedKey(old) { try views.delete(key: k, in: Self.escalated) }
            if new == nil { try views.delete(key: ViewKey().string(old.stream).bytes, in: Self.instances) }
        }
        guard let new else { return }
        try views.put(row: new, forKey: ViewKey().string(new.stream).bytes, in: Self.instances)
        if let k = Self.pendingKey(new) { try views.put(row: new, forKey: k, in: Self.pending) }
        if let k = Self.escalatedKey(new) { try views.put(row: new, forKey: k, in: Self.escalated) }
    }
}
