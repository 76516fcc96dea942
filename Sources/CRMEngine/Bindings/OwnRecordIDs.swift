import CRMDomain
import Foundation

// A command that creates a record names the record's own id in its first member; `execute` is also told
// which record it is sent to (`id:`). The two must be one: a create sent to record `a` naming `b` would
// write stream `a` holding a record that calls itself `b` — found under one id by state reads and under
// the other by every view. So each creating command's own id is checked against `id` (`invalid`, naming the
// member, nothing written) before anything else is judged (docs/ENGINE.md, "Commands", step 3). The
// adapters build both from one value; this guards the Swift API.

extension EngineRecord {
    /// Refuses `named` (a creating command's own id, in member `member`) when it is not `id`.
    static func requireOwnID(_ named: UUID, is id: UUID, member: String) throws(EngineError) {
        guard named == id else {
            throw EngineError(.invalid, field: member, "names another record than the one the command is sent to")
        }
    }
}

extension Customer {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .create(let own, _, _) = command { try requireOwnID(own, is: id, member: "customerID") }
    }
}

extension Contact {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .create(let own, _) = command { try requireOwnID(own, is: id, member: "contactID") }
    }
}

extension BoardThread {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .start(let own, _, _, _) = command { try requireOwnID(own, is: id, member: "threadID") }
    }
}

extension Survey {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .create(let own, _) = command { try requireOwnID(own, is: id, member: "surveyID") }
    }
}

extension SurveyTemplate {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .create(let own, _, _) = command { try requireOwnID(own, is: id, member: "templateID") }
    }
}

extension Product {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .create(let own, _, _, _) = command { try requireOwnID(own, is: id, member: "productID") }
    }
}

extension NewConnection {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .open(let own, _, _, _, _) = command { try requireOwnID(own, is: id, member: "connectionID") }
    }
}

extension Quote {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .create(let own, _, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "quoteID") }
    }
}

extension Announcement {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .publish(let own, _, _, _, _) = command { try requireOwnID(own, is: id, member: "announcementID") }
    }
}

extension WorkTask {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        switch command {
        case .dispatch(let own, _, _), .dispatchByRules(let own, _, _, _), .importExternal(let own, _, _, _):
            try requireOwnID(own, is: id, member: "taskID")
        default:
            break
        }
    }
}

extension Opportunity {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .open(let own, _, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "opportunityID") }
    }
}

extension Campaign {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .plan(let own, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension ContactLogEntry {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .log(let own, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension Contract {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .draft(let own, _, _, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension FeedbackForm {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .submit(let own, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension Ticket {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .open(let own, _, _, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension Visit {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .plan(let own, _, _, _, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension WorkflowDefinition {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .define(let own, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}

extension WorkflowInstance {
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .start(let own, _, _, _, _) = command { try requireOwnID(own, is: id, member: "id") }
    }
}
