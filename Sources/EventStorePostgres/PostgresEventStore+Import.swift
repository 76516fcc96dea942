import EventSourcing
import Foundation
import Logging
import PostgresNIO

extension PostgresEventStore {
    /// Writes already-recorded events exactly as they are — positions, stream versions, ids, `recordedAt`,
    /// metadata and payloads — for moving a log from another store (`crm migrate-store`). The batch must
    /// continue the log: its positions run from the head + 1 without a gap. Not for normal appends: it
    /// bypasses expected versions and idempotency, and only the table constraints (unique positions, ids and
    /// stream versions) guard it.
    ///
    /// - Throws: ``EventStoreError`` `.storage` when the batch does not continue the log or breaks a
    ///   constraint (nothing of the batch is written then).
    public func importRecorded(_ events: [RecordedEvent]) async throws {
        guard let first = events.first else { return }
        for (offset, event) in events.enumerated() where event.position.rawValue != first.position.rawValue + UInt64(offset) {
            throw EventStoreError(.storage, detail: "imported events must have consecutive positions", position: event.position)
        }
        let s = schema
        let client = client
        let logger = queryLogger
        var rows = EventRows()
        var heads: [String: Int64] = [:]
        for event in events {
            let version = Int64(clamping: event.streamVersion.rawValue)
            rows.append(position: Int64(clamping: event.position.rawValue), stream: event.stream.rawValue, version: version, id: event.id,
                        type: event.type, schemaVersion: event.schemaVersion, recordedAt: event.recordedAt.microsecondsSince1970,
                        metadata: MetadataCodec.encode(event.metadata), payload: event.payload)
            heads[event.stream.rawValue] = max(heads[event.stream.rawValue] ?? 0, version)
        }
        let expectedHead = Int64(clamping: first.position.rawValue) - 1
        let newHead = rows.positions.last ?? expectedHead
        let timeout = configuration.operationTimeout
        let write = rows.write(schema: s, streamVersions: heads, head: newHead)
        do {
            try await withDeadline(timeout, "importing events") {
                try await client.withTransaction(logger: logger) { connection in
                    var head: Int64 = -1
                    let lock: PostgresQuery = "SELECT position FROM \(unescaped: s).log_head WHERE id = 1 FOR UPDATE"
                    for try await value in try await connection.query(lock, logger: logger).decode(Int64.self) { head = value }
                    guard head == expectedHead else {
                        throw EventStoreError(.storage, detail: "imported events must continue the log (its head is \(head))", position: first.position)
                    }
                    try await connection.query(write, logger: logger)
                }
            }
        } catch {
            throw Self.translate(error, during: "importing events")
        }
        notifier.publish(head: GlobalPosition(UInt64(max(newHead, 0))))
    }
}
