import EventSourcing
import Foundation
import LMDB
import Synchronization

extension ProjectionRunner {
    // MARK: Reading beside the writer (read-only)

    /// How often at most a read-only runner compares the generations it has open with the writer's.
    static let generationCheckInterval: Duration = .milliseconds(200)
    /// How often a read-only runner reads the writer's checkpoints again while waiting for a position.
    static let readOnlyPollInterval: Duration = .milliseconds(10)

    /// Read-only: takes up the views the writing process rebuilt (a new generation: ``rebuild(_:progress:)``
    /// writes it beside the old one, then points `current` at it and deletes the old one), dropped and built
    /// again (a new data file), or built since the open (a view not built then). Without it a long-lived
    /// reader would go on reading the old generation, which the writer no longer updates.
    ///
    /// At most once per ``generationCheckInterval`` unless `force`d: it reads each view's `current` file and
    /// the identity of its data file. Does nothing for a runner that writes its views, or once closed.
    func followWriter(force: Bool = false) {
        guard isReadOnly else { return }
        let now = ContinuousClock.now
        // Held throughout: one look at a time, and none after ``close()``.
        generations.withLock { state in
            guard !state.closed else { return }
            if !force, let checked = state.checked, now - checked < Self.generationCheckInterval { return }
            state.checked = now
            for projection in projections {
                takeUpWritersGeneration(of: projection)
            }
        }
    }

    /// Opens `projection`'s views anew when the writer's current generation (or its data file) is not the one
    /// open here. Keeps what is open when the new one cannot be opened yet (tried again on the next look).
    private func takeUpWritersGeneration(of projection: any Projection) {
        let name = projection.name
        guard let generation = try? Self.currentGeneration(of: name, in: directory) else { return }
        let path = Self.path(name, generation, in: directory)
        // Not built (yet): what is open stays.
        guard let file = ViewEnvironment.file(at: path) else { return }
        let open = slots.withLock { $0[name].map { (generation: $0.generation, file: $0.environment.file) } }
        if let open, open.generation == generation, open.file == file { return }
        // Another data file than the one open here (LMDB's rule of one handle per environment and process
        // holds: ``Environment`` refuses a file it has open, and this is tried again on the next look).
        guard let env = try? ViewEnvironment(path: path, tables: projection.tables, durability: .noMetaSync, readOnly: true),
              let checkpoint = try? env.checkpoint() else { return }
        var failure: ViewError?
        if let stored = try? env.storedFailure() { failure = ViewError.stored(name: name, detail: stored) }
        // Swapped as the writer swaps a rebuilt view in: reads in flight hold the old environment and finish on
        // it; it closes once the last of them lets it go (closing it here would fail a read that took it just
        // before the swap, or wait for a transaction of this very thread).
        slots.withLock { slots in
            slots[name] = Slot(projection: projection, environment: env, generation: generation, checkpoint: checkpoint, failure: failure)
        }
    }

    /// Read-only: reads the checkpoints and failures the writer stored for the views named (all when nil)
    /// into their slots.
    func refreshStored(_ names: Set<String>?) {
        let environments = slots.withLock { slots in
            slots.compactMap { entry -> (String, ViewEnvironment)? in
                guard names?.contains(entry.key) ?? true else { return nil }
                return (entry.key, entry.value.environment)
            }
        }
        var stored: [(name: String, environment: ViewEnvironment, checkpoint: GlobalPosition, failure: String?)] = []
        for (name, environment) in environments {
            do {
                stored.append((name, environment, try environment.checkpoint(), try environment.storedFailure()))
            } catch {
                continue  // kept as last read (a closed runner, a map being resized)
            }
        }
        slots.withLock { slots in
            for entry in stored where slots[entry.name]?.environment === entry.environment {
                slots[entry.name]?.checkpoint = entry.checkpoint
                slots[entry.name]?.failure = entry.failure.map { ViewError.stored(name: entry.name, detail: $0) }
            }
        }
    }
}
