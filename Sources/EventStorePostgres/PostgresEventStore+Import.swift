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
        var positions: [Int64] = []
        var streams: [String] = []
        var versions: [Int64] = []
        var ids: [UUID] = []
        var types: [String] = []
        var schemaVersions: [Int64] = []
        var recordedAt: [Int64] = []
        var metadata: [ByteBuffer] = []
        var payloads: [ByteBuffer] = []
        var heads: [String: Int64] = [:]
        for event in events {
            positions.append(Int64(clamping: event.position.rawValue))
            streams.append(event.stream.rawValue)
            versions.append(Int64(clamping: event.streamVersion.rawValue))
            ids.append(event.id)
            types.append(event.type)
            schemaVersions.append(Int64(event.schemaVersion))
            recordedAt.append(MetadataCodec.micros(event.recordedAt))
            metadata.append(ByteBuffer(bytes: MetadataCodec.encode(event.metadata)))
            payloads.append(ByteBuffer(bytes: event.payload))
            heads[event.stream.rawValue] = max(heads[event.stream.rawValue] ?? 0, Int64(clamping: event.streamVersion.rawValue))
        }
        let names = Array(heads.keys)
        let newVersions = names.map { heads[$0] ?? 0 }
        let expectedHead = Int64(clamping: first.position.rawValue) - 1
        let newHead = positions.last ?? expectedHead
        let timeout = configuration.operationTimeout
        let channelName = channel
        let write: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO \(unescaped: s).events
                    (position, stream_id, stream_version, event_id, type, schema_version, recorded_at, metadata, payload)
                SELECT * FROM unnest(\(positions)::bigint[], \(streams)::text[], \(versions)::bigint[],
                    \(ids)::uuid[], \(types)::text[], \(schemaVersions)::bigint[], \(recordedAt)::bigint[],
                    \(metadata)::bytea[], \(payloads)::bytea[])
            ), upserted AS (
                INSERT INTO \(unescaped: s).streams (stream_id, version)
                SELECT * FROM unnest(\(names)::text[], \(newVersions)::bigint[])
                ON CONFLICT (stream_id) DO UPDATE SET version = GREATEST(\(unescaped: s).streams.version, EXCLUDED.version)
            ), moved AS (
                UPDATE \(unescaped: s).log_head SET position = \(newHead) WHERE id = 1
            )
            SELECT pg_notify(\(channelName), \(String(newHead)))
            """
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
