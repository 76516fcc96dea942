import Foundation

/// Live views commit without flushing (LMDB's `MDB_NOSYNC`): they are derived from the log, which is flushed
/// on every commit, so a flush per view and batch — up to one per projection for every small append — bought
/// nothing the log does not already guarantee, and cost most of a durable write's CPU.
///
/// What that gives up, and how it is made safe:
/// - **The process dies** (crash, kill): every commit already sits in the operating system's page cache, so
///   each view is intact and consistent with its own checkpoint, exactly as with flushed commits.
/// - **The machine goes down** (power, kernel): unflushed pages may be lost or reach the disk out of order,
///   so a view file may be torn. A marker file in the views directory, holding the boot id of the running
///   system, is written (and flushed) before the first unflushed commit and removed after a clean close has
///   flushed every view. Finding it on open with another boot id means the machine stopped while views were
///   unflushed: every view is dropped and built again from the log. Where no boot id can be read, any marker
///   left behind counts as such a stop.
enum UnsyncedViews {
    static let fileName = "UNSYNCED"

    /// The running system's boot id (Linux), nil where there is none.
    static func bootID() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    /// Whether the views in `directory` were left unflushed by a system that has stopped since.
    static func mustDiscard(in directory: String, bootID current: String? = bootID()) -> Bool {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return false }
        let stored = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let current else { return true }
        return stored != current
    }

    /// Records that views in `directory` are about to be written without flushes, durably (file and
    /// directory entry flushed) before the first such commit.
    static func mark(in directory: String, bootID current: String? = bootID()) throws {
        let path = directory + "/" + fileName
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ViewError.marker(path: path, errno: errno) }
        defer { close(fd) }
        let bytes = Array(((current ?? "unknown") + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw ViewError.marker(path: path, errno: errno) }
        syncDirectory(directory)
    }

    /// Removes the marker once every view in `directory` has been flushed.
    static func clear(in directory: String) {
        guard unlink(directory + "/" + fileName) == 0 else { return }
        syncDirectory(directory)
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
