import CRMTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tests' own child processes (CRMTestSupport's `SpawnedProcess`, `ChildProcess`; this target's `start`),
/// started with `posix_spawn` instead of Foundation's `Process`, whose `run()` crashes the test process now
/// and then on Linux (swiftlang/swift-corelibs-foundation#5472).
@Suite struct SpawnTests {
    @Test func noTestStartsAChildThroughFoundationsProcess() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let ownFile = URL(fileURLWithPath: #filePath).standardizedFileURL.path
        let name = Array("Pro" + "cess")  // not spelled out, so this file does not find itself
        var uses: [String] = []
        let files = FileManager.default.enumerator(atPath: tests.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let path = tests.appendingPathComponent(file).standardizedFileURL.path
            guard path != ownFile, let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                // Code only: what follows `//` is a comment (no string in these tests holds `//` and the name).
                let code = Array(line.components(separatedBy: "//").first ?? "")
                for start in code.indices where code[start...].starts(with: name) {
                    let before = start > 0 ? code[start - 1] : " "
                    let after = start + name.count < code.count ? code[start + name.count] : " "
                    let partOfAnotherName = before.isLetter || before.isNumber || before == "_" || after.isLetter || after.isNumber || after == "_"
                    if !partOfAnotherName { uses.append("\(file):\(number + 1)") }
                }
            }
        }
        #expect(!files.isEmpty, "no test sources under \(tests.path)")
        #expect(uses.isEmpty, "Foundation's Process is used at \(uses)")
    }

    @Test func aChildInheritsOnlyItsThreeStandardStreams() async throws {
        // A descriptor of the test process without close-on-exec, as any library may leave one.
        let stray = open("/dev/null", O_RDONLY)
        try #require(stray > 2)
        defer { close(stray) }
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd"])
        #expect(await child.waitForExit())
        #expect(child.exitStatus == 0, "\(child.errorTail())")
        #expect(child.lines == ["0", "1", "2"], "the child's descriptors: \(child.lines)")
    }

    @Test func anExitCodeAndAKillingSignalAreTold() throws {
        let exited = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "exit 3"], environment: [:])
        exited.waitUntilExit()
        #expect(exited.terminationReason == .exit && exited.terminationStatus == 3)
        #expect(!exited.isRunning)
        #expect(!exited.signal(SIGTERM), "no signal to a reaped child")

        let killed = try SpawnedProcess(executable: "/bin/sleep", arguments: ["30"], environment: [:])
        #expect(killed.isRunning)
        killed.terminate()
        #expect(killed.waitUntilExit(timeout: 10))
        #expect(killed.terminationReason == .uncaughtSignal && killed.terminationStatus == SIGTERM)
    }

    @Test func aMissingExecutableIsAnErrorNamingIt() {
        let path = "/nonexistent-\(UUID().uuidString)/crm"
        do {
            _ = try ChildProcess(executable: path, arguments: [])
            Issue.record("started \(path)")
        } catch {
            #expect("\(error)".contains(path), "\(error)")
        }
    }

    @Test func aChildWritingMuchToBothStreamsIsReadToTheEndWithoutBlocking() async throws {
        // Far more than a pipe holds (64 KiB), on standard error first: the test reads neither stream until the end.
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "yes e | head -n 200000 >&2; yes o | head -n 200000"])
        #expect(await child.waitForExit(timeout: 60))
        #expect(child.exitStatus == 0)
        #expect(child.lines.count == 200_000)
        #expect(child.errorTail(4) == "e\ne\n")
    }

    @Test func theEnvironmentIsTheTestProcessesWithTheRunnersChanges() async throws {
        // `start` drops CRM_TOKEN and sets CRM_EXIT_WITH_PARENT and the caller's variables.
        let child = try start([], environment: ["CRM_SPAWN_PROBE": "probe value"],
                              through: "echo \"$CRM_SPAWN_PROBE|$CRM_EXIT_WITH_PARENT|${CRM_TOKEN-unset}|${PATH:+path}\"")
        child.process.waitUntilExit()
        let run = child.finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines == ["probe value|1|unset|path"])
    }
}
