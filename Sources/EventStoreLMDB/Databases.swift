import EventSourcing
import LMDB

/// The named databases of the log environment (ARCHITECTURE decision 3).
struct Databases: Sendable {
    /// Global position (8 bytes, big-endian) → envelope.
    let events: Database
    /// Stream number (8) + stream version (8), big-endian → global position (8).
    let streams: Database
    /// Stream id (UTF-8) → stream number (8) + version (8): the stream heads.
    let heads: Database
    /// Event id (16) → global position (8): idempotent re-sends.
    let ids: Database
    /// Store facts, e.g. the storage format version.
    let meta: Database

    static let count = 5
    static let formatKey = Array("format".utf8)
    /// The storage format this code reads and writes.
    static let formatVersion: UInt32 = 1

    static func open(_ env: Environment, create: Bool) throws(EventStoreError) -> Databases {
        let options: Database.Options = create ? [.create] : []
        do {
            return Databases(
                events: try env.openDatabase(named: "events", options: options),
                streams: try env.openDatabase(named: "streams", options: options),
                heads: try env.openDatabase(named: "heads", options: options),
                ids: try env.openDatabase(named: "ids", options: options),
                meta: try env.openDatabase(named: "meta", options: options)
            )
        } catch where error == .notFound {
            throw EventStoreError(.incompatibleFormat, detail: "the directory holds no event store")
        } catch {
            throw EventStoreError(.storage, detail: error.description)
        }
    }

    /// Writes the format version into a new store, or checks the one stored.
    func checkFormat(_ env: Environment, initialise: Bool) throws(EventStoreError) {
        do {
            let stored = try env.read { txn in try txn.value(forKey: Self.formatKey, in: meta) }
            if let stored {
                guard stored.count == 4 else {
                    throw EventStoreError(.incompatibleFormat, detail: "unreadable format version")
                }
                let version = stored.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                guard version == Self.formatVersion else {
                    throw EventStoreError(.incompatibleFormat, detail: "store has format version \(version); this build reads version \(Self.formatVersion)")
                }
                return
            }
            let empty = try env.read { txn in try txn.statistics(of: events).entries == 0 }
            guard empty else { throw EventStoreError(.incompatibleFormat, detail: "store has events but no format version") }
            guard initialise else { throw EventStoreError(.incompatibleFormat, detail: "store was never initialised") }
            let version = Self.formatVersion
            let bytes: [UInt8] = [UInt8(version >> 24), UInt8((version >> 16) & 0xFF), UInt8((version >> 8) & 0xFF), UInt8(version & 0xFF)]
            try env.write { txn in try txn.put(bytes, forKey: Self.formatKey, in: meta) }
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError(.storage, detail: "\(error)")
        }
    }
}
