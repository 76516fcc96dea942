import EventSourcing
import Foundation

/// An approval workflow as data (R-ORG-5): ordered steps, each with an approver role, a deadline, a
/// reminder lead time and an escalation target. Every revision is a new version; the state keeps them all,
/// and a running ``WorkflowInstance`` holds a copy of the version it started with.
public enum WorkflowDefinition: Aggregate {
    public static let category = "workflowdef"

    public struct State: Sendable, Equatable {
        /// Every version, oldest first; empty before the definition exists.
        public var versions: [WorkflowDefinitionVersion] = []

        public init() {}

        /// The latest version, the one new instances should start with.
        public var current: WorkflowDefinitionVersion? { versions.last }

        /// A given version, if it exists.
        public func version(_ number: Int) -> WorkflowDefinitionVersion? { versions.first { $0.version == number } }
    }

    public enum Command: Sendable {
        /// Creates version 1.
        case define(id: UUID, name: String, kind: WorkflowSubjectKind, steps: [WorkflowStep])
        /// A new version with these name and steps; the kind of subject never changes.
        case revise(name: String, steps: [WorkflowStep])
    }

    public typealias Event = WorkflowDefinitionEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .define(let id, let name, let kind, let steps):
            guard state.current == nil else { throw DomainError(.alreadyExists, "the workflow definition already exists") }
            let name = try Validate.text(name, field: "name", max: 100)
            let steps = try WorkflowValidate.steps(steps)
            return [.defined(WorkflowDefined(definition: WorkflowDefinitionVersion(definitionID: id, version: 1, name: name, kind: kind, steps: steps)))]

        case .revise(let name, let steps):
            guard let current = state.current else { throw .notFound("no such workflow definition") }
            let name = try Validate.text(name, field: "name", max: 100, unlessUnchangedFrom: current.name)
            let steps = try WorkflowValidate.steps(steps, unlessUnchangedFrom: current.steps)
            guard name != current.name || steps != current.steps else { return [] }
            let next = WorkflowDefinitionVersion(definitionID: current.definitionID, version: current.version + 1, name: name, kind: current.kind, steps: steps)
            return [.revised(WorkflowDefinitionRevised(definition: next, previousVersion: current.version))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .defined(let e): s.versions = [e.definition]
        case .revised(let e): s.versions.append(e.definition)
        }
        return s
    }
}
