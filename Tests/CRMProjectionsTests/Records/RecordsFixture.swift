import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// A small log for the Records tests: events with increasing positions, per-stream versions, an instant
/// one minute after the previous one, and the actor and client address of the caller.
struct TestLog {
    var events: [ProjectionEvent] = []
    var versions: [StreamID: UInt64] = [:]
    var clock = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    mutating func add(_ payload: any EventPayload, on stream: StreamID, actor: String = "emp-1", ip: String? = "10.0.0.7", source: String? = nil) {
        let version = (versions[stream] ?? 0) + 1
        versions[stream] = version
        clock = clock.addingTimeInterval(60)
        let position = UInt64(events.count + 1)
        events.append(ProjectionEvent(
            id: UUID.derived("event", "\(position)"), stream: stream, streamVersion: StreamVersion(version),
            position: GlobalPosition(position), recordedAt: clock,
            metadata: EventMetadata(actor: actor, sourceSystem: source, clientIP: ip), payload: payload))
    }

    /// The event at `position` (the log's side of a modification history).
    func event(at position: GlobalPosition) -> ProjectionEvent? {
        let index = Int(position.rawValue) - 1
        return events.indices.contains(index) ? events[index] : nil
    }

    /// A stream's events after version `after`, at most `limit` (the log's side of a record's history).
    func stream(_ stream: StreamID, after: UInt64 = 0, limit: Int = .max) -> [ProjectionEvent] {
        Array(events.filter { $0.stream == stream && $0.streamVersion.rawValue > after }.prefix(limit))
    }

    /// Applies the log to fresh views in one go.
    func views(_ projection: any Projection) throws -> InMemoryViews {
        let views = InMemoryViews()
        try views.apply(events, to: projection)
        return views
    }

    /// Applies the log in batches of `size` to fresh views (the batching must not change the rows).
    func views(_ projection: any Projection, batches size: Int) throws -> InMemoryViews {
        let views = InMemoryViews()
        var start = 0
        while start < events.count {
            try views.apply(Array(events[start..<min(start + size, events.count)]), to: projection)
            start += size
        }
        return views
    }
}

let day: TimeInterval = 86_400
let t0 = Date(timeIntervalSince1970: 1_767_225_600)

func created(_ id: UUID, name: String, branch: String = "north", owner: String = "emp-1", group: String = "residential",
             custom: [String: FieldValue] = [:]) -> CustomerCreated {
    CustomerCreated(customerID: id, kind: .organisation, name: name, group: group, branch: branch, community: "c1",
                    owner: owner, status: .prospect, customFields: custom, externalKeys: [ExternalKey(system: "billing", key: "B-1")])
}
