import EventSourcing
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock file that makes one process the writer of a data directory. `flock` ties the lock to the
/// open file, so a writer that dies (even by SIGKILL) releases it at once; the file holds the owner's
/// pid for the error a second writer gets. The log takes it in its directory, a projection runtime in its
/// views directory (whose log may be shared, on PostgreSQL).
final class WriterLock: Sendable {
    static let fileName = "writer.lock"
    /// The lock file's descriptor; -1 once released.
    private let descriptor: Atomic<Int32>

    private init(descriptor: Int32) { self.descriptor = Atomic(descriptor) }

    /// Locks `directory` for this process; `holding` names what it guards in the error a second writer gets.
    static func acquire(directory: String, holding: String = "the store") throws(EventStoreError) -> WriterLock {
        let path = directory + "/" + fileName
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw EventStoreError(.storage, detail: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let owner = readPID(fd)
            Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw EventStoreError(.storeInUse, detail: "another process has \(holding) open for writing", ownerPID: owner)
            }
            throw EventStoreError(.storage, detail: "cannot lock store: \(String(cString: strerror(code)))")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return WriterLock(descriptor: fd)
    }

    /// Releases the lock (closing the file releases the `flock`); once, however often it is called.
    func release() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        Glibc.close(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
