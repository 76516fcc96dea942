import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Staff board threads (R-ORG-6): module `organisation` (no board module); global. `start` → create;
/// `reply` → edit; moderation (`hide`, `restore`, `lock`, `unlock`) → delete. The sensitive words a post
/// is checked against are the recorded list, never the caller's; posts are real-name (R-ORG-6): a person's
/// post carries their own employee id and recorded name.
extension BoardThread: EngineRecord {
    public static var module: Permission.Module { .organisation }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .start: return .create
        case .reply: return .edit
        case .hide, .restore, .lock, .unlock: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .start(let id, let title, let draft, _):
            return .start(threadID: id, title: title, try await author(draft, principal, engine), words: try await words(engine))
        case .reply(let draft, _):
            return .reply(try await author(draft, principal, engine), words: try await words(engine))
        case .hide, .restore, .lock, .unlock:
            return command
        }
    }
    private static func author(_ draft: Draft, _ principal: Principal, _ engine: CRMEngine) async throws -> Draft {
        guard !principal.isSystem else { return draft }
        var d = draft
        d.author = principal.id
        d.authorName = try await engine.employeeName(of: principal) ?? draft.authorName
        return d
    }
    private static func words(_ engine: CRMEngine) async throws -> [SensitiveWord] {
        try await engine.load(SensitiveWordList.self, stream: SensitiveWordList.streamID).state.words
    }
}

/// The board's sensitive-word list: module `settings` (configuration as data); global, a singleton
/// (``CRMDomain/SensitiveWordList/streamID``). `add` → create; `remove` → delete.
extension SensitiveWordList: EngineRecord {
    public static var module: Permission.Module { .settings }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .add: return .create
        case .remove: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
    public static func streamID(_ id: UUID) -> StreamID { streamID }
}
