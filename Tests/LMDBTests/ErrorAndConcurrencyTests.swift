import Foundation
import Testing

import LMDB

@Suite("LMDBError keeps LMDB's code and explains it")
struct LMDBErrorTests {
    @Test func errorKeepsRawCodeAndOperation() {
        let error = LMDBError(code: RawCode.keyExist, operation: "mdb_put")
        #expect(error.code == -30799)
        #expect(error.operation == "mdb_put")
        #expect(error == .keyExists)
        #expect(error != .notFound)
    }

    @Test func errorHasLMDBsMessage() {
        #expect(LMDBError.notFound.message.contains("MDB_NOTFOUND"))
        #expect(LMDBError.keyExists.message.contains("MDB_KEYEXIST"))
        #expect(LMDBError.mapFull.message.contains("MDB_MAP_FULL"))
        // errno values get the system's text.
        #expect(!LMDBError(code: ENOENT).message.isEmpty)
        #expect(LMDBError(code: ENOENT).message != LMDBError(code: EACCES).message)
    }

    @Test func descriptionNamesCodeOperationAndMessage() {
        let error = LMDBError(code: RawCode.notFound, operation: "mdb_get")
        #expect(error.description.contains("-30798"))
        #expect(error.description.contains("mdb_get"))
        #expect(error.description.contains(error.message))
        let bare = LMDBError(code: RawCode.notFound)
        #expect(bare.description.contains("-30798"))
        #expect(!bare.description.contains(" in "))
        #expect(String(describing: bare) == bare.description)
    }

    @Test func equalityAndHashingUseOnlyTheCode() {
        let a = LMDBError(code: RawCode.mapFull, operation: "mdb_put")
        let b = LMDBError(code: RawCode.mapFull, operation: "mdb_txn_commit")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a == .mapFull)
    }

    @Test func wellKnownErrorsHaveDistinctMeanings() {
        #expect(LMDBError.notFound.code == RawCode.notFound)
        #expect(LMDBError.mapFull.code == RawCode.mapFull)
        #expect(LMDBError.databasesFull.code == RawCode.dbsFull)
        #expect(LMDBError.badKeySize.code == RawCode.badValSize)
        #expect(LMDBError.closed.code == EBADF)
        #expect(LMDBError.readOnly.code == EACCES)
        #expect(LMDBError.transactionEnded.code == EINVAL)
        let codes: [Int32] = [
            LMDBError.notFound, .keyExists, .mapFull, .mapResized, .databasesFull, .readersFull,
            .invalid, .closed, .readOnly, .transactionEnded, .badKeySize,
        ].map(\.code)
        #expect(Set(codes).count == codes.count)
    }

    @Test func errorFromARealCallKeepsTheCodeAndOperation() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            let error = lmdbError {
                try env.write { txn throws in
                    try txn.put(bytes("a"), forKey: bytes("k"), in: db)
                    try txn.put(bytes("b"), forKey: bytes("k"), in: db, options: .noOverwrite)
                }
            }
            let thrown = try #require(error)
            #expect(thrown.code == RawCode.keyExist)
            #expect(thrown.operation == "mdb_put")
            #expect(thrown.message.contains("MDB_KEYEXIST"))
        }
    }

    @Test func openingAFileThatIsNotLMDBFailsWithInvalid() throws {
        try withTemporaryDirectory { dir in
            let garbage = Data(repeating: 0xAB, count: 16_384)
            try garbage.write(to: URL(fileURLWithPath: dir + "/data.mdb"))
            let error = lmdbError { _ = try Environment(path: dir) }
            #expect(error?.code == LMDBError.invalid.code)
        }
    }
}

@Suite("Concurrent readers (MDB_NOTLS)")
struct ConcurrencyTests {
    @Test func manyTasksReadConcurrently() async throws {
        try await withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in
                for i in 0..<100 as Range<UInt64> { try txn.put(key(i * i), forKey: key(i), in: db) }
            }
            let sums = try await withThrowingTaskGroup(of: UInt64.self) { group in
                for t in 0..<50 {
                    group.addTask {
                        try env.read { txn throws in
                            var sum: UInt64 = 0
                            for i in 0..<100 as Range<UInt64> {
                                guard let v = try txn.value(forKey: key((i + UInt64(t)) % 100), in: db) else { return UInt64.max }
                                sum += v.withUnsafeBytes { number($0) }
                            }
                            return sum
                        }
                    }
                }
                var sums: [UInt64] = []
                for try await s in group { sums.append(s) }
                return sums
            }
            let expected = (0..<100 as Range<UInt64>).reduce(0) { $0 + $1 * $1 }
            #expect(sums.count == 50)
            #expect(sums.allSatisfy { $0 == expected })
        }
    }

    @Test func twoReadTransactionsOnOneThreadWork() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            // Without MDB_NOTLS the inner read fails with MDB_BAD_RSLOT.
            let both = try env.read { outer throws in
                try env.read { inner throws in
                    #expect(try env.info().readersInUse >= 2)
                    return (string(try outer.value(forKey: bytes("k"), in: db)), string(try inner.value(forKey: bytes("k"), in: db)))
                }
            }
            #expect(both.0 == "v")
            #expect(both.1 == "v")
        }
    }

    @Test func readersRunWhileWritersCommit() async throws {
        try await withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "pairs")
            // Invariant kept by every writer: keys 0 and 1 hold equal counters.
            try env.write { txn throws in
                try txn.put(key(0), forKey: key(0), in: db)
                try txn.put(key(0), forKey: key(1), in: db)
            }
            let torn = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    for n in 1...200 as ClosedRange<UInt64> {
                        try env.write { txn throws in
                            try txn.put(key(n), forKey: key(0), in: db)
                            try txn.put(key(n), forKey: key(1), in: db)
                        }
                    }
                    return 0
                }
                for _ in 0..<20 {
                    group.addTask {
                        var torn = 0
                        for _ in 0..<50 {
                            try env.read { txn throws in
                                if try txn.value(forKey: key(0), in: db) != txn.value(forKey: key(1), in: db) { torn += 1 }
                            }
                        }
                        return torn
                    }
                }
                var total = 0
                for try await t in group { total += t }
                return total
            }
            #expect(torn == 0)
            #expect(try env.read { txn throws in try txn.value(forKey: key(1), in: db) } == key(200))
        }
    }

    @Test func environmentIsUsableFromDetachedThreads() async throws {
        try await withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(durability: .noSync))
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            let done = Counter()
            // A dedicated thread writes, as the notes recommend for writers.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    for i in 0..<100 as Range<UInt64> {
                        try? env.write { txn throws in try txn.put(bytes("v"), forKey: key(i), in: db) }
                        done.increment()
                    }
                    continuation.resume()
                }
                thread.start()
            }
            #expect(done.value == 100)
            #expect(try env.read { txn throws in try txn.statistics(of: db).entries } == 100)
        }
    }
}
