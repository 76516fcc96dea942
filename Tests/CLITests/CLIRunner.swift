import CRMTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a finished `crm` run printed and returned.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
    var lines: [String] { stdout.split(whereSeparator: \.isNewline).map(String.init) }
}

/// Runs the built `crm` binary with `arguments` and waits for it (output goes through files, so a large
/// output cannot block the child).
func crm(_ arguments: [String], timeout: Double = 300) async throws -> Run {
    let process = try start(arguments)
    let deadline = Date().addingTimeInterval(timeout)
    while process.process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
    if process.process.isRunning { process.process.terminate() }
    process.process.waitUntilExit()
    return process.finish()
}

/// A `crm` child still running.
final class Child: Sendable {
    /// Started with `posix_spawn`, not Foundation's `Process` (whose `run()` crashes the test process now and
    /// then on Linux); the same names: `isRunning`, `processIdentifier`, `waitUntilExit()`, `terminationStatus`.
    let process: SpawnedProcess
    let out: URL
    let err: URL

    init(process: SpawnedProcess, out: URL, err: URL) {
        self.process = process
        self.out = out
        self.err = err
    }

    var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    /// The finished run's status and output; removes the output files.
    func finish() -> Run {
        let run = Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
        return run
    }

    func stop() -> Run {
        process.terminate()
        process.waitUntilExit()
        return finish()
    }
}

/// Starts the built `crm` binary with `arguments`; with `script`, through `/bin/sh -c script crm arguments…`
/// (the script names the binary `$0` and the arguments `$@`).
func start(_ arguments: [String], environment extra: [String: String] = [:], through script: String? = nil) throws -> Child {
    let binary = try harnessPath("crm")
    let executable = script == nil ? binary : "/bin/sh"
    let argv = script.map { ["-c", $0, binary] + arguments } ?? arguments
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("crm-out-\(UUID().uuidString)")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("crm-err-\(UUID().uuidString)")
    let outFile = try Spawn.outputFile(out.path, for: executable)
    defer { close(outFile) }
    let errFile = try Spawn.outputFile(err.path, for: executable)
    defer { close(errFile) }
    var environment = Spawn.environment(["CRM_TOKEN": nil])
    // A server this run starts stops once the test process is gone (a crash of it left servers running).
    environment["CRM_EXIT_WITH_PARENT"] = "1"
    environment.merge(extra) { _, new in new }
    let process = try SpawnedProcess(
        executable: executable, arguments: argv, environment: environment,
        standardInput: .null, standardOutput: .descriptor(outFile), standardError: .descriptor(errFile))
    return Child(process: process, out: out, err: err)
}

/// A fresh temporary directory, removed by the caller with `cleanup`.
func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("crm-cli-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func cleanup(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

func write(_ text: String, to path: String, bom: Bool = false) {
    var data = Data(bom ? [0xEF, 0xBB, 0xBF] : [])
    data.append(Data(text.utf8))
    _ = FileManager.default.createFile(atPath: path, contents: data)
}

/// A JSON line as a dictionary.
func object(_ line: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
}
