import CRMDomain
import EventSourcing
import EventStoreLMDB
import Foundation

/// A point in the past: a log position, or an instant (the events recorded at or before it).
public enum AsOf: Sendable, Hashable {
    case position(GlobalPosition)
    case time(Date)

    func includes(_ event: RecordedEvent) -> Bool {
        switch self {
        case .position(let p): return event.position <= p
        case .time(let t): return event.recordedAt <= t
        }
    }
}

extension AsOf {
    /// As-of text as every adapter reads it (HTTP `asOf`, `crm show --as-of`, `crm replay --to`): a log
    /// position (``position(_:)``), or an instant that `instant` reads (each adapter's own strict reading of
    /// instants), covering the whole unit it is written to: `…T08:00:48Z` takes every event recorded before
    /// 08:00:49, `…T08:00:48.701Z` every one before 08:00:48.702, a plain date (where `instant` reads one)
    /// its whole day, UTC (``lastInstant(of:written:)``). So the time an answer shows for a change — whole
    /// seconds over HTTP, milliseconds cut down in the CLI — given back, includes that change. Nil otherwise.
    ///
    /// ```swift
    /// AsOf.parse("6164", instant: parse)                    // .position(6164)
    /// AsOf.parse("2026-11-28T08:00:48Z", instant: parse)    // .time(08:00:48.999999)
    /// ```
    public static func parse(_ text: String, instant: (String) -> Date?) -> AsOf? {
        if let position = position(text) { return .position(position) }
        guard let date = instant(text) else { return nil }
        return .time(lastInstant(of: date, written: text))
    }

    /// A log position as text: plain digits without a leading zero (`0` itself: before every event), up to
    /// `Int64.max` (what the stores hold); nil for anything else (`+12`, `012`, `1e3`, spaces).
    public static func position(_ text: some StringProtocol) -> GlobalPosition? {
        let digits = text.utf8
        guard let first = digits.first, digits.count <= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first != 0x30 || digits.count == 1, let value = UInt64(text), value <= UInt64(Int64.max) else { return nil }
        return GlobalPosition(value)
    }

    /// The last microsecond (the stores keep `recordedAt` in microseconds) of the unit `text` writes `date`
    /// to: of its second without a fraction, of its millisecond with three digits, of the microsecond with six
    /// or more (more digits name an instant within one: the events at or before it are those of its
    /// microsecond); of the day (UTC) for a plain date `YYYY-MM-DD`. Made with the stores' own conversion
    /// (``Foundation/Date/init(microsecondsSince1970:)``), so an event compares exactly by its microseconds.
    public static func lastInstant(of date: Date, written text: String) -> Date {
        let bytes = Array(text.utf8)
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e13 else { return date }
        if bytes.count <= 10 {
            let day = Int64((seconds / 86_400).rounded(.down))
            return Date(microsecondsSince1970: (day + 1) * 86_400_000_000 - 1)
        }
        // The fraction's digits: the first six (microseconds) count, the unit is that of the last one given.
        var digits = 0
        var micros: Int64 = 0
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            var index = 20
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
        }
        var unit: Int64 = 1
        for _ in min(digits, 6)..<6 { unit *= 10 }
        micros *= unit
        // The whole second: the instant less its fraction, exact once rounded (the rest is far below half a second).
        let whole = Int64((seconds - Double(micros) / 1_000_000).rounded())
        return Date(microsecondsSince1970: whole * 1_000_000 + micros + unit - 1)
    }
}

extension CRMEngine {
    /// A record's state as it was at `point` (R-LOG-7), folded from its events up to then, with its version
    /// then. The principal must be allowed to see the record now. Not found when it did not exist yet (as
    /// when it does not exist or the principal may not see it: ``stateIfExisting(_:id:asOf:as:)`` tells the
    /// two apart). A position beyond the log's head is ``EngineError/Code/invalid`` naming `asOf`.
    public func state<A: EngineRecord>(_ type: A.Type, id: UUID, asOf point: AsOf, as principal: Principal) async throws -> (state: A.State, version: StreamVersion) {
        try requireOpen()
        guard let then = try await stateIfExisting(A.self, id: id, asOf: point, as: principal) else {
            throw EngineError.notFound("the record did not exist then")
        }
        return then
    }

