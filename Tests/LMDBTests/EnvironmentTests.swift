import Foundation
import Testing

import LMDB

@Suite("Environment: opening, options, closing, copying")
struct EnvironmentTests {
    @Test func openAppliesMapSizeAndMaxReaders() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: 4 << 20, maxReaders: 17))
            defer { env.close() }
            let info = try env.info()
            #expect(info.mapSize == 4 << 20)
            #expect(info.maxReaders == 17)
            #expect(env.options.mapSize == 4 << 20)
            #expect(env.path == dir)
            #expect(FileManager.default.fileExists(atPath: dir + "/data.mdb"))
            #expect(try env.pageSize() >= 4096)
            #expect(try env.maxKeySize() >= 511)
        }
    }

    @Test func openFailsWhenDirectoryIsMissing() throws {
        try withTemporaryDirectory { dir in
            let error = lmdbError { _ = try Environment(path: dir + "/does-not-exist") }
            #expect(error?.code == ENOENT)
        }
    }

    @Test func failedOpenLeavesNothingBehindAndALaterOpenWorks() throws {
        try withTemporaryDirectory { dir in
            // No environment exists yet, so a read-only open cannot create one.
            for _ in 0..<3 {
                let error = lmdbError { _ = try Environment(path: dir, options: .init(readOnly: true)) }
                #expect(error?.code == ENOENT)
            }
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            #expect(try env.read { txn throws in try txn.contains(key: bytes("k"), in: db) })
        }
    }

    @Test func openWithNoSubdirectoryUsesAFile() throws {
        try withTemporaryDirectory { dir in
            let file = dir + "/single.mdb"
            do {
                let env = try Environment(path: file, options: .init(noSubdirectory: true))
                let db = try env.openDatabase(named: nil)
                try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
                env.close()
            }
            var isDirectory: ObjCBool = true
            #expect(FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory))
            #expect(!isDirectory.boolValue)
            let env = try Environment(path: file, options: .init(noSubdirectory: true))
            defer { env.close() }
            let db = try env.openDatabase(named: nil)
            #expect(try env.read { txn throws in string(try txn.value(forKey: bytes("k"), in: db)) } == "v")
        }
    }

    @Test func aTruncatedDataFileIsRefusedAtOpenInsteadOfKillingTheProcess() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            let db = try env.openDatabase(named: "rows")
            try env.write { txn throws in
                for n in 0..<2_000 as Range<UInt64> { try txn.put(bytes(String(repeating: "x", count: 200)), forKey: key(n), in: db) }
            }
            env.close()
            // A partly copied file: its meta pages are there, most of its data pages are not. Reading a
            // page past the end of a mapped file would be SIGBUS.
            let file = dir + "/data.mdb"
            let whole = try Data(contentsOf: URL(fileURLWithPath: file))
            try whole.prefix(whole.count / 4).write(to: URL(fileURLWithPath: file))
            for readOnly in [true, false] {
                let error = #expect(throws: LMDBError.self) { _ = try Environment(path: dir, options: .init(readOnly: readOnly)) }
                #expect(error == .truncated && error?.isCorruption == true, "\(String(describing: error))")
            }
        }
    }

    @Test func dataSurvivesCloseAndReopen() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(path: dir)
                let db = try env.openDatabase(named: "items")
                try env.write { txn throws in try txn.put(bytes("kept"), forKey: bytes("k"), in: db) }
                env.close()
            }
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "items")
            #expect(try env.read { txn throws in string(try txn.value(forKey: bytes("k"), in: db)) } == "kept")
        }
    }

    @Test func aSecondOpenOfAnEnvironmentThisProcessHoldsIsRefusedUntilTheFirstIsClosed() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("one"), forKey: bytes("1"), in: db) }
            // Read-only or not, under another spelling of the path or through a symbolic link: one file.
            let link = dir + "-link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir)
            defer { try? FileManager.default.removeItem(atPath: link) }
            for (path, readOnly) in [(dir, false), (dir, true), (dir + "/./", true), (link, false)] {
                let error = lmdbError { _ = try Environment(path: path, options: .init(readOnly: readOnly)) }
                #expect(error == .openInProcess && error?.operation == LMDBError.openInProcess.operation, "\(path) \(readOnly): \(String(describing: error))")
                #expect(error.map { "\($0)" }?.contains("already open in this process") == true)
            }
            // The first handle is untouched by the refusals: it still reads and writes.
            try env.write { txn throws in try txn.put(bytes("two"), forKey: bytes("2"), in: db) }
            #expect(try env.read { txn throws in string(try txn.value(forKey: bytes("1"), in: db)) } == "one")
            env.close()
            // Closed, it can be opened again, and held again.
            let again = try Environment(path: link, options: .init(readOnly: true))
            let items = try again.openDatabase(named: "items")
            #expect(try again.read { txn throws in string(try txn.value(forKey: bytes("2"), in: items)) } == "two")
            #expect(lmdbError { _ = try Environment(path: dir) } == .openInProcess)
            again.closeTrimmingFile()
            try Environment(path: dir).close()
        }
    }

    @Test func twoOpensOfOneNewEnvironmentAtOnceLeaveOneOpen() async throws {
        try await withTemporaryDirectory { dir in
            let outcomes = await withTaskGroup(of: Environment?.self) { group in
                for _ in 0..<8 { group.addTask { try? Environment(path: dir) } }
                var opened: [Environment?] = []
                for await env in group { opened.append(env) }
                return opened
            }
            let open = outcomes.compactMap { $0 }
            #expect(open.count == 1)
            open.forEach { $0.close() }
        }
    }

    @Test func readOnlyOpenOfExistingEnvironmentReadsButRefusesWrites() throws {
        try withTemporaryDirectory { dir in
            do {
                let env = try Environment(path: dir, options: .init(maxDatabases: 4))
                let db = try env.openDatabase(named: "items")
                try env.write { txn throws in try txn.put(bytes("one"), forKey: bytes("1"), in: db) }
                env.close()
            }
            let env = try Environment(path: dir, options: .init(maxDatabases: 4, readOnly: true))
            defer { env.close() }
            // Opening an existing database works without .create being honoured.
            let db = try env.openDatabase(named: "items")
            #expect(try env.read { txn throws in string(try txn.value(forKey: bytes("1"), in: db)) } == "one")

            let writeError = lmdbError { try env.write { txn throws in try txn.put(bytes("x"), forKey: bytes("2"), in: db) } }
            #expect(writeError?.code == LMDBError.readOnly.code)
            #expect(writeError == .readOnly)

            // A database that does not exist cannot be created in a read-only environment.
            let missing = lmdbError { _ = try env.openDatabase(named: "missing") }
            #expect(missing?.code == RawCode.notFound)

            // Nothing was written.
            #expect(try env.read { txn throws in try txn.contains(key: bytes("2"), in: db) } == false)
        }
    }

    @Test func writeClosureNeverRunsInReadOnlyEnvironment() throws {
        try withTemporaryDirectory { dir in
            try Environment(path: dir).close()
            let env = try Environment(path: dir, options: .init(readOnly: true))
            defer { env.close() }
            var ran = false
            let error = lmdbError { try env.write { _ in ran = true } }
            #expect(error?.code == LMDBError.readOnly.code)
            #expect(!ran)
        }
    }

    @Test func namedDatabasesAreSeparate() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(maxDatabases: 4))
            defer { env.close() }
            let a = try env.openDatabase(named: "a")
            let b = try env.openDatabase(named: "b")
            #expect(a != b)
            #expect(try env.openDatabase(named: "a") == a)
            try env.write { txn throws in
                try txn.put(bytes("in a"), forKey: bytes("k"), in: a)
                try txn.put(bytes("in b"), forKey: bytes("k"), in: b)
                try txn.put(bytes("only b"), forKey: bytes("b-only"), in: b)
            }
            try env.read { txn throws in
                #expect(string(try txn.value(forKey: bytes("k"), in: a)) == "in a")
                #expect(string(try txn.value(forKey: bytes("k"), in: b)) == "in b")
                #expect(try txn.contains(key: bytes("b-only"), in: a) == false)
                #expect(try txn.statistics(of: a).entries == 1)
                #expect(try txn.statistics(of: b).entries == 2)
            }
        }
    }

    @Test func openDatabaseWithoutCreateFailsForMissingName() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let error = lmdbError { _ = try env.openDatabase(named: "nope", options: []) }
            #expect(error?.code == RawCode.notFound)
            #expect(error == .notFound)
        }
    }

    @Test func maxDatabasesLimitsNamedDatabases() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(maxDatabases: 2))
            defer { env.close() }
            _ = try env.openDatabase(named: "first")
            _ = try env.openDatabase(named: "second")
            let error = lmdbError { _ = try env.openDatabase(named: "third") }
            #expect(error?.code == RawCode.dbsFull)
            #expect(error == .databasesFull)
        }
    }

    @Test func reverseKeyDatabaseOrdersKeysFromTheirLastByte() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            defer { env.close() }
            let db = try env.openDatabase(named: "reversed", options: [.create, .reverseKey])
            try env.write { txn throws in
                for k in ["ab", "ba", "ca"] { try txn.put(bytes(k), forKey: bytes(k), in: db) }
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
            // Compared last byte first: "ba" < "ca" (a, then b < c) < "ab" (b).
            #expect(order == ["ba", "ca", "ab"])
        }
    }

    @Test func closedEnvironmentThrowsClosed() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir)
            let db = try env.openDatabase(named: "items")
            try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            env.close()
            env.close()  // harmless twice

            let closed = LMDBError.closed.code
            var ranBody = false
            #expect(lmdbError { _ = try env.read { _ in ranBody = true } }?.code == closed)
            #expect(lmdbError { try env.write { _ in ranBody = true } }?.code == closed)
            #expect(!ranBody)
            #expect(lmdbError { _ = try env.openDatabase(named: "items") }?.code == closed)
            #expect(lmdbError { _ = try env.info() }?.code == closed)
            #expect(lmdbError { _ = try env.pageSize() }?.code == closed)
            #expect(lmdbError { try env.sync() }?.code == closed)
            #expect(lmdbError { try env.setMapSize(1 << 30) }?.code == closed)
            #expect(lmdbError { try env.copy(to: makeDirectory("copy", in: dir)) }?.code == closed)
        }
    }

    @Test(arguments: [true, false])
    func copyProducesAnEnvironmentWithTheSameData(compact: Bool) throws {
        try withTemporaryDirectory { dir in
            let source = try makeDirectory("source", in: dir)
            let target = try makeDirectory("target", in: dir)
            let env = try Environment(path: source, options: .init(maxDatabases: 4, durability: .noSync))
            let items = try env.openDatabase(named: "items")
            let other = try env.openDatabase(named: "other")
            try env.write { txn throws in
                for i in 0..<2_000 as Range<UInt64> {
                    try txn.put(Array(repeating: UInt8(i & 0xFF), count: 100), forKey: key(i), in: items)
                }
                try txn.put(bytes("x"), forKey: bytes("y"), in: other)
            }
            // Free half the pages so that compaction has something to omit.
            try env.write { txn throws in
                for i in stride(from: 0, to: 2_000, by: 2) as StrideTo<UInt64> { try txn.delete(key: key(i), in: items) }
            }
            try env.copy(to: target, compact: compact)
            env.close()

            let sourceSize = try FileManager.default.attributesOfItem(atPath: source + "/data.mdb")[.size] as? Int ?? 0
            let copySize = try FileManager.default.attributesOfItem(atPath: target + "/data.mdb")[.size] as? Int ?? 0
            #expect(copySize > 0)
            if compact { #expect(copySize < sourceSize) }

            let copy = try Environment(path: target, options: .init(maxDatabases: 4, readOnly: true))
            defer { copy.close() }
            let copiedItems = try copy.openDatabase(named: "items")
            let copiedOther = try copy.openDatabase(named: "other")
            try copy.read { txn throws in
                #expect(try txn.statistics(of: copiedItems).entries == 1_000)
                #expect(try txn.value(forKey: key(1), in: copiedItems) == Array(repeating: 1, count: 100))
                #expect(try txn.value(forKey: key(1_999), in: copiedItems) == Array(repeating: UInt8(1_999 & 0xFF), count: 100))
                #expect(try txn.contains(key: key(2), in: copiedItems) == false)
                #expect(string(try txn.value(forKey: bytes("y"), in: copiedOther)) == "x")
            }
        }
    }

    @Test func copyIntoNonEmptyDirectoryFails() throws {
        try withTemporaryDirectory { dir in
            let source = try makeDirectory("source", in: dir)
            let target = try makeDirectory("target", in: dir)
            let env = try Environment(path: source)
            defer { env.close() }
            try env.copy(to: target)
            // data.mdb now exists in target: LMDB refuses to overwrite it.
            let error = lmdbError { try env.copy(to: target) }
            #expect(error?.code == EEXIST)
        }
    }

    @Test func syncSucceedsUnderEveryDurability() throws {
        for durability in [Environment.Durability.full, .noMetaSync, .noSync] {
            try withTemporaryDirectory { dir in
                let env = try Environment(path: dir, options: .init(durability: durability))
                defer { env.close() }
                let db = try env.openDatabase(named: nil)
                try env.write { txn throws in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
                try env.sync(force: true)
                try env.sync(force: false)
                #expect(try env.read { txn throws in try txn.contains(key: bytes("k"), in: db) })
                #expect(try env.info().lastTransactionID >= 1)
            }
        }
    }

    @Test func setMapSizeGrowsTheMap() throws {
        try withTemporaryDirectory { dir in
            let env = try Environment(path: dir, options: .init(mapSize: 1 << 20))
            defer { env.close() }
            #expect(try env.info().mapSize == 1 << 20)
            try env.setMapSize(8 << 20)
            #expect(try env.info().mapSize == 8 << 20)
        }
    }
}
