import CRMDomain
import EventSourcing
import Foundation
import Synchronization

extension CRMEngine {
    /// The settings in force at log position `position`: the settings stream folded up to its last event at
    /// or before it. A reaction judging an event by them decides what it decided when the event was new, so
    /// a reactor catching up (a lost checkpoint, a restored log, a new node) runs no rule set since.
    ///
    /// Kept per engine as of the last position asked, and brought forward from there by reading only the
    /// settings events after it (the reactor asks in log order); an earlier position folds from the start.
    ///
    /// ```swift
    /// let then = try await engine.settings(asOf: event.position)
    /// ```
    func settings(asOf position: GlobalPosition) async throws -> Settings.State {
        try await settingsAsOf.settings(of: self, asOf: position)
    }
}

/// The settings as of the last position an engine asked for, with the version and position of the last
/// settings event folded into them (one per engine: ``CRMEngine/settingsAsOf``).
final class SettingsAsOfCache: Sendable {
    private struct Entry: Sendable {
        var state: Settings.State
        var version: StreamVersion
        /// The position of the settings event at `version` (``GlobalPosition/start`` before any).
        var position: GlobalPosition
    }

    private let entry = Mutex<Entry?>(nil)
    private static let page = 64

    func settings(of engine: CRMEngine, asOf position: GlobalPosition) async throws -> Settings.State {
        var entry: Entry
        if let cached = self.entry.withLock({ $0 }), cached.position <= position {
            entry = cached
        } else {
            entry = try await start(engine, upTo: position)
        }
        fold: while true {
            let batch = try await engine.store.readStream(Settings.streamID, from: entry.version.next, direction: .forward, limit: Self.page)
            for recorded in batch {
                guard recorded.position <= position else { break fold }
                let payload = try engine.registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: recorded.payload)
                if let event = Settings.Event(payload: payload) { entry.state = Settings.evolve(entry.state, event) }
                entry.version = recorded.streamVersion
                entry.position = recorded.position
            }
            if batch.count < Self.page { break }
        }
        let kept = entry
        self.entry.withLock { $0 = kept }
        return kept.state
    }

    /// Where to fold from for `position` without a cached entry before it: the engine's current settings
    /// (its snapshot-seeded cache) when their last event is at or before `position`, else the stream's start.
    private func start(_ engine: CRMEngine, upTo position: GlobalPosition) async throws -> Entry {
        let empty = Entry(state: Settings.initialState, version: .noStream, position: .start)
        let current = try await engine.settingsCache.currentWithVersion(store: engine.store, registry: engine.registry)
        guard current.version != .noStream,
              let last = try await engine.store.readStream(Settings.streamID, from: current.version, direction: .forward, limit: 1).first,
              last.streamVersion == current.version, last.position <= position else { return empty }
        return Entry(state: current.state, version: current.version, position: last.position)
    }
}