    /// ``state(_:id:asOf:as:)``, with a record that exists now but had no event by `point` answered as nil
    /// instead of "not found": for callers that say so otherwise (`crm show --as-of` hints at a later point).
    /// Still throws ``EngineError/Code/notFound`` when the record does not exist or the principal may not see
    /// it now — so nil tells only of a record the principal may read.
    ///
    /// ```swift
    /// guard let then = try await engine.stateIfExisting(Customer.self, id: id, asOf: .time(t), as: p) else {
    ///     return print("not created yet then")
    /// }
    /// print(then.version, then.state.name)
    /// ```
    public func stateIfExisting<A: EngineRecord>(_ type: A.Type, id: UUID, asOf point: AsOf, as principal: Principal) async throws -> (state: A.State, version: StreamVersion)? {
        try requireOpen()
        try await requireWithinLog(point)
        let now = try await state(A.self, id: id, as: principal)
        let then = try await load(A.self, stream: A.streamID(id), upTo: point.includes)
        guard then.version != .noStream else { return nil }
        return (A.visible(then.state, to: principal, current: now.state, at: clock.now()), then.version)
    }

    /// Refuses (``EngineError/Code/invalid`` naming `asOf`) a position beyond the log's head: no state was
    /// ever at it, where answering the current one would pass for an audit answer. A time in the future is
    /// the state now (the log holds nothing later).
    func requireWithinLog(_ point: AsOf) async throws {
        guard case .position(let position) = point else { return }
        let head = try await store.headPosition()
        guard position <= head else {
            throw EngineError(.invalid, field: "asOf", "position \(position.rawValue) is beyond the log's head (\(head.rawValue))")
        }
    }

    /// The log position of the last event recorded at or before `time` (``GlobalPosition/start`` when none).
    public func position(at time: Date) async throws -> GlobalPosition {
        try requireOpen()
        var low = GlobalPosition.start
        var high = try await store.headPosition()
        // Recorded-at times follow positions (one writer, a monotonic clock), so search by halves.
        while low < high {
            let middle = GlobalPosition(low.rawValue + (high.rawValue - low.rawValue + 1) / 2)
            guard let event = try await store.readAll(from: middle, direction: .forward, limit: 1).first else { break }
            if event.recordedAt <= time { low = middle } else { high = GlobalPosition(middle.rawValue - 1) }
        }
        return low
    }

