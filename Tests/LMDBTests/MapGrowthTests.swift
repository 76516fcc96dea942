import Foundation
import Testing

import LMDB

private let tinyMap = 64 << 10  // 64 KiB

@Suite("Map growth: writes never see MDB_MAP_FULL")
struct MapGrowthTests {
    @Test func oneLargeTransactionGrowsATinyMap() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            #expect(try env.info().mapSize == tinyMap)
            let db = try env.openDatabase(named: "big")
            let value = Array(repeating: UInt8(0x5A), count: 4_000)
            var runs = 0
            // 1 000 × 4 000 bytes ≈ 4 MB in one transaction.
            try env.write { txn throws in
                runs += 1
                for i in 0..<1_000 as Range<UInt64> { try txn.put(value, forKey: key(i), in: db) }
            }
            #expect(runs > 1, "the map had to grow, so the closure ran again")
            let info = try env.info()
            #expect(info.mapSize > tinyMap)
            #expect(info.mapSize >= 4_000_000)
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 1_000)
                #expect(try txn.value(forKey: key(999), in: db) == value)
            }
        }
    }

    @Test func manyTransactionsGrowATinyMap() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "many")
            let value = Array(repeating: UInt8(0xC3), count: 3_000)
            // 200 transactions × 10 × 3 000 bytes ≈ 6 MB.
            for t in 0..<200 as Range<UInt64> {
                try env.write { txn throws in
                    for i in 0..<10 as Range<UInt64> { try txn.put(value, forKey: key(t * 10 + i), in: db, options: .append) }
                }
            }
            #expect(try env.info().mapSize >= 6_000_000)
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 2_000)
                #expect(try txn.value(forKey: key(0), in: db) == value)
                #expect(try txn.value(forKey: key(1_999), in: db) == value)
            }
        }
    }

    @Test func reopenWithATinyMapSizeKeepsTheDataAndGrowsAgain() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
                let db = try env.openDatabase(named: "data")
                try env.write { txn throws in
                    try txn.put(Array(repeating: 1, count: 2_000_000), forKey: key(1), in: db)
                }
                #expect(try env.info().mapSize > 2_000_000)
                try env.sync()
                env.close()
            }
            // LMDB rounds a too-small requested map up to the pages in use, so the data stays readable…
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            let reopened = try env.info().mapSize
            #expect(reopened >= 2_000_000)
            let db = try env.openDatabase(named: "data")
            #expect(try env.read { txn throws in try txn.value(forKey: key(1), in: db)?.count } == 2_000_000)
            // …and the (now full) map grows again on the next write.
            try env.write { txn throws in
                try txn.put(Array(repeating: 2, count: 1_000_000), forKey: key(2), in: db)
            }
            #expect(try env.info().mapSize > reopened)
            #expect(try env.read { txn throws in try txn.value(forKey: key(2), in: db)?.count } == 1_000_000)
        }
    }

    @Test func writeThatSwallowsMapFullIsStillRetried() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "data")
            var swallowed: [LMDBError] = []
            let written = try env.write { txn throws -> Int in
                var count = 0
                for i in 0..<500 as Range<UInt64> {
                    do throws(LMDBError) {
                        try txn.put(Array(repeating: 7, count: 4_000), forKey: key(i), in: db)
                        count += 1
                    } catch {
                        swallowed.append(error)
                        break
                    }
                }
                return count
            }
            // Earlier runs swallowed MAP_FULL and were rolled back; the final run wrote everything.
            #expect(!swallowed.isEmpty)
            #expect(swallowed.allSatisfy { $0.code == LMDBError.mapFull.code })
            #expect(written == 500)
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 500)
        }
    }

    @Test func reserveGrowsTheMap() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "data")
            try env.write { txn throws in
                for i in 0..<300 as Range<UInt64> {
                    try key(i).withUnsafeBytes { k in
                        try txn.reserve(8_000, forKey: k, in: db, options: .append) { buffer in
                            buffer.initializeMemory(as: UInt8.self, repeating: UInt8(i & 0xFF))
                        }
                    }
                }
            }
            #expect(try env.info().mapSize > 2_400_000)
            #expect(try env.read { txn throws in try txn.value(forKey: key(299), in: db) } == Array(repeating: 43, count: 8_000))
        }
    }

    @Test func cursorDeleteInAFullMapGrowsIt() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: 4 << 20, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: nil)
            try env.write { txn throws in
                for i in 0..<3_000 as Range<UInt64> { try txn.put(Array(repeating: 1, count: 100), forKey: key(i), in: db, options: .append) }
            }
            // Shrink the map to the pages in use (LMDB rounds up to that minimum): the next page
            // a write needs is past the end of the map.
            try env.setMapSize(tinyMap)
            let shrunk = try env.info().mapSize
            #expect(shrunk < 4 << 20)
            try env.write { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    _ = try cursor.first()
                    try cursor.deleteCurrent()
                }
            }
            #expect(try env.info().mapSize > shrunk)
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 2_999)
                #expect(try txn.contains(key: key(0), in: db) == false)
            }
        }
    }

    @Test func deleteInAFullMapGrowsIt() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: 4 << 20, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: nil)
            try env.write { txn throws in
                for i in 0..<3_000 as Range<UInt64> { try txn.put(Array(repeating: 1, count: 100), forKey: key(i), in: db, options: .append) }
            }
            try env.setMapSize(tinyMap)
            let shrunk = try env.info().mapSize
            _ = try env.write { txn throws in try txn.delete(key: key(1_500), in: db) }
            #expect(try env.info().mapSize > shrunk)
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 2_999)
        }
    }

    @Test func openDatabaseInAFullMapGrowsIt() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: 4 << 20, durability: .noSync))
            defer { env.close() }
            let main = try env.openDatabase(named: nil)
            try env.write { txn throws in
                for i in 0..<3_000 as Range<UInt64> { try txn.put(Array(repeating: 1, count: 100), forKey: key(i), in: main, options: .append) }
            }
            try env.setMapSize(tinyMap)
            let shrunk = try env.info().mapSize
            let db = try env.openDatabase(named: "created-when-full")
            #expect(try env.info().mapSize > shrunk)
            try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            #expect(try env.read { txn throws in string(try txn.value(forKey: bytes("k"), in: db)) } == "v")
        }
    }

    @Test func concurrentWritersGrowATinyMapWithoutLosingWrites() async throws {
        try await withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "shared")
            let writers = 8
            let perWriter = 20
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for t in 0..<perWriter {
                            try env.write { txn throws in
                                let n = UInt64(w * 1_000 + t)
                                try txn.put(Array(repeating: UInt8(w), count: 3_000), forKey: key(n), in: db)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try env.info().mapSize > tinyMap)
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == writers * perWriter)
                #expect(try txn.value(forKey: key(7_019), in: db) == Array(repeating: 7, count: 3_000))
            }
        }
    }
}

