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
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard case .create(let id, let given) = command, let templateID = given.templateID else { return command }
        let template = try await engine.load(SurveyTemplate.self, stream: SurveyTemplate.stream(templateID)).state
        guard let questionnaire = template.questionnaire, !template.isArchived else {
            throw EngineError(.invalid, field: "templateID", "no such survey template in use")
        }
        return .create(surveyID: id, questionnaire: questionnaire)
    }
}
