import EventSourcing
import Logging
import PostgresNIO

/// The log's tables in one PostgreSQL schema (docs/POSTGRES.md, "Schema"), created on open when missing.
///
/// - `events`: one row per event; `position` is the primary key (gapless, in commit order), `event_id` is
///   unique (idempotent re-sends), `(stream_id, stream_version)` is unique (optimistic concurrency).
/// - `streams`: each stream's current version.
/// - `log_head`: one row holding the last position. Every append locks it (`SELECT … FOR UPDATE`) first,
///   which serialises appenders across processes: positions are handed out in commit order, without gaps.
/// - `store_info`: the storage format version.
enum Schema {
    static let formatVersion = "1"
    /// The advisory lock key that serialises concurrent schema creation by several processes.
    static let creationLock: Int64 = 0x63726D5F6C6F67  // "crm_log"

    static func statements(_ s: String) -> [String] {
        [
            "SELECT pg_advisory_xact_lock(\(creationLock))",
            "CREATE SCHEMA IF NOT EXISTS \(s)",
            """
            CREATE TABLE IF NOT EXISTS \(s).events (
                position       bigint  PRIMARY KEY,
                stream_id      text    NOT NULL,
                stream_version bigint  NOT NULL,
                event_id       uuid    NOT NULL UNIQUE,
                type           text    NOT NULL,
                schema_version bigint  NOT NULL,
                recorded_at    bigint  NOT NULL,
                metadata       bytea   NOT NULL,
                payload        bytea   NOT NULL,
                UNIQUE (stream_id, stream_version)
            )
            """,
            "CREATE TABLE IF NOT EXISTS \(s).streams (stream_id text PRIMARY KEY, version bigint NOT NULL)",
            "CREATE TABLE IF NOT EXISTS \(s).log_head (id smallint PRIMARY KEY CHECK (id = 1), position bigint NOT NULL)",
            "INSERT INTO \(s).log_head (id, position) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
            "CREATE TABLE IF NOT EXISTS \(s).store_info (key text PRIMARY KEY, value text NOT NULL)",
            "INSERT INTO \(s).store_info (key, value) VALUES ('format', '\(formatVersion)') ON CONFLICT (key) DO NOTHING",
        ]
    }

    /// Creates the schema when missing (unless `creating` is false: then a missing log is an error) and
    /// checks the database's encoding and the stored format.
    static func prepare(_ client: PostgresClient, schema: String, creating: Bool = true, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            if creating {
                for statement in statements(schema) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            } else {
                var found = false
                let table = "\(schema).store_info"
                for try await exists in try await connection.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger).decode(Bool.self) {
                    found = exists
                }
                guard found else { throw EventStoreError(.storage, detail: "there is no log in schema \(schema)") }
            }
            var encoding = ""
            for try await value in try await connection.query("SHOW server_encoding", logger: logger).decode(String.self) {
                encoding = value
            }
            guard encoding == "UTF8" else {
                throw EventStoreError(.incompatibleFormat, detail: "the database's encoding is \(encoding), the log needs UTF8")
            }
            var format = ""
            let query = PostgresQuery(unsafeSQL: "SELECT value FROM \(schema).store_info WHERE key = 'format'")
            for try await value in try await connection.query(query, logger: logger).decode(String.self) { format = value }
            guard format == formatVersion else {
                throw EventStoreError(.incompatibleFormat, detail: "the log's schema has format \(format), this store reads \(formatVersion)")
            }
        }
    }
}
