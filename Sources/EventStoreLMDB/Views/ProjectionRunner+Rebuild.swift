import Dispatch
import EventSourcing
import Foundation
import LMDB
import Logging
import Synchronization

extension ProjectionRunner {
    // MARK: Rebuild

    /// Rebuilds the projections named (all when nil) from the whole log into shadow environments, then swaps
    /// them in; queries keep answering from the old views meanwhile.
    public func rebuild(_ names: [String]? = nil, progress: (@Sendable (Progress) -> Void)? = nil) async throws {
        if isReadOnly { throw ViewError.readOnly }
        var seen = Set<String>()
        let unique = (names ?? projections.map(\.name)).filter { seen.insert($0).inserted }
        let chosen = try unique.map { name -> any Projection in
            guard let p = projections.first(where: { $0.name == name }) else { throw ViewError.unknownProjection(name) }
            return p
        }
        guard !chosen.isEmpty else { return }
        var shadows: [Shadow] = []
        for projection in chosen {
            let generation = (slots.withLock { $0[projection.name]?.generation } ?? 0) + 1
            let path = Self.path(projection.name, generation, in: directory)
            try? FileManager.default.removeItem(atPath: path)
            shadows.append(Shadow(projection: projection, generation: generation, environment: try ViewEnvironment(path: path, tables: projection.tables, durability: .noSync, bulk: true)))
        }
        let target = try await store.headPosition()
        var targets = shadows.map { Target(projection: $0.projection, environment: $0.environment, checkpoint: .start) }
        try await replay(into: &targets, upTo: target, batch: Self.replayBatch, progress: progress)
        for shadow in shadows { try shadow.environment.sync() }
        let chosenShadows = shadows
        let replayed = targets
        try await applier.run {
            // Bring the shadows to the live head, then swap them in, while no batch is being applied.
            var targets = replayed
            try await self.replay(into: &targets, upTo: nil, batch: self.batchSize, progress: nil)
            for (index, shadow) in chosenShadows.enumerated() {
                // The shadow was written without fsync; flush it once, then reopen it for live updates.
                try shadow.environment.sync()
                shadow.environment.close()
                let reopened = try ViewEnvironment(path: shadow.environment.path, tables: shadow.projection.tables, durability: .noSync)
                try Self.setCurrentGeneration(shadow.generation, of: shadow.projection.name, in: self.directory)
                let old = self.slots.withLock { slots -> Slot? in
                    let old = slots[shadow.projection.name]
                    slots[shadow.projection.name] = Slot(
                        projection: shadow.projection, environment: reopened, generation: shadow.generation,
                        checkpoint: targets[index].checkpoint, failure: targets[index].failure, stored: targets[index].checkpoint)
                    return old
                }
                if let old { try? FileManager.default.removeItem(atPath: old.environment.path) }
                if let failure = targets[index].failure {
                    // As in a catch-up: stored for readers in other processes, and logged.
                    try? reopened.recordFailure(failure)
                    self.logger.error("projection stopped", metadata: ["projection": "\(shadow.projection.name)", "failure": "\(failure)"])
                }
            }
        }
        try await catchUp()
    }

    /// Builds the views of `projections` as of `position` (the whole log when nil) into `directory`, which
    /// must not hold views yet: the audit replay of all views at a past point (R-LOG-7).
    public static func build(
        store: any EventStore, registry: PayloadRegistry, projections: [any Projection], into directory: String,
        upTo position: GlobalPosition? = nil, progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> GlobalPosition {
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [], directory: directory)
        var targets: [Target] = []
        for projection in projections {
            let env = try ViewEnvironment(path: path(projection.name, 0, in: directory), tables: projection.tables, durability: .noSync, bulk: true)
            targets.append(Target(projection: projection, environment: env, checkpoint: .start))
        }
        var end = GlobalPosition.start
        if let position { end = position } else { end = try await store.headPosition() }
        try await runner.replay(into: &targets, upTo: end, batch: replayBatch, progress: progress)
        for target in targets {
            if let failure = target.failure { throw failure }
            try target.environment.sync()
            target.environment.close()
            try setCurrentGeneration(0, of: target.projection.name, in: directory)
        }
        UnsyncedViews.clear(in: directory)
        return targets.map(\.checkpoint).min() ?? end
    }

