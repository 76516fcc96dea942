import CRMDomain
import EventSourcing
import Foundation

/// A realistic, deterministic CRM history for benchmarks, tests and the demo: an organisation with branches
/// in several time zones, staff and roles, settings, customer forms, products, customers with contacts, and a
/// year (by default) of tasks, contact log entries, visits, tickets, opportunities, quotes, revenue and usage.
///
/// Every event comes from the real domain rules (`decide`, then `evolve`), so the history is valid by
/// construction. It is produced as batches — one command's events for one stream, with the expected version
/// that stream is at — in time order, so appending them in order to an empty store succeeds. Nothing is
/// kept but the state that later commands need, so ten million events stream through in constant memory
/// per customer.
///
/// ```swift
/// let generator = HistoryGenerator(.init(seed: 7, targetEvents: 100_000, start: start))
/// let agent = generator.world.staff(of: "berlin", role: .serviceAgent).first
/// try await generator.forEachBatch { batch in try await store.append(batch) }   // or the sync variant
/// ```
///
/// Deterministic: the same configuration (seed included) gives byte-identical batches; ids are time-ordered
/// UUIDv7 built from the simulated time and the seed, and `CommandContext.now` walks through the simulated
/// period — the wall clock is never read.
public struct HistoryGenerator: Sendable {
    public let configuration: Configuration
    /// The branches, staff, roles and customers of the history, known before it is generated.
    public let world: World
    let plan: Plan

    /// Plans the history (the organisation and the customer roster); no event is produced yet.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        let plan = Plan(configuration)
        self.plan = plan
        self.world = plan.world
    }

    /// The number of events the plan aims at: the set-up, the customers' onboarding and billing, and the
    /// activities' budget (the target, unless the target is smaller than the set-up and customers need).
    public var plannedEvents: Int { plan.setupEvents + plan.plannedCustomerEvents + plan.activityTarget }

    /// Calls `body` with every batch, in order. Each batch is one atomic append (one stream, one command).
    /// Throws ``GenerationError`` if a domain rule refuses a command the generator issues (a generator bug),
    /// or what `body` throws.
    public func forEachBatch(_ body: ([StreamAppend]) throws -> Void) throws {
        var iterator = makeBatchIterator()
        while let batch = try iterator.next() { try body(batch) }
    }

    /// The async variant of ``forEachBatch(_:)``, for appending to an ``EventStore`` as it goes.
    public func forEachBatch(_ body: ([StreamAppend]) async throws -> Void) async throws {
        var iterator = makeBatchIterator()
        while let batch = try iterator.next() { try await body(batch) }
    }

    /// A fresh iterator over the batches, from the organisation's bootstrap on.
    public func makeBatchIterator() -> BatchIterator { BatchIterator(Simulation(plan: plan)) }

    /// Produces the batches one at a time; holds the simulation's state (the customers, the open work).
    public struct BatchIterator {
        private let simulation: Simulation

        init(_ simulation: Simulation) { self.simulation = simulation }

        /// The next batch, or nil when the history is complete.
        public mutating func next() throws -> [StreamAppend]? { try simulation.nextBatch() }

        /// Events produced so far.
        public var eventsProduced: Int { simulation.emitted }
    }
}

/// A command the generator issued was refused by the domain rules: a bug in the generator, never in the data.
public struct GenerationError: Error, CustomStringConvertible, Sendable {
    /// The stream the command was for.
    public let stream: String
    /// The domain's refusal.
    public let reason: String

    public var description: String { "the generator's command for \(stream) was refused: \(reason)" }
}
