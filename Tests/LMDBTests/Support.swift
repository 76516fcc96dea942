import Foundation
import Testing

import LMDB

/// A fresh, empty directory for one test; removed when `body` returns or throws.
/// Tests run in parallel, so every test gets its own.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("lmdb-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// The async flavour of ``withTemporaryDirectory(_:)``.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("lmdb-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Creates (and returns the path of) an empty subdirectory of `parent`.
func makeDirectory(_ name: String, in parent: String) throws -> String {
    let path = (parent as NSString).appendingPathComponent(name)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Big-endian bytes of `n`: byte order equals numeric order.
func key(_ n: UInt64) -> [UInt8] {
    withUnsafeBytes(of: n.bigEndian) { Array($0) }
}

/// The UInt64 stored big-endian in `bytes`.
func number(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    precondition(bytes.count == 8, "expected an 8-byte key, got \(bytes.count)")
    var n: UInt64 = 0
    withUnsafeMutableBytes(of: &n) { $0.copyMemory(from: bytes) }
    return UInt64(bigEndian: n)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func string(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

/// Runs `body` and returns the LMDBError it threw (nil when it did not throw or threw something else).
func lmdbError(_ body: () throws -> Void) -> LMDBError? {
    do {
        try body()
        return nil
    } catch let error as LMDBError {
        return error
    } catch {
        return nil
    }
}

/// Raw LMDB result codes, spelled out so that the tests check the wrapper keeps LMDB's own numbers.
enum RawCode {
    static let keyExist: Int32 = -30799    // MDB_KEYEXIST
    static let notFound: Int32 = -30798    // MDB_NOTFOUND
    static let mapFull: Int32 = -30792     // MDB_MAP_FULL
    static let dbsFull: Int32 = -30791     // MDB_DBS_FULL
    static let badValSize: Int32 = -30781  // MDB_BAD_VALSIZE
}

/// A sendable counter for closures that may run more than once.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
