import EventSourcing
import Foundation

/// A workflow definition was created at version 1.
public struct WorkflowDefined: EventPayload, Equatable {
    public static let eventType = "WorkflowDefined"
    public static let schemaVersion: UInt32 = 1
    /// Version 1 of the definition.
    public var definition: WorkflowDefinitionVersion

    public init(definition: WorkflowDefinitionVersion) {
        self.definition = definition
    }
}

/// A workflow definition got a new version; running instances keep theirs.
public struct WorkflowDefinitionRevised: EventPayload, Equatable {
    public static let eventType = "WorkflowDefinitionRevised"
    public static let schemaVersion: UInt32 = 1
    /// The new version (previous version + 1).
    public var definition: WorkflowDefinitionVersion
    /// The version it supersedes.
    public var previousVersion: Int

    public init(definition: WorkflowDefinitionVersion, previousVersion: Int) {
        self.definition = definition
        self.previousVersion = previousVersion
    }
}

/// The events of ``WorkflowDefinition``.
public enum WorkflowDefinitionEvent: DomainEvent {
    case defined(WorkflowDefined)
    case revised(WorkflowDefinitionRevised)

    public static let payloadTypes: [any EventPayload.Type] = [WorkflowDefined.self, WorkflowDefinitionRevised.self]

    public var payload: any EventPayload {
        switch self {
        case .defined(let p): return p
        case .revised(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as WorkflowDefined: self = .defined(p)
        case let p as WorkflowDefinitionRevised: self = .revised(p)
        default: return nil
        }
    }
}
