import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Staff board threads (R-ORG-6): module `organisation` (no board module); global. `start` → create;
/// `reply` → edit; moderation (`hide`, `restore`, `lock`, `unlock`) → delete. The sensitive words a post
/// is checked against are the recorded list, never the caller's; posts are real-name (R-ORG-6): a person's
/// post carries their own employee id and recorded name. A hidden post's body is shown only to whoever may
/// moderate the board at the engine's `now` (``visible(_:to:current:at:)``, ``isModerator(_:at:)``).
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
    /// A hidden post's body (and the sensitive words found in it) is withheld from whoever may not moderate
    /// the board at `now` (``isModerator(_:at:)``: the engine's clock when the read is made, as a moderation
    /// command is judged then — a moderator grant whose period has ended, or not yet begun, does not count,
    /// however long the principal has been held); a moderator sees it, to judge whether to restore it.
    /// In a past state (`current` the thread now), a post hidden since is withheld too.
    public static func visible(_ state: State, to principal: Principal, current: State?, at now: Date) -> State {
        guard !isModerator(principal, at: now) else { return state }
        var withheld = state.withholdingHiddenPosts()
        let hiddenNow = Set((current?.posts ?? []).filter(\.isHidden).map(\.id))
        for i in withheld.posts.indices where hiddenNow.contains(withheld.posts[i].id) {
            withheld.posts[i].body = nil
            withheld.posts[i].flaggedWords = []
        }
        return withheld
    }
    /// Whether `principal` may moderate the board at `now` — the one rule every read of a hidden post's body
    /// asks (``visible(_:to:current:at:)``, ``withholdingHiddenBodies(_:registry:from:at:)``), as a moderation
    /// command is judged then: `delete` in organisation over all data by a permission in force at `now` (one
    /// whose period ended since the principal was made, or has not begun, does not count).
    static func isModerator(_ principal: Principal, at now: Date) -> Bool {
        principal.mayEverywhere(.delete, in: module, at: now)
    }
    /// Whether `principal` sees the bodies of hidden posts in a thread's trail (its raw events, its history)
    /// at `now`: whoever may moderate the board then (``isModerator(_:at:)``), or read the whole log
    /// (`analyse` in organisation over all data, who reads every event anyway).
    static func seesHiddenBodiesInTrail(_ principal: Principal, at now: Date) -> Bool {
        isModerator(principal, at: now) || principal.mayEverywhere(.analyse, in: .organisation, at: now)
    }
    /// `payload` with the post it posted withheld — an empty `body` and no `flaggedWords` (they quote it) —
    /// when it posted one of `hidden` (a `ThreadStarted` or `ReplyPosted`); nil for any other payload, which
    /// is kept as recorded. A post is never recorded with an empty body, so an empty one is one withheld.
    static func withholdingBody(of payload: any EventPayload, hidden: Set<UUID>) -> (any EventPayload)? {
        switch BoardEvent(payload: payload) {
        case .started(var e)? where hidden.contains(e.postID):
            e.body = ""
            e.flaggedWords = []
            return e
        case .replied(var e)? where hidden.contains(e.postID):
            e.body = ""
            e.flaggedWords = []
            return e
        default:
            return nil
        }
    }
    /// A thread's raw events (``CRMEngine/events(of:as:)``: `crm dump --stream`, `crm show`) as `principal`
    /// may see them at `now`: for whoever may not moderate the board then (``isModerator(_:at:)``) nor read
    /// the whole log (``seesHiddenBodiesInTrail(_:at:)``), the events that posted a post hidden now carry an
    /// empty `body` and no `flaggedWords` (``withholdingBody(of:hidden:)``) — as the board's reads withhold it
    /// (``visible(_:to:current:at:)``); everything else, and every other event, as recorded. `events` is the
    /// thread's whole stream: which posts are hidden now is folded from it.
    static func withholdingHiddenBodies(_ events: [RecordedEvent], registry: PayloadRegistry, from principal: Principal,
                                        at now: Date) throws -> [RecordedEvent] {
        guard !seesHiddenBodiesInTrail(principal, at: now) else { return events }
        var state = initialState
        var decoded: [any EventPayload] = []
        for event in events {
            let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
            if let domainEvent = BoardEvent(payload: payload) { state = evolve(state, domainEvent) }
            decoded.append(payload)
        }
        let hidden = Set(state.posts.filter(\.isHidden).map(\.id))
        guard !hidden.isEmpty else { return events }
        func withheld<P: EventPayload>(_ event: RecordedEvent, _ payload: P) throws -> RecordedEvent {
            RecordedEvent(id: event.id, stream: event.stream, streamVersion: event.streamVersion, position: event.position,
                          type: P.eventType, schemaVersion: P.schemaVersion, recordedAt: event.recordedAt, metadata: event.metadata,
                          payload: try BinaryPayloadEncoder.encode(payload))
        }
        return try zip(events, decoded).map { event, payload in
            guard let kept = withholdingBody(of: payload, hidden: hidden) else { return event }
            return try withheld(event, kept)
        }
    }
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

extension CRMEngine {
    /// A page of a board thread's decoded events as `principal` may see them in its history at `now`
    /// (``history(of:as:after:limit:consistentWith:decisions:)``: the record's history, `crm history` and
    /// the `/v1/events` stream, which reads each event through it): for whoever may not moderate the board
    /// nor read the whole log (``BoardThread/seesHiddenBodiesInTrail(_:at:)``), an event that posted a post
    /// hidden now — the thread folded from the log now, not only the page — carries an empty body and no
    /// flagged words (``BoardThread/withholdingBody(of:hidden:)``), as its raw events do (``events(of:as:)``).
    /// Any other stream's events, and every other event, as recorded.
    func withholdingHiddenPosts(_ events: [ProjectionEvent], of stream: StreamID, as principal: Principal,
                                at now: Date) async throws -> [ProjectionEvent] {
        guard stream.category == BoardThread.category, !BoardThread.seesHiddenBodiesInTrail(principal, at: now),
              events.contains(where: { $0.payload is ThreadStarted || $0.payload is ReplyPosted })
        else { return events }
        let hidden = Set(try await load(BoardThread.self, stream: stream).state.posts.filter(\.isHidden).map(\.id))
        guard !hidden.isEmpty else { return events }
        return events.map { event in
            guard let kept = BoardThread.withholdingBody(of: event.payload, hidden: hidden) else { return event }
            return ProjectionEvent(id: event.id, stream: event.stream, streamVersion: event.streamVersion, position: event.position,
                                   recordedAt: event.recordedAt, metadata: event.metadata, payload: kept)
        }
    }

    /// The board's sensitive-word list with its version (the ETag its writes take as If-Match), for whoever
    /// may query settings over all data: a list no word was ever added to is empty at version 0, not "not
    /// found" — the list always exists. Anyone else gets "not found", as for any record beyond their reach.
    public func sensitiveWords(as principal: Principal) async throws -> (state: SensitiveWordList.State, version: StreamVersion) {
        try requireOpen()
        let loaded = try await load(SensitiveWordList.self, stream: SensitiveWordList.streamID)
        guard loaded.version == .noStream else { return try await state(SensitiveWordList.self, id: UUID(), as: principal) }
        guard principal.may(.query, in: SensitiveWordList.module, on: .global, at: clock.now()) else { throw EngineError.notFound() }
        return (SensitiveWordList.initialState, .noStream)
    }
}
