import Foundation

/// What a workflow instance approves (R-ORG-5).
public enum WorkflowSubjectKind: String, CaseIterable, Hashable, Sendable, Codable {
    case quote, contract, campaign, materialRequest, feedbackForm
}

/// A role or a named employee: whom a step is escalated to, or whose turn a step is.
public struct WorkflowParty: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case role, employee }
    public var kind: Kind
    /// The role name or the employee id.
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    /// A role.
    public static func role(_ name: String) -> WorkflowParty { WorkflowParty(kind: .role, id: name) }
    /// A named employee.
    public static func employee(_ id: String) -> WorkflowParty { WorkflowParty(kind: .employee, id: id) }
}

/// One ordered step of a workflow definition.
public struct WorkflowStep: Hashable, Sendable, Codable {
    public var name: String
    /// The role an approver of this step must hold.
    public var approverRole: String
    /// Hours after the step starts by which it must be decided.
    public var deadlineHours: Int
    /// Hours before the deadline at which the holder is reminded (0 = no reminder window).
    public var reminderLeadHours: Int
    /// Who is told when the step is late.
    public var escalateTo: WorkflowParty

    public init(name: String, approverRole: String, deadlineHours: Int, reminderLeadHours: Int, escalateTo: WorkflowParty) {
        self.name = name
        self.approverRole = approverRole
        self.deadlineHours = deadlineHours
        self.reminderLeadHours = reminderLeadHours
        self.escalateTo = escalateTo
    }
}

/// One version of a workflow definition: what an instance copies when it starts.
public struct WorkflowDefinitionVersion: Hashable, Sendable, Codable {
    public var definitionID: UUID
    /// 1 for the first definition, +1 for each revision.
    public var version: Int
    public var name: String
    /// The kind of subject this definition approves.
    public var kind: WorkflowSubjectKind
    public var steps: [WorkflowStep]

    public init(definitionID: UUID, version: Int, name: String, kind: WorkflowSubjectKind, steps: [WorkflowStep]) {
        self.definitionID = definitionID
        self.version = version
        self.name = name
        self.kind = kind
        self.steps = steps
    }
}

enum WorkflowValidate {
    /// Steps checked and trimmed: at least one; names and roles non-empty; a positive deadline; a reminder
    /// lead shorter than the deadline; an escalation target. In a revision (`current`: the steps of the
    /// current version) a step name, role or escalation target the current steps already hold is not
    /// judged again by the character checks.
    static func steps(_ steps: [WorkflowStep], unlessUnchangedFrom current: [WorkflowStep] = []) throws(DomainError) -> [WorkflowStep] {
        guard !steps.isEmpty else { throw .invalid("steps", "a workflow needs at least one step") }
        var result: [WorkflowStep] = []
        for var step in steps {
            step.name = try Validate.text(step.name, field: "steps.name", max: 100, unlessAmong: current.map(\.name))
            step.approverRole = try Validate.text(step.approverRole, field: "steps.approverRole", max: 100,
                                                  unlessAmong: current.map(\.approverRole))
            guard step.deadlineHours > 0, step.deadlineHours <= 24 * 366 else {
                throw .invalid("steps.deadlineHours", "must be between 1 hour and a year")
            }
            guard step.reminderLeadHours >= 0, step.reminderLeadHours < step.deadlineHours else {
                throw .invalid("steps.reminderLeadHours", "must be at least 0 and shorter than the deadline")
            }
            step.escalateTo.id = try Validate.text(step.escalateTo.id, field: "steps.escalateTo", max: 100,
                                                   unlessAmong: current.map(\.escalateTo.id))
            result.append(step)
        }
        return result
    }
}
