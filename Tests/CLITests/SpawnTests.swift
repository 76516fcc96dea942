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

    /// The pids of the processes in process group `group` that have not ended (zombies left out).
    static func liveMembers(of group: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let commandEnd = stat.lastIndex(of: ")") else { return nil }
            // After the command's closing parenthesis: state, parent pid, process group.
            let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group else { return nil }
            return pid
        }
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` have passed; whether it held.
    static func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// chromedriver's case: a child leading a process group with a grandchild in it (Chromium), guarded by
    /// `ProcessGroupGuard`. Here a spawned stand-in for the test process holds the guard's lifeline and is
    /// killed with SIGKILL, so nothing of it runs: the whole group is stopped all the same.
    @Test func aGuardedProcessGroupIsStoppedOnceTheProcessHoldingItsLifelineIsKilled() async throws {
        let lifeline = try Spawn.pipe(for: "/bin/sleep")
        let holder: SpawnedProcess
        do {
            holder = try SpawnedProcess(executable: "/bin/sleep", arguments: ["1000"], environment: [:],
                                        standardOutput: .descriptor(lifeline.write))
        } catch {
            close(lifeline.read)
            close(lifeline.write)
            throw error
        }
        close(lifeline.write)  // the stand-in holds the only write end now
        let leader = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "sleep 1000 & wait"], environment: [:])
        let group = leader.processIdentifier
        let groupGuard = try ProcessGroupGuard(group: group, untilClosed: lifeline.read)
        defer {
            groupGuard.stop()
            leader.signalGroup(SIGKILL)
            holder.signal(SIGKILL)
        }
        #expect(await Self.eventually(within: 10) { Self.liveMembers(of: group).count == 2 }, "the shell and its sleep: \(Self.liveMembers(of: group))")
        // Still guarded while the holder lives.
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.liveMembers(of: group).count == 2)

        #expect(holder.signal(SIGKILL))
        #expect(await Self.eventually(within: 20) { Self.liveMembers(of: group).isEmpty }, "left running: \(Self.liveMembers(of: group))")
        #expect(await leader.exited(timeout: 5))
        #expect(leader.terminationReason == .uncaughtSignal && leader.terminationStatus == SIGTERM)
        let watcher = groupGuard.watcherIdentifier
        #expect(await Self.eventually(within: 20) { kill(watcher, 0) != 0 }, "the watcher ends once the group is gone")
    }

    /// A guard stopped (as `WebDriver.quit()` stops it once chromedriver is stopped) leaves the group alone and
    /// ends its watcher; one the test process holds the lifeline of keeps the group running meanwhile.
    @Test func aStoppedGroupGuardEndsItsWatcherAndLeavesTheGroupAlone() async throws {
        let leader = try SpawnedProcess(executable: "/bin/sh", arguments: ["-c", "sleep 1000 & wait"], environment: [:])
        defer { leader.signalGroup(SIGKILL) }
        let group = leader.processIdentifier
        let groupGuard = try ProcessGroupGuard(group: group)
        let watcher = groupGuard.watcherIdentifier
        #expect(await Self.eventually(within: 10) { Self.liveMembers(of: group).count == 2 })
        #expect(kill(watcher, 0) == 0, "the watcher runs")
        groupGuard.stop()
        groupGuard.stop()  // again: nothing
        #expect(await Self.eventually(within: 10) { kill(watcher, 0) != 0 }, "the watcher ends")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.liveMembers(of: group).count == 2, "the group runs on")
        #expect(leader.isRunning)
        #expect(leader.signalGroup(SIGKILL))
        #expect(await Self.eventually(within: 10) { Self.liveMembers(of: group).isEmpty })
    }
}
