import CRMTestSupport
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("crm: setup, audit and operations", .serialized)
struct OperateTests {
    @Test func initPrintsATokenOnceAndRefusesASecondInit() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        // A refused init leaves no empty store behind.
        let blank = try await crm(["init", "--data", data, "--admin-name", ""])
        #expect(blank.status == 5, "\(blank.stderr)")
        #expect(blank.stderr.contains("\nhint: "), "every error says what to do next: \(blank.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data + "/log"), "nothing left behind")
        #expect(try await crm(["stats", "--data", data]).status == 4)
        let first = try await crm(["init", "--data", data, "--admin-name", "Ada Admin", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let created = object(first.lines.first ?? "")
        let employee = try #require(created["employeeID"] as? String)
        #expect((created["token"] as? String)?.hasPrefix("crm_") == true)

        let token = try await crm(["token", "create", "--data", data, "--employee", employee, "--name", "ci"])
        #expect(token.status == 0, "\(token.stderr)")
        #expect(token.stdout.contains("API token (shown once"))
        let list = try await crm(["token", "list", "--data", data, "--employee", employee, "--json"])
        #expect(list.lines.count == 2)
        #expect(!list.stdout.contains("crm_"))

        let again = try await crm(["init", "--data", data, "--admin-name", "Bob"])
        #expect(again.status == 5)
        #expect(again.stderr.contains("already holds a CRM"))

        let missing = try await crm(["verify", "--data", dir + "/nothing"])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("hint:"))
    }

