import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ServeParentTests {
    /// `crm serve` started with CRM_EXIT_WITH_PARENT=1 by a process that is then killed (as a crashed test
    /// run is) stops by itself, as on SIGTERM, instead of running on reparented.
    @Test func aServerAskedToStopsOnceTheProcessThatStartedItIsGone() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let port = Int.random(in: 20_000..<32_000)  // below the ephemeral ports (32768 on)
        let pidFile = dir + "/server.pid"
        // A shell starts the server and waits for it: the shell is the server's parent.
        let shell = try start(["serve", "--data", data, "--port", "\(port)", "--schedule-every", "0"],
                              through: "\"$0\" \"$@\" & echo $! > \(pidFile); wait")
        var serverPID: pid_t = 0
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), shell.stderr.contains("listening") {
                serverPID = pid
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(serverPID > 0, "\(shell.stderr)")
        // Not waited for here: what matters is the server's end, checked below.
        shell.process.signal(SIGKILL)
        // The server notices within a second and stops: gone, or a zombie until its new parent reaps it.
        var gone = false
        for _ in 0..<200 {
            if kill(serverPID, 0) != 0 || Self.isZombie(serverPID) { gone = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if !gone { kill(serverPID, SIGKILL) }
        #expect(gone, "the server outlived the process that started it")
        shell.process.waitUntilExit()
        _ = shell.finish()
    }

    /// Whether `pid` has ended but is not reaped yet (state Z in /proc/PID/stat).
    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
