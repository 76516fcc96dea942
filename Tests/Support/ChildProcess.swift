import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process whose standard output is collected on a dedicated thread, so tests can wait for
/// lines and for exit without blocking the cooperative thread pool. Started with `posix_spawn`
/// (`SpawnedProcess`), not Foundation's `Process`, whose `run()` crashes the test process now and then on Linux.
public final class ChildProcess: Sendable {
    private let process: SpawnedProcess
    private let output: PipeReader
    private let errors: PipeReader
    public let pid: Int32

    public init(executable: String, arguments: [String]) throws {
        let out = try Spawn.pipe(for: executable)
        let err: (read: Int32, write: Int32)
        do { err = try Spawn.pipe(for: executable) } catch {
            close(out.read)
            close(out.write)
            throw error
        }
        // A `crm serve` child stops once the test process is gone (a crash of it left servers running).
        let environment = Spawn.environment(["CRM_EXIT_WITH_PARENT": "1"])
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess(
                executable: executable, arguments: arguments, environment: environment,
                standardOutput: .descriptor(out.write), standardError: .descriptor(err.write))
        } catch {
            for descriptor in [out.read, out.write, err.read, err.write] { close(descriptor) }
            throw error
        }
        // The child holds the write ends now: the readers see the end once it (and whatever it started) closes them.
        close(out.write)
        close(err.write)
        self.process = process
        self.pid = process.processIdentifier
        output = PipeReader(reading: out.read)
        errors = PipeReader(reading: err.read)
    }

    /// The last `limit` bytes the child wrote to standard error (for failure messages).
    public func errorTail(_ limit: Int = 2_000) -> String {
        errors.withBytes { String(decoding: $0.suffix(limit), as: UTF8.self) }
    }

    /// Whether the child is still running, and its exit status once it is not.
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// Complete lines printed so far.
    public var lines: [String] {
        output.withBytes { bytes in
            guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
            return String(decoding: bytes[...lastNewline], as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Waits until a complete line satisfies `predicate`; false after `timeout` seconds or when the child ends.
    public func waitForLine(timeout: Double, where predicate: (String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if lines.contains(where: predicate) { return true }
            if output.isFinished { return lines.contains(where: predicate) }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Sends `signal` to the child unless it has ended (and been reaped) already.
    public func kill(_ signal: Int32 = SIGKILL) {
        process.signal(signal)
    }

    /// Waits for the child to exit and its output to be read completely.
    public func waitForExit(timeout: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning && output.isFinished { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// The path of the store-harness executable built beside the tests.
public func storeHarnessPath() throws -> String { try harnessPath("store-harness") }

/// The path of an executable of this package built beside the tests (`STORE_HARNESS`-style override: the
/// upper-cased name with `_` for `-`).
public func harnessPath(_ name: String) throws -> String {
    var candidates: [String] = []
    if let override = ProcessInfo.processInfo.environment[name.uppercased().replacingOccurrences(of: "-", with: "_")] { candidates.append(override) }
    let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    candidates.append(argv0.appendingPathComponent(name).path)
    candidates.append(argv0.deletingLastPathComponent().appendingPathComponent(name).path)
    if let executable = Bundle.main.executableURL?.deletingLastPathComponent() {
        candidates.append(executable.appendingPathComponent(name).path)
    }
    // The package's own build folder, found from this source file.
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(packageRoot.appendingPathComponent(".build/debug/" + name).path)
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    throw HarnessNotFound(name: name, searched: candidates)
}

public struct HarnessNotFound: Error, CustomStringConvertible {
    public let name: String
    public let searched: [String]
    public var description: String { "\(name) not found; looked in \(searched.joined(separator: ", ")). Build it with `swift build`." }
}
