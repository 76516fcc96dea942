import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A tiny event log for projection tests: runs the domain's `decide` on the state replayed from the
/// stream's own events, and records the resulting payloads as ProjectionEvents with positions.
final class WorkTestLog {
    private(set) var events: [ProjectionEvent] = []

    /// 2026-03-10 09:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_773_133_200)

    static func at(hours: Double) -> Date { start.addingTimeInterval(hours * 3600) }

    /// A calendar day from `YYYY-MM-DD`.
    static func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    /// Runs `command` on the record `id` of `A` at `now` and records its events; returns them.
    @discardableResult
    func run<A: Aggregate>(_ type: A.Type, _ id: UUID, _ command: A.Command, at now: Date, actor: String = "emp-admin") throws -> [A.Event] {
        let stream = A.stream(id)
        let past = events.filter { $0.stream == stream }.compactMap { A.Event(payload: $0.payload) }
        let state = A.replay(past)
        let new = try A.decide(command, state: state, context: CommandContext(now: now, actor: actor))
        for event in new { append(event.payload, stream: stream, at: now, actor: actor) }
        return new
    }

    /// Records a payload as it is (for events no command of the test produces).
    func append(_ payload: any EventPayload, stream: StreamID, at now: Date, actor: String = "emp-admin") {
        let position = UInt64(events.count + 1)
        let version = events.filter { $0.stream == stream }.count + 1
        events.append(ProjectionEvent(
            id: UUID.derived("event", "\(position)"), stream: stream, streamVersion: StreamVersion(UInt64(version)),
            position: GlobalPosition(position), recordedAt: now, metadata: EventMetadata(actor: actor), payload: payload))
    }

    /// Creates a customer in `branch` owned by `owner`; returns its id.
    @discardableResult
    func customer(_ name: String, branch: String, owner: String, community: String? = nil) throws -> UUID {
        let id = UUID.derived("customer", name)
        append(CustomerCreated(customerID: id, kind: .person, name: name, group: "residential", branch: branch, community: community,
                               owner: owner, status: .active, customFields: [:], externalKeys: []),
               stream: Customer.stream(id), at: Self.start)
        return id
    }

    /// Moves a customer to another branch and owner.
    func move(_ id: UUID, fromBranch: String, toBranch: String, owner: (String, String)) {
        append(CustomerEdited(customerID: id, changes: [
            FieldChange(field: "branch", old: .text(fromBranch), new: .text(toBranch)),
            FieldChange(field: "owner", old: .text(owner.0), new: .text(owner.1)),
        ]), stream: Customer.stream(id), at: Self.start)
    }

    /// The views after applying every event to `projection`.
    func views(_ projection: any Projection) throws -> InMemoryViews {
        let views = InMemoryViews()
        try views.apply(events, to: projection)
        return views
    }

    /// Applying the events one by one and in uneven batches gives identical tables (rebuild = incremental).
    func expectSameTablesInTwoBatchings(_ projection: any Projection) throws {
        let whole = try views(projection)
        let batched = InMemoryViews()
        var index = 0
        var size = 1
        while index < events.count {
            let end = min(events.count, index + size)
            try batched.apply(Array(events[index..<end]), to: projection)
            index = end
            size = size % 4 + 2
        }
        #expect(whole.tables == batched.tables)
        #expect(!whole.tables.isEmpty)
    }
}

/// Counts the writes a projection makes, by table (what a rebuild pays per event).
final class CountingViews: ViewWriter {
    let base = InMemoryViews()
    var puts: [String: Int] = [:]
    func value(forKey key: [UInt8], in table: ViewTable) throws -> [UInt8]? { try base.value(forKey: key, in: table) }
    func scan(_ table: ViewTable, prefix: [UInt8], after: [UInt8]?,
              _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool) throws {
        try base.scan(table, prefix: prefix, after: after, body)
    }
    func put(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
        puts[table.name, default: 0] += 1
        try base.put(value, forKey: key, in: table)
    }
    func delete(key: [UInt8], in table: ViewTable) throws {
        puts[table.name, default: 0] += 1
        try base.delete(key: key, in: table)
    }
}
