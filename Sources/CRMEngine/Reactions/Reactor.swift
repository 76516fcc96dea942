import CRMDomain
import EventSourcing
import EventStoreLMDB
import Foundation
import Logging
import Synchronization

/// A command a reaction asks for, with a key unique among the commands of its triggering event.
public struct ReactionCommand: Sendable {
    public let key: String
    let runner: any ReactionRunner

    /// Executes `command` on record `id` of `A` as the system — recorded as done by `actor` when given
    /// (the employee whose decision it carries out).
    public static func execute<A: EngineRecord>(_ type: A.Type, id: UUID, _ command: A.Command, key: String, actor: String? = nil) -> ReactionCommand {
        ReactionCommand(key: key, runner: Runner<A>(id: id, command: command, actor: actor))
    }

    func run(_ engine: CRMEngine, _ idempotencyKey: String, _ causation: UUID) async throws {
        try await runner.run(engine, idempotencyKey, causation)
    }

    /// Judges the command as running it would — as the same principal, on the log as it is now — writing
    /// nothing (``CRMEngine/dryRun(_:id:_:as:)``): throws what its run would.
    func dryRun(_ engine: CRMEngine) async throws {
        try await runner.dryRun(engine)
    }
}

protocol ReactionRunner: Sendable {
    func run(_ engine: CRMEngine, _ idempotencyKey: String, _ causation: UUID) async throws
    func dryRun(_ engine: CRMEngine) async throws
}

private struct Runner<A: EngineRecord>: ReactionRunner {
    let id: UUID
    let command: A.Command
    let actor: String?
    /// The system, recorded as `actor` when given.
    var principal: Principal { actor.map { Principal.system(actingFor: $0) } ?? .system }
    func run(_ engine: CRMEngine, _ idempotencyKey: String, _ causation: UUID) async throws {
        try await engine.execute(A.self, id: id, command, as: principal, idempotencyKey: idempotencyKey, causation: causation)
    }
    func dryRun(_ engine: CRMEngine) async throws {
        try await engine.dryRun(A.self, id: id, command, as: principal)
    }
}

/// An event → command rule of the domain, run by the ``Reactor``.
public struct Reaction: Sendable {
    public let name: String
    /// The event types it reacts to.
    public let eventTypes: Set<String>
    public let commands: @Sendable (ProjectionEvent, CRMEngine) async throws -> [ReactionCommand]

    public init(name: String, eventTypes: Set<String>, commands: @escaping @Sendable (ProjectionEvent, CRMEngine) async throws -> [ReactionCommand]) {
        self.name = name
        self.eventTypes = eventTypes
        self.commands = commands
    }
}

/// Runs the reactions over the log with a checkpoint of its own (ARCHITECTURE decision 11). Each command a
/// reaction asks for is executed with the idempotency key `reaction:<name>:<event id>:<key>`, stored in
/// the same append as the command's events; so a restart before the checkpoint was saved, a replay or a
/// second node running the same reactor never executes a reaction twice. A command the domain refuses
/// (the record moved on) is logged and skipped; a storage failure stops the reactor, which starts again
/// from its checkpoint on the next ``CRMEngine/startReactor()``.
final class Reactor: Sendable {
    let reactions: [Reaction]
    private let checkpoints: CheckpointStore
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let progress = Mutex<GlobalPosition>(.start)
    static let name = "reactor"
    /// How far behind the head a starting reactor says that it is catching up.
    static let announcedLag: UInt64 = 4_096

    init(reactions: [Reaction], directory: String) throws {
        self.reactions = reactions
        checkpoints = try CheckpointStore(directory: directory)
        progress.withLock { $0 = (try? checkpoints.position(of: Self.name)) ?? .start }
    }

    var position: GlobalPosition { progress.withLock { $0 } }

