import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// Child processes for the tests, started with `posix_spawn` instead of Foundation's `Process`: on Linux
// (toolchain 6.3.1) `Process.run()` over-reads a dirent while it lists /proc/self/fd to close the
// descriptors a child must not inherit, and crashes the whole test process now and then
// (swiftlang/swift-corelibs-foundation#5472). Here the child closes them itself
// (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34), and a thread per child waits for its end.

/// A child that could not be started; names the executable and the step that failed.
public struct SpawnError: Error, CustomStringConvertible {
    public let executable: String
    public let step: String
    public let code: Int32

    public init(executable: String, step: String, code: Int32) {
        self.executable = executable
        self.step = step
        self.code = code
    }

    public var description: String { "could not start \(executable): \(step) failed (\(String(cString: strerror(code))))" }
}

/// Where one of a child's standard streams goes.
public enum SpawnStream: Sendable {
    /// /dev/null (what Foundation's `Process` gave a stream left unset).
    case null
    /// The test process's own stream.
    case inherit
    /// A descriptor of the test process (3 or above), duplicated onto the stream; the caller closes its own copy
    /// once the child is started.
    case descriptor(Int32)
}

/// A started child: its pid, whether it still runs, how it ended. The subset of Foundation's `Process` the
/// tests use, with the same names and meanings (`terminationStatus` is the exit code, or the signal's number
/// when `terminationReason` is `.uncaughtSignal`).
public final class SpawnedProcess: Sendable {
    public enum TerminationReason: Sendable, Equatable {
        case exit
        case uncaughtSignal
    }

    private struct Ending {
        var status: Int32
        var reason: TerminationReason
    }

    public let processIdentifier: pid_t
    public let executable: String
    /// Set, under the lock, in the same step that reaps the child: a signal is only ever sent to a pid not yet
    /// reaped (so never to a reused one).
    private let ending = Mutex<Ending?>(nil)
    private let ended = DispatchGroup()

    /// Starts `executable` (a path; no PATH search) with `arguments` and exactly `environment`.
    public init(
        executable: String, arguments: [String], environment: [String: String],
        standardInput: SpawnStream = .null, standardOutput: SpawnStream = .null, standardError: SpawnStream = .null,
        currentDirectory: String? = nil
    ) throws {
        self.executable = executable
        processIdentifier = try Self.spawn(
            executable: executable, arguments: arguments, environment: environment,
            streams: [standardInput, standardOutput, standardError], currentDirectory: currentDirectory)
        ended.enter()
        let thread = Thread { [self] in reap() }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Whether the child has not ended yet (or has not been reaped yet, a moment after it ended).
    public var isRunning: Bool { ending.withLock { $0 == nil } }

    /// The exit code, or the number of the signal that ended the child; -1 while it runs.
    public var terminationStatus: Int32 { ending.withLock { $0?.status ?? -1 } }

    /// How the child ended (`.exit` while it runs, as Foundation has it).
    public var terminationReason: TerminationReason { ending.withLock { $0?.reason ?? .exit } }

    /// Blocks the calling thread until the child has ended.
    public func waitUntilExit() {
        ended.wait()
    }

    /// Blocks until the child has ended or `timeout` seconds have passed; whether it ended.
    public func waitUntilExit(timeout: Double) -> Bool {
        ended.wait(timeout: .now() + timeout) == .success
    }

    /// Waits, without blocking a thread of the cooperative pool, until the child has ended or `timeout` seconds
    /// have passed; whether it ended.
    public func exited(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Sends `signal` to the child unless it has ended already; whether it was sent.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        ending.withLock { $0 == nil && Glibc.kill(processIdentifier, signal) == 0 }
    }

    /// Sends `signal` to the child's process group (it leads one of its own) unless the child has ended
    /// already; whether it was sent. The child is not reaped yet, so the group's id is still its own.
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        ending.withLock { $0 == nil && Glibc.kill(-processIdentifier, signal) == 0 }
    }

    /// SIGTERM, as `Process.terminate()`.
    public func terminate() { signal(SIGTERM) }

    /// SIGINT, as `Process.interrupt()`.
    public func interrupt() { signal(SIGINT) }

