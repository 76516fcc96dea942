import Foundation
import Testing

import LMDB

/// The numeric key of an entry, or nil.
private func k(_ entry: Cursor.Entry?) -> UInt64? { entry.map { number($0.key) } }

private func seek(atLeast n: UInt64, _ cursor: Cursor) throws -> UInt64? {
    try key(n).withUnsafeBytes { b in k(try cursor.seek(atLeast: b)) }
}

private func seek(atMost n: UInt64, _ cursor: Cursor) throws -> UInt64? {
    try key(n).withUnsafeBytes { b in k(try cursor.seek(atMost: b)) }
}

private func seek(exactly n: UInt64, _ cursor: Cursor) throws -> UInt64? {
    try key(n).withUnsafeBytes { b in k(try cursor.seek(exactly: b)) }
}

/// An environment with keys 10, 20, …, 100 plus 256 and 65 536 (big-endian), inserted out of order;
/// each value is the key's decimal text.
private func withNumberedDatabase(_ body: (Environment, Database) throws -> Void) throws {
    try withTemporaryDirectory { dir in
        let env = try Environment(path: dir)
        defer { env.close() }
        let db = try env.openDatabase(named: "numbers")
        let numbers: [UInt64] = [70, 65_536, 10, 100, 40, 256, 20, 90, 30, 60, 50, 80]
        try env.write { txn throws in
            for n in numbers { try txn.put(bytes(String(n)), forKey: key(n), in: db) }
        }
        try body(env, db)
    }
}

private let allKeys: [UInt64] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 256, 65_536]