    /// Events per transaction when replaying into fresh environments (rebuild, as-of builds). Without a
    /// writable map LMDB held a transaction's dirty pages in malloc'd memory and each environment kept freed
    /// ones for reuse, so this bounded the replay's heap (16,384: 194 → 291 MiB from 1M to 3M events; 1,024:
    /// 40 → 53 MiB). The shadow environments now write into their map (`bulk`), and the heap stays at
    /// ~6 MiB at 1M and 3M (docs/BENCHMARKS.md, "Engine").
    static let replayBatch = 1_024

    struct Shadow: Sendable {
        let projection: any Projection
        let generation: Int
        let environment: ViewEnvironment
    }

    struct Target: Sendable {
        let projection: any Projection
        let environment: ViewEnvironment
        var checkpoint: GlobalPosition
        var failure: ViewError?
    }

    /// Replays the log into `targets` up to `end` (the head when nil), in transactions of `batch` events.
    func replay(into targets: inout [Target], upTo end: GlobalPosition?, batch: Int, progress: (@Sendable (Progress) -> Void)?) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let wanted = Self.wantedTypes(targets.map(\.projection))
        let registry = self.registry
        func limit(from: GlobalPosition) -> Int { end.map { Int(min(UInt64(batch), $0.rawValue &- from.rawValue &+ 1)) } ?? batch }
        guard let first = targets.filter({ $0.failure == nil }).map(\.checkpoint).min()?.next, end.map({ first <= $0 }) ?? true else { return }
        var events = try await readRaw(from: first, limit: limit(from: first), wanted: wanted).decoded(by: registry)
        var cost = [Duration](repeating: .zero, count: targets.count)
        while let last = events.last {
            // The next batch is read now (a copy of its bytes: cheap) and decoded beside this one's projections,
            // one more job for the threads that apply it, instead of alone between two batches. Every target
            // that goes on stands at `last` or after it afterwards, so the next batch starts after `last`
            // (a target further on skips what it has seen).
            var next: RawBatch?
            if end.map({ last < $0 }) ?? true { next = try await readRaw(from: last.next, limit: limit(from: last.next), wanted: wanted) }
            // The longest jobs first (as long as each took in the batch before): the threads then end the
            // batch together instead of one finishing a long view alone.
            let due = targets.indices.filter { targets[$0].failure == nil && targets[$0].checkpoint < last }
                .sorted { (cost[$0], $1) > (cost[$1], $0) }
            let jobs = due.map { (projection: targets[$0].projection, environment: targets[$0].environment, after: targets[$0].checkpoint) }
            let decodedNext = BatchHandoff()
            var decodeNext: (@Sendable () -> Void)?
            if let raw = next {
                decodeNext = {
                    let decoded = raw.decoded(by: registry)
                    decodedNext.batch.withLock { $0 = decoded }
                }
            }
            let durations = JobDurations()
            let results = applyConcurrently(events, through: last, jobs, alongside: decodeNext, durations: durations)
            for (job, spent) in durations.times.withLock({ $0 }) { cost[due[job]] = spent }
            for (index, result) in zip(due, results) {
                targets[index].checkpoint = result.0
                targets[index].failure = result.1
            }
            progress?(Progress(position: last, target: end ?? last, elapsed: clock.now - started))
            guard targets.contains(where: { $0.failure == nil }), let decoded = decodedNext.batch.withLock({ $0 }) else { break }
            events = decoded
        }
    }

    // MARK: Directory layout

    static func path(_ name: String, _ generation: Int, in directory: String) -> String {
        "\(directory)/\(name)/\(generation)"
    }

    static func currentGeneration(of name: String, in directory: String) throws -> Int {
        let file = "\(directory)/\(name)/current"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return 0 }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func setCurrentGeneration(_ generation: Int, of name: String, in directory: String) throws {
        let folder = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = "\(folder)/current.tmp"
        try Data("\(generation)\n".utf8).write(to: URL(fileURLWithPath: temporary), options: .atomic)
        if rename(temporary, "\(folder)/current") != 0 { throw ViewError.closed }
    }

    /// Removes every environment of projection `name` and its generation pointer: it is built from zero.
    static func removeAllGenerations(of name: String, in directory: String) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")
    }

    static func removeStaleGenerations(of name: String, keeping generation: Int, in directory: String) {
        let folder = "\(directory)/\(name)"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where Int(entry) != nil && Int(entry) != generation {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(entry)")
        }
    }
}