    /// Starts following the log from the checkpoint. A checkpoint beyond the log's head — kept beside a log
    /// restored from a backup or copied in, which holds fewer events — would pass over the reactions of the
    /// events appended up to it: it is said at warning level and the reactor starts again from the start
    /// of the log (each reaction's command carries a deterministic key, so those already done write nothing).
    func start(engine: CRMEngine) async throws {
        let head = try await engine.store.headPosition()
        let stored = position
        if stored > head {
            engine.logger.warning("reactor checkpoint beyond the log's head; reacting again from the start of the log", metadata: [
                "checkpoint": "\(stored.rawValue)", "head": "\(head.rawValue)"])
            progress.withLock { $0 = .start }
            try checkpoints.set(Self.name, to: .start)
        }
        let types = Set(reactions.flatMap(\.eventTypes))
        let from = position.next
        let running = Task { [weak engine] in
            guard let store = engine?.store else { return }
            var pending = 0
            // A long way behind (a copied or restored log, a new node): said when starting and when done, as
            // the reactions of the whole span run now (once each: their commands carry deterministic keys).
            var catchingUp: (head: GlobalPosition, reacted: Int)?
            do {
                let head = try await store.headPosition()
                if head.rawValue > from.rawValue, head.rawValue - from.rawValue >= Self.announcedLag {
                    catchingUp = (head, 0)
                    engine?.logger.notice("reactor catching up", metadata: [
                        "from": "\(from.rawValue)", "head": "\(head.rawValue)", "events": "\(head.rawValue - from.rawValue + 1)"])
                }
                for try await recorded in store.subscribe(from: from) {
                    guard let engine else { return }
                    if types.contains(recorded.type) {
                        try await self.react(to: recorded, engine: engine)
                        catchingUp?.reacted += 1
                    }
                    let head = try await store.headPosition()
                    if let caught = catchingUp, recorded.position >= caught.head {
                        // Said before the position moves, so whoever waits for it hears this first.
                        engine.logger.notice("reactor caught up", metadata: [
                            "position": "\(recorded.position.rawValue)", "reacted": "\(caught.reacted)",
                            "appended": "\(head.rawValue - caught.head.rawValue)"])
                        catchingUp = nil
                    }
                    self.progress.withLock { $0 = recorded.position }
                    pending += 1
                    if pending >= 256 || recorded.position >= head {
                        try self.checkpoints.set(Self.name, to: recorded.position)
                        pending = 0
                    }
                }
            } catch is CancellationError {
            } catch let error as EngineError where error.code == .unavailable && engine?.isClosed == true {
                // The engine closed under a reaction: its event is reacted to again when the engine next opens.
            } catch {
                engine?.logger.error("reactor stopped", metadata: ["error": "\(type(of: error))", "position": "\(self.position.rawValue)"])
            }
        }
        task.withLock { $0 = running }
    }

    private func react(to recorded: RecordedEvent, engine: CRMEngine) async throws {
        let event = try engine.projectionEvent(recorded)
        for reaction in reactions where reaction.eventTypes.contains(recorded.type) {
            for command in try await reaction.commands(event, engine) {
                let key = "reaction:\(reaction.name):\(recorded.id.lowercasedString):\(command.key)"
                do {
                    try await command.run(engine, key, recorded.id)
                } catch let error as EngineError where error.code != .unavailable && error.code != .contention {
                    engine.logger.warning("reaction refused", metadata: [
                        "reaction": "\(reaction.name)", "position": "\(recorded.position.rawValue)", "code": "\(error.code)"])
                }
            }
        }
    }

    /// Waits until the reactor has handled the log up to `position` (for tests and read-your-writes).
    func waitUntil(_ position: GlobalPosition, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while self.position < position {
            guard clock.now < deadline else { throw EngineError(.unavailable, "the reactor did not reach position \(position.rawValue) in time") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func stop() async {
        let running = task.withLock { t -> Task<Void, Never>? in
            defer { t = nil }
            return t
        }
        running?.cancel()
        await running?.value
        // Only a reactor that ran saves where it got to: one never started (a read-only engine's, beside the
        // process that reacts) would write back the checkpoint it read at open, moving that process's backwards.
        if running != nil { try? checkpoints.set(Self.name, to: position) }
        checkpoints.close()
    }
}