@Suite("Cursors over big-endian integer keys")
struct CursorTests {
    @Test func firstAndLastAreTheSmallestAndLargestKeys() throws {
        try withNumberedDatabase { env, db throws in
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    let first = try #require(try cursor.first())
                    #expect(number(first.key) == 10)
                    #expect(String(decoding: first.value, as: UTF8.self) == "10")
                    #expect(k(try cursor.current()) == 10)
                    let last = try #require(try cursor.last())
                    #expect(number(last.key) == 65_536)
                    #expect(String(decoding: last.value, as: UTF8.self) == "65536")
                    #expect(k(try cursor.current()) == 65_536)
                }
            }
        }
    }

    @Test func nextWalksForwardInNumericOrder() throws {
        try withNumberedDatabase { env, db throws in
            let walked = try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    var keys: [UInt64] = []
                    var entry = try cursor.first()
                    while let e = entry {
                        keys.append(number(e.key))
                        #expect(String(decoding: e.value, as: UTF8.self) == String(number(e.key)))
                        entry = try cursor.next()
                    }
                    #expect(try cursor.next() == nil)
                    return keys
                }
            }
            #expect(walked == allKeys)
        }
    }

    @Test func previousWalksBackward() throws {
        try withNumberedDatabase { env, db throws in
            let walked = try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    var keys: [UInt64] = []
                    var entry = try cursor.last()
                    while let e = entry {
                        keys.append(number(e.key))
                        entry = try cursor.previous()
                    }
                    return keys
                }
            }
            #expect(walked == allKeys.reversed())
        }
    }

    @Test func nextAndPreviousFromAFreshCursorStartAtTheEnds() throws {
        try withNumberedDatabase { env, db throws in
            try env.read { txn throws in
                // LMDB treats NEXT on an unpositioned cursor as FIRST and PREV as LAST.
                #expect(try txn.withCursor(on: db) { c throws in k(try c.next()) } == 10)
                #expect(try txn.withCursor(on: db) { c throws in k(try c.previous()) } == 65_536)
            }
        }
    }

    @Test func seekAtLeastFindsTheFirstKeyNotBelow() throws {
        try withNumberedDatabase { env, db throws in
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    #expect(try seek(atLeast: 0, cursor) == 10)
                    #expect(try seek(atLeast: 10, cursor) == 10)
                    #expect(try seek(atLeast: 25, cursor) == 30)
                    #expect(try seek(atLeast: 30, cursor) == 30)
                    #expect(try seek(atLeast: 101, cursor) == 256)
                    #expect(try seek(atLeast: 257, cursor) == 65_536)
                    #expect(try seek(atLeast: 65_537, cursor) == nil)
                    // The [UInt8] overload, then iteration continues from the found position.
                    #expect(k(try cursor.seek(atLeast: key(55))) == 60)
                    #expect(k(try cursor.next()) == 70)
                    #expect(k(try cursor.previous()) == 60)
                    #expect(k(try cursor.previous()) == 50)
                }
            }
        }
    }

    @Test func seekAtMostFindsTheLastKeyNotAbove() throws {
        try withNumberedDatabase { env, db throws in
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    #expect(try seek(atMost: 0, cursor) == nil)
                    #expect(try seek(atMost: 9, cursor) == nil)
                    #expect(try seek(atMost: 10, cursor) == 10)
                    #expect(try seek(atMost: 25, cursor) == 20)
                    #expect(try seek(atMost: 30, cursor) == 30)
                    #expect(try seek(atMost: 255, cursor) == 100)
                    #expect(try seek(atMost: 256, cursor) == 256)
                    #expect(try seek(atMost: 65_535, cursor) == 256)
                    #expect(try seek(atMost: 65_536, cursor) == 65_536)
                    #expect(try seek(atMost: .max, cursor) == 65_536)
                    // Iteration continues from the found position.
                    #expect(try seek(atMost: 45, cursor) == 40)
                    #expect(k(try cursor.next()) == 50)
                    #expect(try seek(atMost: 45, cursor) == 40)
                    #expect(k(try cursor.previous()) == 30)
                }
            }
        }
    }

    @Test func seekAtMostReturnsTheValueOfTheFoundKey() throws {
        try withNumberedDatabase { env, db throws in
            let value = try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    try key(99).withUnsafeBytes { b in try cursor.seek(atMost: b).map { Array($0.value) } }
                }
            }
            #expect(string(value) == "90")
        }
    }

    @Test func seekExactlyFindsOnlyEqualKeys() throws {
        try withNumberedDatabase { env, db throws in
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    #expect(try seek(exactly: 40, cursor) == 40)
                    #expect(k(try cursor.next()) == 50)
                    #expect(try seek(exactly: 41, cursor) == nil)
                    #expect(try seek(exactly: 65_536, cursor) == 65_536)
                    #expect(try seek(exactly: 0, cursor) == nil)
                    let value = try key(256).withUnsafeBytes { b in try cursor.seek(exactly: b).map { Array($0.value) } }
                    #expect(string(value) == "256")
                }
            }
        }
    }

    @Test func emptyDatabaseHasNoEntries() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "empty")
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    #expect(try cursor.first() == nil)
                    #expect(try cursor.last() == nil)
                    #expect(try cursor.next() == nil)
                    #expect(try seek(atLeast: 1, cursor) == nil)
                    #expect(try seek(atMost: 1, cursor) == nil)
                    #expect(try seek(exactly: 1, cursor) == nil)
                }
            }
        }
    }

    @Test func keysAreOrderedBytewise() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "strings")
            try env.write { txn throws in
                for s in ["b", "aa", "a", "ab", "B", "ba"] { try txn.put([], forKey: bytes(s), in: db) }
            }
            let order = try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    var keys: [String] = []
                    var entry = try cursor.first()
                    while let e = entry {
                        keys.append(String(decoding: e.key, as: UTF8.self))
                        entry = try cursor.next()
                    }
                    return keys
                }
            }
            #expect(order == ["B", "a", "aa", "ab", "b", "ba"])
        }
    }

    @Test func cursorInWriteTransactionSeesUncommittedPutsAndDeletes() throws {
        try withNumberedDatabase { env, db throws in
            try env.write { txn throws in
                try txn.put(bytes("15"), forKey: key(15), in: db)
                try txn.delete(key: key(20), in: db)
                try txn.withCursor(on: db) { cursor throws in
                    #expect(try seek(atLeast: 11, cursor) == 15)
                    #expect(k(try cursor.next()) == 30)
                }
            }
        }
    }

    @Test func deleteCurrentRemovesEntriesWhileIterating() throws {
        try withNumberedDatabase { env, db throws in
            try env.write { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    var entry = try cursor.first()
                    while let e = entry {
                        if number(e.key) % 20 == 0 { try cursor.deleteCurrent() }
                        entry = try cursor.next()
                    }
                }
            }
            let remaining = try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    var keys: [UInt64] = []
                    var entry = try cursor.first()
                    while let e = entry { keys.append(number(e.key)); entry = try cursor.next() }
                    return keys
                }
            }
            // 256 and 65 536 are not multiples of 20.
            #expect(remaining == [10, 30, 50, 70, 90, 256, 65_536])
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 7)
        }
    }

    @Test func deleteCurrentInReadTransactionIsRefused() throws {
        try withNumberedDatabase { env, db throws in
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    _ = try cursor.first()
                    #expect(lmdbError { try cursor.deleteCurrent() }?.code == LMDBError.readOnly.code)
                }
            }
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == allKeys.count)
        }
    }

    @Test func cursorUsedAfterItsClosureReturnedThrowsTransactionEnded() throws {
        try withNumberedDatabase { env, db throws in
            var escaped: Cursor?
            try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in escaped = cursor }
                // The transaction is still open, but the cursor is closed.
                let cursor = try #require(escaped)
                #expect(lmdbError { _ = try cursor.first() }?.code == LMDBError.transactionEnded.code)
            }
            let cursor = try #require(escaped)
            #expect(lmdbError { _ = try cursor.next() }?.code == LMDBError.transactionEnded.code)
            #expect(lmdbError { _ = try cursor.seek(atLeast: key(1)) }?.code == LMDBError.transactionEnded.code)
            #expect(lmdbError { try cursor.deleteCurrent() }?.code == LMDBError.transactionEnded.code)
        }
    }

    @Test func largeScanVisitsEveryKeyInOrder() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "big")
            let count: UInt64 = 20_000
            try env.write { txn throws in
                for i in 0..<count { try txn.put(key(i &* 2_654_435_761 % 1_000_003), forKey: key(i), in: db, options: .append) }
            }
            let (visited, ordered) = try env.read { txn throws in
                try txn.withCursor(on: db) { cursor throws in
                    var visited: UInt64 = 0
                    var ordered = true
                    var previous: UInt64?
                    var entry = try cursor.first()
                    while let e = entry {
                        let n = number(e.key)
                        if let previous, previous >= n { ordered = false }
                        previous = n
                        visited += 1
                        entry = try cursor.next()
                    }
                    return (visited, ordered)
                }
            }
            #expect(visited == count)
            #expect(ordered)
        }
    }

    @Test func compareOrdersBytewiseThenByLength() {
        func cmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
            a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compare(pa, pb) } }
        }
        #expect(cmp([1, 2], [1, 2]) == 0)
        #expect(cmp([1, 2], [1, 3]) < 0)
        #expect(cmp([2], [1, 255]) > 0)
        #expect(cmp([1], [1, 0]) < 0)
        #expect(cmp([], []) == 0)
        #expect(cmp([], [0]) < 0)
        #expect(cmp(key(255), key(256)) < 0)
    }
}