    /// Waits for the child's end without reaping it, then reaps it and records how it ended in one step under
    /// the lock `signal(_:)` takes.
    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        ending.withLock { ending in
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(processIdentifier, &status, 0) } while result == -1 && errno == EINTR
            if result != processIdentifier {
                ending = Ending(status: -1, reason: .exit)  // not ours to reap (cannot happen: nothing else waits)
            } else if status & 0x7f == 0 {
                ending = Ending(status: (status >> 8) & 0xff, reason: .exit)  // WIFEXITED, WEXITSTATUS
            } else {
                ending = Ending(status: status & 0x7f, reason: .uncaughtSignal)  // WTERMSIG
            }
        }
        ended.leave()
    }

    private typealias FileActionsInt = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias FileActionsPath = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// A glibc extension Swift's Glibc module does not declare (it is behind _GNU_SOURCE).
    private static func glibc<F>(_ name: String, as type: F.Type) -> F? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    private static func spawn(
        executable: String, arguments: [String], environment: [String: String], streams: [SpawnStream], currentDirectory: String?
    ) throws -> pid_t {
        func check(_ code: Int32, _ step: String) throws {
            if code != 0 { throw SpawnError(executable: executable, step: step, code: code) }
        }
        var actions = posix_spawn_file_actions_t()
        try check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init")
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in streams.enumerated() {
            let target = Int32(target)
            switch stream {
            case .null:
                try check(posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0),
                          "opening /dev/null")
            case .inherit:
                break
            case .descriptor(let descriptor):
                guard descriptor > 2 else { throw SpawnError(executable: executable, step: "redirecting a standard stream", code: EBADF) }
                try check(posix_spawn_file_actions_adddup2(&actions, descriptor, target), "posix_spawn_file_actions_adddup2")
            }
        }
        // Nothing but the three streams reaches the child (a pipe's write end held by another child would keep
        // its reader from ever seeing the end).
        guard let closeFrom = glibc("posix_spawn_file_actions_addclosefrom_np", as: FileActionsInt.self) else {
            throw SpawnError(executable: executable, step: "posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later)", code: ENOSYS)
        }
        try check(closeFrom(&actions, 3), "posix_spawn_file_actions_addclosefrom_np")
        if let currentDirectory {
            guard let chdir = glibc("posix_spawn_file_actions_addchdir_np", as: FileActionsPath.self) else {
                throw SpawnError(executable: executable, step: "posix_spawn_file_actions_addchdir_np (glibc 2.29 or later)", code: ENOSYS)
            }
            try check(chdir(&actions, currentDirectory), "posix_spawn_file_actions_addchdir_np")
        }

        var attributes = posix_spawnattr_t()
        try check(posix_spawnattr_init(&attributes), "posix_spawnattr_init")
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own, as Foundation's Process gave it, and no signal blocked that the spawning
        // thread happened to block.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        try check(posix_spawnattr_setsigmask(&attributes, &noSignals), "posix_spawnattr_setsigmask")
        try check(posix_spawnattr_setpgroup(&attributes, 0), "posix_spawnattr_setpgroup")
        try check(posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK)), "posix_spawnattr_setflags")

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        try check((argv + [nil]).withUnsafeBufferPointer { argvBuffer -> Int32 in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer -> Int32 in
                guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else { return EINVAL }
                return posix_spawn(&pid, executable, &actions, &attributes, argvBase, envpBase)
            }
        }, "posix_spawn")
        return pid
    }
}

public enum Spawn {
    /// A pipe whose two ends are closed on exec (a child gets its end through `SpawnStream.descriptor`).
    public static func pipe(for executable: String) throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard Glibc.pipe(&ends) == 0 else { throw SpawnError(executable: executable, step: "pipe", code: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    /// A file opened for writing (created or truncated), closed on exec, for a child's output.
    public static func outputFile(_ path: String, for executable: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpawnError(executable: executable, step: "opening an output file", code: errno) }
        return descriptor
    }

    /// The test process's environment with `changes` applied (a nil value removes the variable).
    public static func environment(_ changes: [String: String?]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        return environment
    }
}

/// Reads a descriptor to its end on a thread of its own (one per stream, so a child filling one pipe while
/// the test waits on the other cannot block), then closes it.
public final class PipeReader: Sendable {
    private let buffer = Mutex<[UInt8]>([])
    private let finished = Atomic<Bool>(false)

