import EventSourcing
import Foundation

/// The behaviour every ``EventStore`` must show, written against the protocol alone so that each
/// implementation — the embedded LMDB store, a PostgreSQL store — runs the very same checks.
///
/// Run it from a test target with one test per case:
///
/// ```swift
/// @Test(arguments: EventStoreConformance.cases)
/// func lmdbStoreConforms(_ check: ConformanceCase) async throws {
///     try await check.run { clock in
///         let dir = makeTemporaryDirectory()
///         let store = try LMDBEventStore(directory: dir, clock: clock)
///         return ConformanceFixture(store: store) { await store.close(); remove(dir) }
///     }
/// }
/// ```
public enum EventStoreConformance {
    /// Every case of the suite.
    public static var cases: [ConformanceCase] {
        appending + concurrency + idempotency + validation + reading + subscriptions
    }
}

/// A fresh, empty store for one case, and how to dispose of it.
public struct ConformanceFixture: Sendable {
    public let store: any EventStore
    public let teardown: @Sendable () async -> Void

    public init(store: any EventStore, teardown: @escaping @Sendable () async -> Void) {
        self.store = store
        self.teardown = teardown
    }
}

/// Makes a fresh, empty store whose `recordedAt` comes from the given clock.
public typealias ConformanceStoreFactory = @Sendable (_ clock: ManualClock) async throws -> ConformanceFixture

/// One named check of the suite.
public struct ConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    let body: @Sendable (ConformanceContext) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (ConformanceContext) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Runs the case against a fresh store from `factory`; throws ``ConformanceFailure`` when the store misbehaves.
    public func run(using factory: ConformanceStoreFactory) async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600.25))
        let fixture = try await factory(clock)
        let context = ConformanceContext(store: fixture.store, clock: clock)
        do {
            try await body(context)
        } catch {
            await fixture.teardown()
            throw error
        }
        await fixture.teardown()
    }
}

/// A check that failed: what was expected, in words.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let message: String
    public let line: Int
    public var description: String { "conformance check failed (line \(line)): \(message)" }
}

/// What a case works with: the store, its clock, ids and small assertion helpers.
struct ConformanceContext: Sendable {
    let store: any EventStore
    let clock: ManualClock
    let ids = SequentialIDGenerator(seed: 7)

    func event(_ type: String = "Happened", payload: [UInt8] = Array("{}".utf8), actor: String = "tester") -> EventData {
        EventData(id: ids.next(), type: type, schemaVersion: 1, payload: payload, metadata: EventMetadata(actor: actor))
    }

    func events(_ count: Int, type: String = "Happened") -> [EventData] {
        (0..<count).map { i in event(type, payload: Array("{\"n\":\(i)}".utf8)) }
    }

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
        if !condition { throw ConformanceFailure(message: message(), line: line) }
    }

    func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, line: Int = #line) throws {
        if actual != expected { throw ConformanceFailure(message: "\(what): expected \(expected), got \(actual)", line: line) }
    }

    /// Runs `body` and checks that it throws an ``EventStoreError`` with `code`; returns the error.
    @discardableResult
    func expectError(_ code: EventStoreError.Code, line: Int = #line, _ body: () async throws -> Void) async throws -> EventStoreError {
        do {
            try await body()
        } catch let error as EventStoreError {
            if error.code == code { return error }
            throw ConformanceFailure(message: "expected error \(code), got \(error.code) (\(error))", line: line)
        } catch {
            throw ConformanceFailure(message: "expected EventStoreError \(code), got \(error)", line: line)
        }
        throw ConformanceFailure(message: "expected error \(code), but the call succeeded", line: line)
    }

    /// Checks that the log still ends at `head` (nothing was written).
    func expectHead(_ head: GlobalPosition, line: Int = #line) async throws {
        let actual = try await store.headPosition()
        if actual != head { throw ConformanceFailure(message: "log head: expected \(head), got \(actual) — something was written", line: line) }
    }

    /// Runs `body`, failing if it takes longer than `seconds` (for checks that could otherwise hang).
    func within<T: Sendable>(_ seconds: Double, line: Int = #line, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ConformanceFailure(message: "did not finish within \(seconds) s", line: line)
            }
            return value
        }
    }
}
