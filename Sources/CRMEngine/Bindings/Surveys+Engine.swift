import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Survey templates: module `campaigns` (surveys are run towards customers and partners like campaigns);
/// global (configuration-like). `create` → create; `archive` → delete; `revise`, `restore` → edit.
extension SurveyTemplate: EngineRecord {
    public static var module: Permission.Module { .campaigns }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .create: return .create
        case .archive: return .delete
        case .revise, .restore: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
}

/// Surveys: module `campaigns`; global (a survey goes to many customers and partners, none of whom it
/// belongs to). `create` → create; `distribute`, `respond` → edit; `close` → delete. A survey made from a
/// template gets the template's recorded questionnaire (its current version), never the caller's copy.
extension Survey: EngineRecord {
    public static var module: Permission.Module { .campaigns }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .create: return .create
        case .distribute, .respond: return .edit
        case .close: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }

    /// A survey made from a template gets the template's questionnaire. A distribution's new customer
    /// recipients must exist and be ones the principal may query, as a campaign's hand-made target list's
    /// customers must (``Campaign/prepare(_:state:principal:engine:)``): else `invalid`, field `recipients`,
    /// naming the entry by its position only — the same answer for a customer that does not exist as for one
    /// the principal may not see — with nothing written. Each distinct new customer is read once (a repeat
    /// is judged by its first entry); recipients already included stay skipped; partners are not checked
    /// (the engine keeps no partner records). Judged only once the principal may distribute and the domain's
    /// other rules would accept it (an open or draft survey, at most
    /// ``Survey/maximumRecipientsPerDistribution`` entries — more are refused by the domain, nothing read).
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .distribute(let recipients) = command {
            let now = engine.clock.now()
            guard state.surveyID != nil, state.status != .closed, recipients.count <= Survey.maximumRecipientsPerDistribution,
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: now) else { return command }
            var judged = Set(state.recipients)
            for (index, recipient) in recipients.enumerated() where recipient.kind == .customer && judged.insert(recipient).inserted {
                guard try await engine.mayQueryCustomer(recipient.id, as: principal, at: now) else {
                    throw EngineError(.invalid, field: "recipients", "entry \(index + 1) names no customer you may see")
                }
            }
            return command
        }
        guard case .create(let id, let given) = command, let templateID = given.templateID else { return command }
        let template = try await engine.load(SurveyTemplate.self, stream: SurveyTemplate.stream(templateID)).state
        guard let questionnaire = template.questionnaire, !template.isArchived else {
            throw EngineError(.invalid, field: "templateID", "no such survey template in use")
        }
        return .create(surveyID: id, questionnaire: questionnaire)
    }
}