    /// Builds every read model (the configuration's projections, ``CRMViews/all`` by default) as it was at
    /// `point` into `directory` (new or empty): the audit replay of all views at once (R-LOG-7). Open them
    /// with ``ProjectionRunner`` over the same store. The engine's own bookkeeping views — API token hashes,
    /// the outbox's pending deliveries, reminder sources — are not replayed: no credential is copied out of
    /// the engine's directory.
    /// Needs the organisation module's `analyse` permission over all data; a position beyond the log's head
    /// is ``EngineError/Code/invalid`` naming `asOf`. A `directory` that holds anything (views of an earlier
    /// build would mix with this one's) is ``EngineError/Code/invalid`` naming `directory`; one an engine of
    /// this process holds (this engine's `views/`, its data directory) is ``EventStoreError/Code/storeInUse``
    /// ("already open in this process"), as is one another build of this process is writing.
    @discardableResult
    public func buildViews(asOf point: AsOf, into directory: String, as principal: Principal,
                           progress: (@Sendable (ProjectionRunner.Progress) -> Void)? = nil) async throws -> GlobalPosition {
        try requireOpen()
        guard principal.may(.analyse, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "replaying all views needs the organisation module's analyse permission over all data")
        }
        try await requireWithinLog(point)
        let position: GlobalPosition
        switch point {
        case .position(let p): position = p
        case .time(let t): position = try await self.position(at: t)
        }
        // Held while building, as an engine holds its directories: not into an engine's (nor twice at once).
        let claim = try DirectoryClaim.claim([directory])
        defer { claim.release() }
        try Self.requireEmptyTarget(directory)
        return try await ProjectionRunner.build(store: store, registry: registry, projections: configuration.projections, into: directory,
                                                upTo: position, progress: progress)
    }

    /// Refuses (``EngineError/Code/invalid`` naming `directory`) a build target that is a file or a
    /// directory holding anything: a build on top of earlier views would mix the two.
    static func requireEmptyTarget(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw EngineError(.invalid, field: "directory", "is a file, not a directory: give a new or empty directory")
        }
        // One that cannot be listed is left to the build, which reports what it cannot do there.
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: directory), !contents.isEmpty {
            throw EngineError(.invalid, field: "directory", "is not empty (views built into it earlier would mix with these): give a new or empty directory")
        }
    }

    /// Rebuilds the views named (all when nil) from the log in shadow environments and swaps them in
    /// while queries go on. Needs the settings module's `edit` permission over all data. A name no view has
    /// is ``EngineError/Code/invalid`` naming `views` (nothing rebuilt, nothing recorded). The rebuild (an
    /// administrator's operation, R-LOG-8) is recorded in the read audit once authorized, before it runs, as
    /// `views:rebuild all` (nil, or every view named) or `views:rebuild <name>, …` (each name once, in the
    /// order first given) under the principal; an empty list rebuilds nothing and records nothing.
    ///
    /// - Throws: ``EngineError/Code/unavailable`` naming the view, the position and the type of the event
    ///   when a rebuilt view stopped at an event it could not apply. The views rebuilt are swapped in all
    ///   the same; the stopped one answers up to the event before (as in a catch-up, its failure is kept
    ///   in ``ProjectionRunner/status()``).
    public func rebuildViews(_ names: [String]? = nil, as principal: Principal,
                             progress: (@Sendable (ProjectionRunner.Progress) -> Void)? = nil) async throws {
        try requireOpen()
        guard principal.may(.edit, in: .settings, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "rebuilding views needs the settings module's edit permission over all data")
        }
        if let names {
            let known = Set(views.projections.map(\.name))
            if let unknown = names.firstIndex(where: { !known.contains($0) }) {
                throw EngineError(.invalid, field: "views", "no view of that name (name \(unknown + 1) of \(names.count)); views.projections lists them")
            }
        }
        if let what = Self.rebuildAuditRecord(names, of: views.projections.map(\.name)) {
            audit.record(principal: principal, record: what)
        }
        try await views.rebuild(names, progress: progress)
        try checkViews(names)
    }

    /// What the read audit records for a rebuild of `names` (all when nil) among `all`: nil for none.
    static func rebuildAuditRecord(_ names: [String]?, of all: [String]) -> String? {
        guard let names else { return "views:rebuild all" }
        guard !names.isEmpty else { return nil }
        var seen = Set<String>()
        let once = names.filter { seen.insert($0).inserted }
        return Set(once) == Set(all) ? "views:rebuild all" : "views:rebuild " + once.joined(separator: ", ")
    }

    /// Throws ``EngineError/Code/unavailable`` naming the view, the position and the type of the event when
    /// one of the views named (all when nil) stopped at an event it could not apply.
    public func checkViews(_ names: [String]? = nil) throws {
        try requireOpen()
        let wanted = Set(names ?? views.projections.map(\.name))
        let stopped = views.status().filter { wanted.contains($0.name) && $0.failure != nil }.sorted { $0.name < $1.name }
        if let first = stopped.first, let failure = first.failure {
            let others = stopped.count > 1 ? "; \(stopped.count - 1) more stopped: \(stopped.dropFirst().map(\.name).joined(separator: ", "))" : ""
            throw EngineError(.unavailable, "\(failure)\(others)")
        }
    }
}
