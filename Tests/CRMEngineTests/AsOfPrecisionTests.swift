import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// As-of text (``AsOf/parse(_:instant:)``, shared by HTTP `asOf`, `crm show --as-of` and `crm replay --to`):
/// a time covers the whole unit it is written to, so the time an answer shows for a change (whole seconds
/// over HTTP, milliseconds cut down in the CLI), given back, includes that change; a position is plain
/// digits, and one beyond the log's head is refused.
@Suite struct AsOfPrecisionTests {
    static let minute = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// A strict enough reader of the instants the tests write (the adapters bring their own).
    static func instant(_ text: String) -> Date? {
        if text.count == 10 {
            let plain = ISO8601DateFormatter()
            plain.formatOptions = [.withFullDate]
            return plain.date(from: text)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func point(_ text: String) throws -> AsOf { try #require(AsOf.parse(text, instant: instant)) }

    /// A customer created at 00:00:47.327071, edited at 00:00:48.701745 and at 00:00:49.000000 (microseconds,
    /// as the stores keep them).
    static func timeline(_ f: EngineFixture) async throws -> UUID {
        let id = UUID.derived("customer", "timeline")
        f.clock.set(Date(microsecondsSince1970: 1_767_225_647_327_071))
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .organisation, name: "Timeline GmbH", group: "business", branch: "A"), form: .empty(group: "business")), as: f.admin)
        f.clock.set(Date(microsecondsSince1970: 1_767_225_648_701_745))
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(industry: .set("energy")), form: .empty(group: "business")), as: f.admin)
        f.clock.set(Date(microsecondsSince1970: 1_767_225_649_000_000))
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Timeline AG"), form: .empty(group: "business")), as: f.admin)
        return id
    }

    /// Runs `body` over a new fixture, closed afterwards whatever happens.
    static func with(_ label: String, _ body: (EngineFixture) async throws -> Void) async throws {
        let f = try await EngineFixture.make(label)
        do { try await body(f) } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test func aShownTimeGivenBackAsOfIncludesTheChangeShown() async throws { try await Self.with("as-of-precision") { f in
        let id = try await Self.timeline(f)
        func version(_ text: String) async throws -> UInt64? {
            try await f.engine.stateIfExisting(Customer.self, id: id, asOf: Self.point(text), as: f.admin)?.version.rawValue
        }
        // Whole seconds (as HTTP shows `recordedAt`): the second's every event, not the next second's.
        #expect(try await version("2026-01-01T00:00:47Z") == 1)
        #expect(try await version("2026-01-01T00:00:48Z") == 2)
        #expect(try await version("2026-01-01T00:00:49Z") == 3)
        #expect(try await version("2026-01-01T01:00:48+01:00") == 2)
        #expect(try await version("2026-01-01T00:00:46Z") == nil)
        // Milliseconds cut down (as the CLI shows them): the change at .327071 is in .327, not in .326.
        #expect(try await version("2026-01-01T00:00:47.327Z") == 1)
        #expect(try await version("2026-01-01T00:00:47.326Z") == nil)
        #expect(try await version("2026-01-01T00:00:48.701Z") == 2)
        #expect(try await version("2026-01-01T00:00:48.700Z") == 1)
        #expect(try await version("2026-01-01T00:00:48.999Z") == 2)
        // Tenths, microseconds and finer: the unit written, and an instant within a microsecond is that microsecond.
        #expect(try await version("2026-01-01T00:00:48.7Z") == 2)
        #expect(try await version("2026-01-01T00:00:48.701745Z") == 2)
        #expect(try await version("2026-01-01T00:00:48.701744Z") == 1)
        #expect(try await version("2026-01-01T00:00:48.7017450Z") == 2)
        #expect(try await version("2026-01-01T00:00:48.999999Z") == 2)
        // A plain date is its whole day (UTC).
        #expect(try await version("2026-01-01") == 3)
        #expect(try await version("2025-12-31") == nil)
        // The replay's position for a time is the same point.
        let head = try await f.engine.store.headPosition()
        guard case .time(let second) = try Self.point("2026-01-01T00:00:48Z") else { Issue.record("not a time"); return }
        #expect(try await f.engine.position(at: second) == GlobalPosition(head.rawValue - 1))
    } }

    @Test func theLastInstantOfAUnitIsItsLastMicrosecond() throws {
        let second = try #require(Self.instant("2026-01-01T00:00:48Z"))
        #expect(AsOf.lastInstant(of: second, written: "2026-01-01T00:00:48Z").microsecondsSince1970 == 1_767_225_648_999_999)
        let milli = try #require(Self.instant("2026-01-01T00:00:48.701Z"))
        #expect(AsOf.lastInstant(of: milli, written: "2026-01-01T00:00:48.701Z").microsecondsSince1970 == 1_767_225_648_701_999)
        let day = try #require(Self.instant("2026-01-01"))
        #expect(AsOf.lastInstant(of: day, written: "2026-01-01").microsecondsSince1970 == 1_767_311_999_999_999)
    }

    @Test func aPositionIsPlainDigitsWithoutALeadingZero() {
        #expect(AsOf.position("6164") == GlobalPosition(6164))
        #expect(AsOf.position("0") == GlobalPosition(0))
        #expect(AsOf.position("9223372036854775807") == GlobalPosition(UInt64(Int64.max)))
        for text in ["+6164", "06164", "00", " 6164", "6164 ", "", "-1", "6_164", "9223372036854775808", "18446744073709551616"] {
            #expect(AsOf.position(text) == nil, "\(text)")
            #expect(AsOf.parse(text, instant: Self.instant) == nil, "\(text)")
        }
    }

    @Test func aPositionBeyondTheLogsHeadIsRefusedNamingAsOf() async throws { try await Self.with("as-of-beyond-head") { f in
        let id = try await Self.timeline(f)
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.state(Customer.self, id: id, asOf: .position(head), as: f.admin).version == StreamVersion(3))
        let beyond = GlobalPosition(head.rawValue + 1)
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.state(Customer.self, id: id, asOf: .position(beyond), as: f.admin)
        }
        #expect(error?.code == .invalid && error?.field == "asOf", "\(String(describing: error))")
        let replay = await #expect(throws: EngineError.self) {
            try await f.engine.buildViews(asOf: .position(beyond), into: f.directory + "/replay", as: f.admin)
        }
        #expect(replay?.code == .invalid && replay?.field == "asOf")
        // Position 0 is before every event: the record did not exist then.
        #expect(try await f.engine.stateIfExisting(Customer.self, id: id, asOf: .position(.start), as: f.admin) == nil)
    } }
}
