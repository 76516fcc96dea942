import EventSourcing
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directories an open engine of this process holds: its log (when it opened it), views, snapshots,
/// reactor checkpoint and read audit — each an LMDB environment, or a folder of them.
///
/// LMDB forbids opening one environment twice in a process: its locks are per process, so a second handle
/// believes it has the lock file to itself, initialises the shared mutexes and reader table again under the
/// first handle, and closing it drops the process's lock altogether (a crash or a stale read later). So a
/// second engine over a directory an engine of this process holds — read-only or read-write — is refused
/// with ``EventStoreError/Code/storeInUse`` ("already open in this process") before it opens anything.
/// Other processes are another matter: there LMDB's own locks (and the log's `writer.lock`) decide.
///
/// Released by the engine's ``CRMEngine/close()`` once every environment is closed. An engine released
/// without `close()` keeps its claim for the rest of the process: its environments may still be open
/// (threads winding down), and opening them again would be the double open this guards against.
final class DirectoryClaim: Sendable {
    private struct Held {
        var next: UInt64 = 0
        var claims: [UInt64: [String]] = [:]
    }

    private static let held = Mutex(Held())

    private let id: UInt64
    private let released = Atomic<Bool>(false)

    private init(id: UInt64) { self.id = id }

    /// Claims `paths` for one engine; refused when one of them is, lies in or holds a path an engine of
    /// this process has claimed.
    static func claim(_ paths: [String]) throws(EventStoreError) -> DirectoryClaim {
        let wanted = paths.map(canonical)
        let id = try held.withLock { held throws(EventStoreError) -> UInt64 in
            for path in wanted {
                for claimed in held.claims.values.joined() where overlaps(path, claimed) {
                    throw EventStoreError(
                        .storeInUse,
                        detail: "the data directory is already open in this process: close that engine before opening it again")
                }
            }
            held.next += 1
            held.claims[held.next] = wanted
            return held.next
        }
        return DirectoryClaim(id: id)
    }

    /// Gives the paths back; once, however often it is called.
    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = Self.held.withLock { $0.claims.removeValue(forKey: id) }
    }

    private static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b.hasSuffix("/") ? b : b + "/") || b.hasPrefix(a.hasSuffix("/") ? a : a + "/")
    }

    /// `path` absolute, with symbolic links of its existing part resolved (the rest, not yet created, kept
    /// as written), so two spellings of one directory are one claim.
    static func canonical(_ path: String) -> String {
        var head = URL(fileURLWithPath: path).standardizedFileURL.path
        var tail: [String] = []
        while true {
            if let resolved = realpath(head, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            let parent = (head as NSString).deletingLastPathComponent
            guard parent != head, !parent.isEmpty else { return path }
            tail.append((head as NSString).lastPathComponent)
            head = parent
        }
    }
}