@Suite("Write map: bulk writes into a writable map, then a trimmed file")
struct WriteMapTests {
    @Test func aWriteMapEnvironmentGrowsKeepsItsDataAndIsTrimmedOnClose() throws {
        try withTemporaryDirectory { dir in
            let value = Array(repeating: UInt8(0x7E), count: 3_000)
            do {
                let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync, writeMap: true))
                let db = try env.openDatabase(named: "bulk")
                for t in 0..<100 as Range<UInt64> {
                    try env.write { txn throws in
                        for i in 0..<10 as Range<UInt64> { try txn.put(value, forKey: key(t * 10 + i), in: db) }
                    }
                }
                try env.sync()
                let info = try env.info()
                let used = (info.lastPageNumber + 1) * (try env.pageSize())
                // The writable map extends the file to the whole map; closing cuts it back to the pages in use.
                #expect(try fileSize(dir + "/data.mdb") == info.mapSize)
                env.closeTrimmingFile()
                #expect(try fileSize(dir + "/data.mdb") == used)
            }
            // Reopened without the writable map, as the views are after a rebuild: every row is there.
            let env = try Environment(path: dir, options: .init(mapSize: tinyMap, durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "bulk")
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 1_000)
                #expect(try txn.value(forKey: key(999), in: db) == value)
            }
            try env.write { txn throws in try txn.put(value, forKey: key(1_000), in: db) }
            try env.read { txn throws in #expect(try txn.value(forKey: key(1_000), in: db) == value) }
        }
    }

    private func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }
}