    @Test func outputIntoAClosedPipeEndsQuietlyAsCatWouldNotWithACrash() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        for arguments in [["dump", "--data", data], ["stats", "--data", data]] {
            // `crm dump | head -0`: the reader is gone before the first line. SIGPIPE ignored, as a process
            // whose networking ignores it (a PostgreSQL log's client) or a parent that ignores it has it:
            // the write then fails instead of killing the process.
            let pipe = try Spawn.pipe(for: "/bin/sh")
            close(pipe.read)
            defer { close(pipe.write) }
            let errors = dir + "/stderr-\(arguments[0])"
            let errorFile = try Spawn.outputFile(errors, for: "/bin/sh")
            defer { close(errorFile) }
            let process = try SpawnedProcess(
                executable: "/bin/sh", arguments: ["-c", "trap '' PIPE; exec \"$0\" \"$@\"", try harnessPath("crm")] + arguments,
                environment: Spawn.environment([:]), standardOutput: .descriptor(pipe.write), standardError: .descriptor(errorFile))
            process.waitUntilExit()
            let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGPIPE, "crm \(arguments[0]): \(process.terminationReason) \(process.terminationStatus)")
            #expect(!stderr.contains("Fatal error") && !stderr.contains("crashed"), "crm \(arguments[0]): \(stderr.prefix(300))")
        }
    }

    @Test func historyAndShowAsOfOfACustomer() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        write("name,external_key,industry\nLi Wei,C-1,water\n", to: dir + "/a.csv")
        #expect(try await crm(["import", "customers", dir + "/a.csv", "--data", data, "--group", "residential"]).status == 0)
        let before = object(try await crm(["stats", "--data", data, "--json"]).stdout)
        let head = try #require(before["head"] as? Int)
        write("name,external_key,industry\nLi Wei-Zhang,C-1,gas\n", to: dir + "/b.csv")
        let update = try await crm(["import", "customers", dir + "/b.csv", "--data", data, "--group", "residential"])
        #expect(update.stdout.contains("updated 1"), "\(update.stdout)\(update.stderr)")

        let export = try await crm(["export", "customers", "--data", data])
        let id = try #require(export.lines.dropFirst().first?.split(separator: ",").first.map(String.init))
        let history = try await crm(["history", "customer-" + id, "--data", data])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("∅ → Li Wei"), "the creation names the fields it starts with: \(history.stdout)")
        #expect(history.stdout.contains("Li Wei → Li Wei-Zhang"))
        #expect(history.stdout.contains("water → gas"))
        #expect(history.stdout.contains("crm-cli"))

        let now = try await crm(["show", id, "--data", data, "--json"])
        #expect(now.stdout.contains("Li Wei-Zhang"))
        let then = try await crm(["show", id, "--data", data, "--as-of", "\(head)", "--json"])
        #expect(then.status == 0, "\(then.stderr)")
        #expect(then.stdout.contains("\"Li Wei\""))
        #expect(!then.stdout.contains("Li Wei-Zhang"))
        let never = try await crm(["show", id, "--data", data, "--as-of", "1"])
        #expect(never.status == 4)

        // Times are ISO 8601 with their zone, or a plain date (its end, UTC); anything else is refused, not
        // read as the end of the day it starts with.
        for good in ["2999-01-01", "2999-01-01T00:00:00Z", "2999-01-01T08:00:00.250+08:00"] {
            let run = try await crm(["show", id, "--data", data, "--as-of", good])
            #expect(run.status == 0, "\(good): \(run.stderr)")
        }
        for bad in ["2999-01-01T00:00:00", "2999-01-01garbage", "2999-01-01T00:00:00Zjunk", "2999-02-30", "2999-01-01T24:00:00Z", "2999-01-01T00:00:00+0800"] {
            let run = try await crm(["show", id, "--data", data, "--as-of", bad])
            #expect(run.status == 64 && run.stderr.contains("neither a log position nor a time"), "\(bad): \(run.status) \(run.stderr)")
        }
        #expect(try await crm(["audit", "--data", data, "--from", "2999-01-01T00:00:00"]).status == 64)
        #expect(try await crm(["task", "dispatch", "--data", data, "--title", "T", "--assignee", "x", "--due", "2999-02-30"]).status == 64)
    }

    @Test func verifyIsCleanAndFindsACorruptedCopy() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["demo", "--data", data, "--events", "2000"]).status == 0)
        let clean = try await crm(["verify", "--data", data])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("clean"))

        #expect(try await crm(["backup", dir + "/copy", "--data", data]).status == 0)
        // Damage one event in the copy: a byte inside the log's data pages.
        let file = dir + "/copy/log/data.mdb"
        var bytes = try #require(FileManager.default.contents(atPath: file))
        let marker = Data("CustomerCreated".utf8)
        let found = try #require(bytes.range(of: marker))
        bytes[found.upperBound + 40] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: file))
        let damaged = try await crm(["verify", "--data", dir + "/copy"])
        #expect(damaged.status == 2, "\(damaged.stdout)\(damaged.stderr)")
        #expect(damaged.stdout.contains("FAULT"))
    }

    @Test func backupWhileAnotherProcessWritesThenRestore() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let writer = try start(["demo", "--data", data, "--events", "60000"])
        // Wait until the writer has appended something.
        var head = 0
        for _ in 0..<600 where head == 0 {
            try await Task.sleep(for: .milliseconds(100))
            let stats = try await crm(["stats", "--data", data, "--json"])
            head = (object(stats.stdout)["head"] as? Int) ?? 0
        }
        #expect(head > 0)
        let backup = try await crm(["backup", dir + "/backup", "--data", data])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(writer.process.isRunning, "the backup was taken while the writer appended")
        let writerRun = writer.stop()
        _ = writerRun
        #expect(try await crm(["restore", dir + "/backup", "--data", dir + "/restored"]).status == 0)
        let verify = try await crm(["verify", "--data", dir + "/restored", "--json"])
        #expect(verify.status == 0)
        let report = object(verify.stdout.replacingOccurrences(of: "\n", with: ""))
        #expect(((report["head"] as? Int) ?? 0) >= head)
        #expect(report["clean"] as? Bool == true)
        // A second restore into the same directory is refused.
        #expect(try await crm(["restore", dir + "/backup", "--data", dir + "/restored"]).status == 5)
        // So is a second backup into the same directory, saying why.
        let again = try await crm(["backup", dir + "/backup", "--data", data])
        #expect(again.status == 5 && again.stderr.contains("a backup is already there"), "\(again.stderr)")
        // A file where the log would go is refused and kept.
        try FileManager.default.createDirectory(atPath: dir + "/file", withIntermediateDirectories: true)
        write("notes", to: dir + "/file/log")
        #expect(try await crm(["backup", dir + "/file", "--data", data]).status == 5)
        #expect(FileManager.default.contents(atPath: dir + "/file/log") == Data("notes".utf8))
        // What a backup stopped half way leaves (an empty log directory, a partial copy) is no obstacle.
        try FileManager.default.createDirectory(atPath: dir + "/stopped/log", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/stopped/log.partial", withIntermediateDirectories: true)
        write("half a file", to: dir + "/stopped/log.partial/data.mdb")
        let resumed = try await crm(["backup", dir + "/stopped", "--data", data])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/stopped/log.partial"))
    }

    @Test func dumpTailRebuildReplayAndStats() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["demo", "--data", data, "--events", "1500"]).status == 0)
        let stats = object(try await crm(["stats", "--data", data, "--json"]).stdout)
        let events = try #require(stats["events"] as? Int)

        let dump = try await crm(["dump", "--data", data])
        #expect(dump.status == 0)
        #expect(dump.lines.count == events)
        let first = object(dump.lines.first ?? "")
        #expect(first["position"] as? Int == 1)
        #expect(first["payload"] is [String: Any])
        let stream = try #require(first["stream"] as? String)
        let one = try await crm(["dump", "--data", data, "--stream", stream])
        #expect(one.lines.allSatisfy { object($0)["stream"] as? String == stream })
        let tailFrom = try await crm(["dump", "--data", data, "--from", "\(events - 9)"])
        #expect(tailFrom.lines.count == 10)

        let tail = try start(["tail", "--data", data, "--from", "\(events - 4)", "--json"])
        for _ in 0..<200 where tail.stdout.split(separator: "\n").count < 5 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(tail.stdout.split(separator: "\n").count == 5)
        #expect(tail.process.isRunning, "tail keeps following")
        _ = tail.stop()

        // Without --from, tail follows only what is appended from now on, by another process.
        let live = try start(["tail", "--data", data])
        try await Task.sleep(for: .milliseconds(500))
        let added = try await crm(["customer", "add", "--data", data, "--name", "Tail Test", "--group", "residential",
                                          "--field", "meterType=gas"])
        #expect(added.status == 0, "\(added.stderr)")
        for _ in 0..<200 where !live.stdout.contains("CustomerCreated") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(live.stdout.contains("CustomerCreated"))
        #expect(!live.stdout.contains("  1  "), "old events are not repeated")
        _ = live.stop()

        let rebuild = try await crm(["rebuild", "--data", data])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stdout.contains("Rebuilt all views"))
        let one360 = try await crm(["rebuild", "customer-360", "--data", data])
        #expect(one360.status == 0, "\(one360.stderr)")
        #expect(try await crm(["rebuild", "no-such-view", "--data", data]).status == 64)

        let replay = try await crm(["replay", "--data", data, "--to", "\(events / 2)", "--out", dir + "/then", "--json"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(object(replay.lines.last ?? "")["position"] as? Int == events / 2)
        #expect(FileManager.default.fileExists(atPath: dir + "/then/customer-360"))
    }

    @Test func viewsNeverBuiltAreBuiltOnceWhenTheStoreOpensAndRebuildDoesNotBuildThemAgain() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        // More events than one batch of live catch-up (4,096), so the open builds the views in one go.
        #expect(try await crm(["demo", "--data", dir + "/data", "--events", "5000"]).status == 0)
        try FileManager.default.createDirectory(atPath: dir + "/copy", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir + "/data/log", toPath: dir + "/copy/log")
        let rebuild = try await crm(["rebuild", "--data", dir + "/copy"])
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        #expect(rebuild.stderr.contains("building views"))
        #expect(!rebuild.stderr.contains("rebuild"), "built on open, not again: \(rebuild.stderr)")
        #expect(rebuild.stdout.contains("Rebuilt all views"))
        let stats = object(try await crm(["stats", "--data", dir + "/copy", "--json"]).stdout)
        let views = try #require(stats["views"] as? [[String: Any]])
        #expect(!views.isEmpty)
        #expect(views.allSatisfy { ($0["lag"] as? Int) == 0 }, "\(views)")
        // Built once, the views are rebuilt by the next `crm rebuild`.
        let again = try await crm(["rebuild", "--data", dir + "/copy"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("building views"))
        #expect(again.stderr.contains("rebuild"))
    }

    @Test func aRebuildStoppedByAnEventItCannotApplyEndsItsProgressLineAndFailsNamingTheEvent() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        // More events than one batch (4,096): a copy of the log has its views built on open (below).
        #expect(try await crm(["demo", "--data", data, "--events", "5000"]).status == 0)
        // An event of a known type whose payload does not decode, appended behind the engine's back.
        let store = try LMDBEventStore(directory: data + "/log")
        let first = try #require(try await store.readAll(from: GlobalPosition(1), direction: .forward, limit: 1).first)
        let bad = try await store.append(
            [EventData(id: UUID(), type: first.type, payload: [0xFF, 0xFE, 0xFD], metadata: EventMetadata(actor: "tester"))],
            to: "broken-1", expectedVersion: .noStream)
        await store.close()

        let rebuild = try await crm(["rebuild", "--data", data])
        #expect(rebuild.status == 1, "\(rebuild.stdout)")
        #expect(!rebuild.stdout.contains("Rebuilt"))
        let stopped = try #require(rebuild.stderr.range(of: "rebuild: stopped at "), "\(rebuild.stderr)")
        let error = try #require(rebuild.stderr.range(of: "error: "), "\(rebuild.stderr)")
        #expect(stopped.lowerBound < error.lowerBound, "the progress line ends before the error: \(rebuild.stderr)")
        #expect(rebuild.stderr.contains("stopped at position \(bad.firstPosition.rawValue) (\(first.type))"), "\(rebuild.stderr)")
        let stats = object(try await crm(["stats", "--data", data, "--json"]).stdout)
        let views = try #require(stats["views"] as? [[String: Any]])
        #expect(views.contains { ($0["failed"] as? Bool) == true }, "\(views)")

        // A copy of the log: the open builds the views, stops at the same event, and the command fails too.
        try FileManager.default.createDirectory(atPath: dir + "/copy", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: data + "/log", toPath: dir + "/copy/log")
        let copy = try await crm(["rebuild", "--data", dir + "/copy"])
        #expect(copy.status == 1, "\(copy.stdout)")
        #expect(copy.stderr.contains("building views"), "\(copy.stderr)")
        #expect(copy.stderr.contains("stopped at position \(bad.firstPosition.rawValue) (\(first.type))"), "\(copy.stderr)")
        #expect(!copy.stdout.contains("Rebuilt"))
    }

    @Test func aSmallDemoPrintsAFewProgressLinesAndATooSmallOneIsRefused() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let small = try await crm(["demo", "--data", dir + "/small", "--events", "100"])
        #expect(small.status == 0, "\(small.stderr)")
        // Not a line per event once the generator passes its announced total (142 lines before).
        let lines = small.stderr.split(separator: "\n").filter { $0.hasPrefix("demo") }
        #expect(lines.count <= 4, "\(small.stderr)")
        let tiny = try await crm(["demo", "--data", dir + "/tiny", "--events", "5"])
        #expect(tiny.status == 64 && tiny.stderr.contains("at least 100"), "\(tiny.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/tiny/log"), "nothing written")
    }

    @Test func serveSaysWhyItCannotStartAsTheOtherCommandsDo() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)

        // A port that does not exist is a usage error (it wrapped around to another port).
        #expect(try await crm(["serve", "--data", data, "--port", "99999"]).status == 64)

        // The port is taken by another listener.
        let (listener, port) = try listeningSocket()
        defer { close(listener) }
        let taken = try await crm(["serve", "--data", data, "--port", "\(port)"], timeout: 120)
        #expect(taken.status == 1, "\(taken.stderr)")
        #expect(taken.stderr.contains("error: cannot listen on 127.0.0.1:\(port)"), "\(taken.stderr)")
        #expect(taken.stderr.contains("hint: choose another --port"), "\(taken.stderr)")
        #expect(!taken.stderr.contains("Error: "), "not ArgumentParser's format: \(taken.stderr)")

        // A PostgreSQL log that cannot be reached: what failed and where to look, never the password.
        let unreachable = try await crm(["serve", "--data", dir + "/node", "--store", "postgres://crm:s3cret@127.0.0.1:1/crm", "--port", "\(port)"], timeout: 120)
        #expect(unreachable.status == 1, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("error: storage, cannot connect to the database"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("the PostgreSQL log's URL (--store)"), "\(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("Error: "), "not ArgumentParser's format: \(unreachable.stderr)")
        #expect(!(unreachable.stdout + unreachable.stderr).contains("s3cret"))
    }

    @Test("crm serve refuses a data directory without a CRM (missing, empty, or an empty store) and creates nothing; --demo seeds one")
    func serveRefusesADirectoryWithoutACRMUnlessDemo() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let port = Int.random(in: 20_000..<32_000)  // below the ephemeral ports (32768 on)

        // A directory that does not exist: refused as a missing store (exit 4), and not created.
        let missing = try await crm(["serve", "--data", dir + "/missing", "--port", "\(port)"], timeout: 120)
        #expect(missing.status == 4, "\(missing.status) \(missing.stderr)")
        #expect(missing.stderr.contains("error: no CRM store in \(dir)/missing"), "\(missing.stderr)")
        #expect(missing.stderr.contains("crm init --data \(dir)/missing") && missing.stderr.contains("crm serve --demo"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/missing"), "nothing created")

        // An empty directory stays empty.
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        let empty = try await crm(["serve", "--data", dir + "/empty", "--port", "\(port)"], timeout: 120)
        #expect(empty.status == 4 && empty.stderr.contains("no CRM store"), "\(empty.status) \(empty.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/empty").isEmpty, "nothing created")

        // A store without a single event has no administrator either.
        let log = try LMDBEventStore(directory: dir + "/blank/log")
        await log.close()
        let blank = try await crm(["serve", "--data", dir + "/blank", "--port", "\(port)"], timeout: 120)
        #expect(blank.status == 4 && blank.stderr.contains("is empty") && blank.stderr.contains("crm init"), "\(blank.status) \(blank.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/blank") == ["log"], "no views created")

        // With --demo (what `make run` passes) a missing directory is created and seeded.
        let demo = try start(["serve", "--data", dir + "/demo", "--port", "\(port)", "--demo"])
        for _ in 0..<2400 where !demo.stderr.contains("listening") && demo.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let served = demo.stop()
        #expect(served.stdout.contains("Administrator token (shown once): crm_"), "\(served.stdout) \(served.stderr)")
        #expect(served.stderr.contains("listening"), "\(served.stderr)")
    }

    /// A socket listening on a free loopback port below the ephemeral range; the caller closes it.
    private func listeningSocket() throws -> (Int32, Int) {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000..<32_000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 && listen(fd, 1) == 0 { return (fd, port) }
            close(fd)
        }
        throw CocoaError(.fileWriteUnknown)
    }

    @Test func aWritingCommandIsRefusedWhileAnotherProcessHoldsTheStoreAndGoesThroughTheServer() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let initRun = try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"])
        let token = try #require(object(initRun.lines.first ?? "")["token"] as? String)
        let port = Int.random(in: 20_000..<32_000)  // below the ephemeral ports (32768 on)
        let server = try start(["serve", "--data", data, "--port", "\(port)"])
        for _ in 0..<200 where !server.stderr.contains("listening") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(server.stderr.contains("listening"))
        // The server runs the scheduled work (reminders, escalations) once at start, then hourly.
        for _ in 0..<200 where !server.stderr.contains("scheduled work ran") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(server.stderr.contains("scheduled work ran"), "\(server.stderr)")

        let run = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("held by another process"))
        #expect(run.stderr.contains("--server URL --token T"))
        #expect(try await crm(["rebuild", "--data", data]).status == 3)
        // Reading works beside the server.
        #expect(try await crm(["verify", "--data", data]).status == 0)
        // Through the server, the write goes in.
        let remote = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential",
                                    "--server", "http://127.0.0.1:\(port)", "--token", token])
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(try await crm(["customer", "list", "--data", data]).stdout.contains("Li Wei"))
        let badToken = try await crm(["customer", "add", "--data", data, "--name", "X", "--group", "residential",
                                      "--server", "http://127.0.0.1:\(port)", "--token", "crm_nope"])
        #expect(badToken.status == 5)
        _ = server.stop()
    }
}
