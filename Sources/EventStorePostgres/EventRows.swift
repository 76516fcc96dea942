import EventSourcing
import Foundation
import PostgresNIO

/// Rows of the `events` table as column arrays, and the one statement that writes them: inserts the
/// events, sets each touched stream's version (never lowering one), moves the head and notifies the new
/// head on the log's channel (delivered at commit). The appender and `importRecorded` both write with it.
struct EventRows {
    private(set) var positions: [Int64] = []
    private var streams: [String] = []
    private var versions: [Int64] = []
    private var ids: [UUID] = []
    private var types: [String] = []
    private var schemaVersions: [Int64] = []
    private var recordedAt: [Int64] = []
    private var metadata: [ByteBuffer] = []
    private var payloads: [ByteBuffer] = []

    var isEmpty: Bool { positions.isEmpty }

    mutating func append(position: Int64, stream: String, version: Int64, id: UUID, type: String, schemaVersion: UInt32,
                         recordedAt micros: Int64, metadata encoded: [UInt8], payload: [UInt8]) {
        positions.append(position)
        streams.append(stream)
        versions.append(version)
        ids.append(id)
        types.append(type)
        schemaVersions.append(Int64(schemaVersion))
        recordedAt.append(micros)
        metadata.append(ByteBuffer(bytes: encoded))
        payloads.append(ByteBuffer(bytes: payload))
    }

    /// The statement writing these rows in `schema`, with `streamVersions` (stream → its version after
    /// them) and `head` (the log's position after them).
    func write(schema s: String, streamVersions: [String: Int64], head: Int64) -> PostgresQuery {
        let names = Array(streamVersions.keys)
        let newVersions = names.map { streamVersions[$0] ?? 0 }
        return """
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
                UPDATE \(unescaped: s).log_head SET position = \(head) WHERE id = 1
            )
            SELECT pg_notify(\(PostgresEventStore.channel(schema: s)), \(String(head)))
            """
    }
}
