import Foundation
import Testing

import LMDB

private struct Rollback: Error {}

@Suite("Transactions: commit, abort, snapshots, reading and writing")
struct TransactionTests {
    @Test func writeCommitsWhenClosureReturns() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            let before = try env.info().lastTransactionID
            let returned = try env.write { txn throws in
                try txn.put(bytes("v"), forKey: bytes("k"), in: db)
                #expect(!txn.isReadOnly)
                return 42
            }
            #expect(returned == 42)
            #expect(try env.info().lastTransactionID == before + 1)
            #expect(try env.read { txn throws in string(try txn.value(forKey: bytes("k"), in: db)) } == "v")
        }
    }

    @Test func writeAbortsWhenClosureThrows() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("old"), forKey: bytes("existing"), in: db) }
            let before = try env.info().lastTransactionID

            #expect(throws: Rollback.self) {
                try env.write { txn throws in
                    try txn.put(bytes("new"), forKey: bytes("k"), in: db)
                    try txn.put(bytes("changed"), forKey: bytes("existing"), in: db)
                    try txn.delete(key: bytes("existing"), in: db)
                    // Visible inside the transaction…
                    #expect(try txn.contains(key: bytes("k"), in: db))
                    throw Rollback()
                }
            }
            // …but nothing of it after the throw.
            #expect(try env.info().lastTransactionID == before)
            try env.read { txn throws in
                #expect(try txn.contains(key: bytes("k"), in: db) == false)
                #expect(string(try txn.value(forKey: bytes("existing"), in: db)) == "old")
                #expect(try txn.statistics(of: db).entries == 1)
            }
        }
    }

    @Test func writeAbortsWhenLMDBErrorEscapesTheClosure() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("1"), forKey: bytes("a"), in: db) }
            let error = lmdbError {
                try env.write { txn throws in
                    try txn.put(bytes("2"), forKey: bytes("b"), in: db)
                    try txn.put(bytes("dup"), forKey: bytes("a"), in: db, options: .noOverwrite)
                }
            }
            #expect(error?.code == LMDBError.keyExists.code)
            #expect(try env.read { txn throws in try txn.contains(key: bytes("b"), in: db) } == false)
        }
    }

    @Test func writeClosureRunsOnceWhenTheMapIsLargeEnough() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            var runs = 0
            try env.write { txn throws in
                runs += 1
                try txn.put(bytes("v"), forKey: bytes("k"), in: db)
            }
            #expect(runs == 1)
        }
    }

    @Test func readSeesAConsistentSnapshot() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in
                try txn.put(bytes("before"), forKey: bytes("k"), in: db)
                try txn.put(bytes("doomed"), forKey: bytes("gone"), in: db)
            }
            try env.read { txn throws in
                #expect(txn.isReadOnly)
                #expect(string(try txn.value(forKey: bytes("k"), in: db)) == "before")
                // A writer commits while the reader is open (MDB_NOTLS lets this thread hold both).
                try env.write { w throws in
                    try w.put(bytes("after"), forKey: bytes("k"), in: db)
                    try w.put(bytes("added"), forKey: bytes("new"), in: db)
                    try w.delete(key: bytes("gone"), in: db)
                }
                // The reader still sees its snapshot.
                #expect(string(try txn.value(forKey: bytes("k"), in: db)) == "before")
                #expect(try txn.contains(key: bytes("new"), in: db) == false)
                #expect(string(try txn.value(forKey: bytes("gone"), in: db)) == "doomed")
                #expect(try txn.statistics(of: db).entries == 2)
                // A new reader sees the commit.
                try env.read { fresh throws in
                    #expect(string(try fresh.value(forKey: bytes("k"), in: db)) == "after")
                    #expect(try fresh.contains(key: bytes("new"), in: db))
                    #expect(try fresh.contains(key: bytes("gone"), in: db) == false)
                }
            }
        }
    }

    @Test func putGetValueContainsDeleteRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in
                #expect(try txn.value(forKey: bytes("k"), in: db) == nil)
                #expect(try txn.contains(key: bytes("k"), in: db) == false)
                try txn.put(bytes("first"), forKey: bytes("k"), in: db)
                #expect(string(try txn.value(forKey: bytes("k"), in: db)) == "first")
                // Overwrite is the default.
                try txn.put(bytes("second"), forKey: bytes("k"), in: db)
                #expect(string(try txn.value(forKey: bytes("k"), in: db)) == "second")
                // Empty values are allowed.
                try txn.put([], forKey: bytes("empty"), in: db)
                #expect(try txn.value(forKey: bytes("empty"), in: db) == [])
                #expect(try txn.contains(key: bytes("empty"), in: db))
            }
            try env.read { txn throws in
                let lent = try bytes("k").withUnsafeBytes { k in try txn.unsafeValue(forKey: k, in: db).map { Array($0) } }
                #expect(string(lent) == "second")
                let absent = try bytes("zzz").withUnsafeBytes { k in try txn.unsafeValue(forKey: k, in: db) }
                #expect(absent == nil)
            }
            try env.write { txn throws in
                #expect(try txn.delete(key: bytes("k"), in: db) == true)
                #expect(try txn.delete(key: bytes("k"), in: db) == false)
                let deleted = try bytes("empty").withUnsafeBytes { k in try txn.delete(key: k, in: db) }
                #expect(deleted)
            }
            try env.read { txn throws in
                #expect(try txn.value(forKey: bytes("k"), in: db) == nil)
                #expect(try txn.contains(key: bytes("empty"), in: db) == false)
                #expect(try txn.statistics(of: db).entries == 0)
            }
        }
    }

    @Test func putFromRawBuffersStoresTheBytes() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            let value: [UInt8] = (0...255).map { UInt8($0) }
            try env.write { txn throws in
                try key(7).withUnsafeBytes { k in
                    try value.withUnsafeBytes { v in try txn.put(v, forKey: k, in: db) }
                }
            }
            #expect(try env.read { txn throws in try txn.value(forKey: key(7), in: db) } == value)
        }
    }

    @Test func removeAllEmptiesTheDatabaseButKeepsIt() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            let other = try env.openDatabase(named: "other")
            try env.write { txn throws in
                for i in 0..<100 as Range<UInt64> { try txn.put(bytes("v"), forKey: key(i), in: db) }
                try txn.put(bytes("stays"), forKey: key(1), in: other)
            }
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 100)
            try env.write { txn throws in try txn.removeAll(in: db) }
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 0)
                #expect(try txn.contains(key: key(5), in: db) == false)
                #expect(string(try txn.value(forKey: key(1), in: other)) == "stays")
            }
            // The database is still usable.
            try env.write { txn throws in try txn.put(bytes("again"), forKey: key(5), in: db) }
            #expect(try env.read { txn throws in string(try txn.value(forKey: key(5), in: db)) } == "again")
            #expect(try env.openDatabase(named: "items", options: []) == db)
        }
    }

    @Test func removeAllIsUndoneWhenTheWriteThrows() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in
                for i in 0..<10 as Range<UInt64> { try txn.put(bytes("v"), forKey: key(i), in: db) }
            }
            #expect(throws: Rollback.self) {
                try env.write { txn throws in
                    try txn.removeAll(in: db)
                    #expect(try txn.statistics(of: db).entries == 0)
                    throw Rollback()
                }
            }
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 10)
        }
    }

    @Test func noOverwriteGivesKeyExistsAndKeepsTheOldValue() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in
                try txn.put(bytes("original"), forKey: bytes("k"), in: db, options: .noOverwrite)
                let error = lmdbError { try txn.put(bytes("replacement"), forKey: bytes("k"), in: db, options: .noOverwrite) }
                #expect(error?.code == LMDBError.keyExists.code)
                #expect(error?.code == RawCode.keyExist)
                #expect(error?.operation == "mdb_put")
                // The transaction stays usable after MDB_KEYEXIST.
                try txn.put(bytes("other"), forKey: bytes("k2"), in: db, options: .noOverwrite)
            }
            try env.read { txn throws in
                #expect(string(try txn.value(forKey: bytes("k"), in: db)) == "original")
                #expect(string(try txn.value(forKey: bytes("k2"), in: db)) == "other")
            }
        }
    }

    @Test func appendAcceptsKeysInOrder() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "log")
            try env.write { txn throws in
                for i in 0..<1_000 as Range<UInt64> { try txn.put(key(i * 3), forKey: key(i), in: db, options: .append) }
            }
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 1_000)
                #expect(try txn.value(forKey: key(999), in: db) == key(2_997))
                #expect(try txn.value(forKey: key(256), in: db) == key(768))
            }
        }
    }

    @Test func appendWithOutOfOrderKeyFails() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "log")
            try env.write { txn throws in
                try txn.put(bytes("a"), forKey: key(10), in: db, options: .append)
                try txn.put(bytes("b"), forKey: key(20), in: db, options: .append)
            }
            let smaller = lmdbError {
                try env.write { txn throws in try txn.put(bytes("c"), forKey: key(15), in: db, options: .append) }
            }
            #expect(smaller?.code == LMDBError.keyExists.code)
            let equal = lmdbError {
                try env.write { txn throws in try txn.put(bytes("d"), forKey: key(20), in: db, options: .append) }
            }
            #expect(equal?.code == LMDBError.keyExists.code)
            try env.read { txn throws in
                #expect(try txn.statistics(of: db).entries == 2)
                #expect(try txn.contains(key: key(15), in: db) == false)
                #expect(string(try txn.value(forKey: key(20), in: db)) == "b")
            }
        }
    }

    @Test func reserveWritesStraightIntoTheBuffer() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            var filledCount = -1
            try env.write { txn throws in
                try key(1).withUnsafeBytes { k in
                    try txn.reserve(16, forKey: k, in: db) { buffer in
                        filledCount = buffer.count
                        for i in 0..<buffer.count { buffer[i] = UInt8(0xA0 + i) }
                    }
                }
                // With append and a large value (overflow pages) too.
                for i in 2..<5 as Range<UInt64> {
                    try key(i).withUnsafeBytes { k in
                        try txn.reserve(10_000, forKey: k, in: db, options: .append) { buffer in
                            buffer.initializeMemory(as: UInt8.self, repeating: UInt8(i))
                        }
                    }
                }
            }
            #expect(filledCount == 16)
            try env.read { txn throws in
                #expect(try txn.value(forKey: key(1), in: db) == (0..<16).map { UInt8(0xA0 + $0) })
                #expect(try txn.value(forKey: key(3), in: db) == Array(repeating: 3, count: 10_000))
                #expect(try txn.statistics(of: db).entries == 4)
            }
        }
    }

    @Test func reserveWithNoOverwriteOnExistingKeyFailsWithoutCallingFill() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("kept"), forKey: key(1), in: db) }
            var filled = false
            let error = lmdbError {
                try env.write { txn throws in
                    try key(1).withUnsafeBytes { k in
                        try txn.reserve(8, forKey: k, in: db, options: .noOverwrite) { _ in filled = true }
                    }
                }
            }
            #expect(error?.code == LMDBError.keyExists.code)
            #expect(!filled)
            #expect(try env.read { txn throws in string(try txn.value(forKey: key(1), in: db)) } == "kept")
        }
    }

    @Test func statisticsCountEntriesPerTransaction() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 0)
            try env.write { txn throws in
                for i in 0..<500 as Range<UInt64> { try txn.put(Array(repeating: 1, count: 64), forKey: key(i), in: db) }
                #expect(try txn.statistics(of: db).entries == 500)
            }
            let stats = try env.read { txn throws in try txn.statistics(of: db) }
            #expect(stats.entries == 500)
            #expect(stats.depth >= 2)
            #expect(stats.leafPages > 1)
            #expect(try stats.pageSize == env.pageSize())
            try env.write { txn throws in
                for i in 0..<100 as Range<UInt64> { try txn.delete(key: key(i), in: db) }
            }
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 400)
        }
    }

    @Test func writingInAReadTransactionIsRefused() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.read { txn throws in
                #expect(lmdbError { try txn.put(bytes("v"), forKey: bytes("k"), in: db) }?.code == LMDBError.readOnly.code)
                #expect(lmdbError { try txn.delete(key: bytes("k"), in: db) }?.code == LMDBError.readOnly.code)
                #expect(lmdbError { try txn.removeAll(in: db) }?.code == LMDBError.readOnly.code)
            }
            #expect(try env.read { txn throws in try txn.contains(key: bytes("k"), in: db) } == false)
        }
    }

    @Test func emptyOrOversizedKeysAreRejected() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            let tooLong = Array(repeating: UInt8(7), count: try env.maxKeySize() + 1)
            let longest = Array(repeating: UInt8(7), count: try env.maxKeySize())
            try env.write { txn throws in
                #expect(lmdbError { try txn.put(bytes("v"), forKey: [], in: db) }?.code == RawCode.badValSize)
                #expect(lmdbError { try txn.put(bytes("v"), forKey: tooLong, in: db) } == .badKeySize)
                try txn.put(bytes("ok"), forKey: longest, in: db)
            }
            #expect(try env.read { txn throws in string(try txn.value(forKey: longest, in: db)) } == "ok")
        }
    }

    @Test func transactionUsedAfterWriteReturnedThrowsTransactionEnded() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            var escaped: Transaction?
            try env.write { txn throws in
                try txn.put(bytes("v"), forKey: bytes("k"), in: db)
                escaped = txn
            }
            let txn = try #require(escaped)
            let ended = LMDBError.transactionEnded.code
            #expect(lmdbError { try txn.put(bytes("late"), forKey: bytes("k2"), in: db) }?.code == ended)
            #expect(lmdbError { _ = try txn.value(forKey: bytes("k"), in: db) }?.code == ended)
            #expect(lmdbError { _ = try txn.contains(key: bytes("k"), in: db) }?.code == ended)
            #expect(lmdbError { try txn.delete(key: bytes("k"), in: db) }?.code == ended)
            #expect(lmdbError { try txn.removeAll(in: db) }?.code == ended)
            #expect(lmdbError { _ = try txn.statistics(of: db) }?.code == ended)
            #expect(lmdbError { _ = try txn.withCursor(on: db) { _ in 0 } }?.code == ended)
            #expect(lmdbError {
                try key(1).withUnsafeBytes { k in try txn.reserve(4, forKey: k, in: db) { _ in } }
            }?.code == ended)
            // The late writes went nowhere; the committed one is there.
            try env.read { r throws in
                #expect(try r.contains(key: bytes("k2"), in: db) == false)
                #expect(string(try r.value(forKey: bytes("k"), in: db)) == "v")
            }
        }
    }

    @Test func transactionUsedAfterReadReturnedThrowsTransactionEnded() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            var escaped: Transaction?
            try env.read { txn throws in escaped = txn }
            let txn = try #require(escaped)
            let error = lmdbError { _ = try txn.value(forKey: bytes("k"), in: db) }
            #expect(error?.code == LMDBError.transactionEnded.code)
            #expect(error == .transactionEnded)
        }
    }

    @Test func transactionEscapedFromThrowingWriteThrowsTransactionEnded() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            var escaped: Transaction?
            #expect(throws: Rollback.self) {
                try env.write { txn throws in
                    escaped = txn
                    throw Rollback()
                }
            }
            let txn = try #require(escaped)
            #expect(lmdbError { try txn.put(bytes("v"), forKey: bytes("k"), in: db) }?.code == LMDBError.transactionEnded.code)
        }
    }
}