    public init(reading descriptor: Int32) {
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffer.withLock { $0 += chunk[0..<count] }
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(descriptor)
            finished.store(true, ordering: .releasing)
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Whether the writers have all closed their ends and everything is read.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// The bytes read so far, handed to `body` under the lock.
    public func withBytes<R>(_ body: ([UInt8]) -> R) -> R {
        buffer.withLock { body($0) }
    }
}

/// Stops a child's whole process group should the test process end first — killed (SIGKILL) or crashed, so
/// that nothing of it ran the child's normal stop. `crm serve` stops by itself (`CRM_EXIT_WITH_PARENT`), but
/// chromedriver and the Chromium it starts (a process group of their own, as `SpawnedProcess` starts every
/// child) would run on. Not `PR_SET_PDEATHSIG`: that fires when the spawning *thread* ends.
///
/// A watcher, `/bin/sh` in a process group of its own, waits on a pipe (its standard input) whose write end
/// only the test process holds (close-on-exec, and no child inherits more than its three streams): when the
/// test process is gone, the kernel closes that end and the watcher reads the end of the pipe — no polling, no
/// pid that could be reused — then sends SIGTERM to the group, and SIGKILL to whatever of it is left 5 s later
/// (chromedriver does not always end on SIGTERM). ``stop()``, called once the child is stopped normally,
/// stops the watcher without touching the group.
public final class ProcessGroupGuard: Sendable {
    private let watcher: SpawnedProcess
    /// The pipe's write end this process holds (-1 when another process holds it, or once stopped).
    private let lifeline: Atomic<Int32>

    /// Watches `group` (a child's pid, as `SpawnedProcess` makes each child lead its own group) for as long
    /// as this process lives.
    public convenience init(group: pid_t) throws {
        let ends = try Spawn.pipe(for: "/bin/sh")
        do {
            try self.init(group: group, untilClosed: ends.read, holding: ends.write)
        } catch {
            close(ends.write)
            throw error
        }
    }

    /// Watches `group` until every holder of the write end of the pipe whose read end is `readEnd` has closed
    /// it (or ended): for a test of the guard itself, with another process holding it. Takes `readEnd` (closed
    /// here once the watcher has it).
    public convenience init(group: pid_t, untilClosed readEnd: Int32) throws {
        try self.init(group: group, untilClosed: readEnd, holding: -1)
    }

    private init(group: pid_t, untilClosed readEnd: Int32, holding writeEnd: Int32) throws {
        defer { close(readEnd) }
        guard group > 1 else { throw SpawnError(executable: "/bin/sh", step: "watching process group \(group)", code: EINVAL) }
        // A line read means a normal stop; the end of the pipe means its holders are gone.
        let script = #"""
            if read -r _; then exit 0; fi
            kill -TERM "-$1" 2>/dev/null || exit 0
            for _ in 1 2 3 4 5; do sleep 1; kill -0 "-$1" 2>/dev/null || exit 0; done
            kill -KILL "-$1" 2>/dev/null; exit 0
            """#
        watcher = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", script, "crm-test-group-guard", String(group)],
                                     environment: ["PATH": "/usr/bin:/bin"], standardInput: .descriptor(readEnd))
        lifeline = Atomic(writeEnd)
    }

    /// The watcher's pid (for tests).
    public var watcherIdentifier: pid_t { watcher.processIdentifier }

    /// Stops the watcher, leaving the group as it is; waits (at most 5 s) until it has ended. Call it once the
    /// child has been stopped normally; again, it does nothing.
    public func stop() {
        // The watcher is killed before the end of the pipe could tell it the test process is gone.
        watcher.signal(SIGKILL)
        _ = watcher.waitUntilExit(timeout: 5)
        let end = lifeline.exchange(-1, ordering: .acquiringAndReleasing)
        if end >= 0 { close(end) }
    }

    deinit { stop() }
}
