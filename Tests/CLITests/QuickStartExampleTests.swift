import CRMTestSupport
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// `Examples/QuickStart` writes only into a log of its own: by default a new temporary directory (never
/// `./crm-data/log`, the CRM's own log), and it refuses a directory holding another program's log or
/// files, writing nothing there — events it appended to a CRM's log would stop the CRM's views for good.
@Suite("Examples/QuickStart: a log of its own", .serialized)
struct QuickStartExampleTests {
    private func quickStart(_ arguments: [String], in directory: String) async throws -> Run {
        let binary = try harnessPath("QuickStart")
        let out = directory + "/quickstart.out", err = directory + "/quickstart.err"
        let outFile = try Spawn.outputFile(out, for: binary)
        defer { close(outFile) }
        let errFile = try Spawn.outputFile(err, for: binary)
        defer { close(errFile) }
        let process = try SpawnedProcess(
            executable: binary, arguments: arguments, environment: Spawn.environment([:]),
            standardOutput: .descriptor(outFile), standardError: .descriptor(errFile), currentDirectory: directory)
        #expect(await process.exited(timeout: 60), "QuickStart finished")
        let run = Run(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
        try? FileManager.default.removeItem(atPath: out)
        try? FileManager.default.removeItem(atPath: err)
        return run
    }

    private func head(_ log: String) async throws -> GlobalPosition {
        let store = try LMDBEventStore(directory: log, options: .readOnly)
        let head = try await store.headPosition()
        await store.close()
        return head
    }

    @Test func withoutAnArgumentItLeavesTheCRMsDataDirectoryAlone() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let initialised = try await crm(["init", "--data", dir + "/crm-data", "--admin-name", "Ada"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let before = try await head(dir + "/crm-data/log")

        let run = try await quickStart([], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("crm-data"), "\(run.stdout)")
        #expect(run.stdout.contains("NoteWritten") && !run.stdout.contains("Customer"), "\(run.stdout)")
        #expect(try await head(dir + "/crm-data/log") == before)
        let verify = try await crm(["verify", "--data", dir + "/crm-data"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        // Its own temporary directory, named in its output.
        if let line = run.lines.first(where: { $0.hasPrefix("Recorded a demo note history in ") }) {
            cleanup(String(line.dropFirst("Recorded a demo note history in ".count).dropLast()))
        }
    }

    @Test func aLogItDidNotWriteIsRefusedAndLeftAsItWas() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let initialised = try await crm(["init", "--data", dir + "/crm-data", "--admin-name", "Ada"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let before = try await head(dir + "/crm-data/log")

        let intoLog = try await quickStart([dir + "/crm-data/log"], in: dir)
        #expect(intoLog.status == 1 && intoLog.stderr.contains("holds a log QuickStart did not write"), "\(intoLog.stdout)\(intoLog.stderr)")
        let intoData = try await quickStart([dir + "/crm-data"], in: dir)
        #expect(intoData.status == 1 && intoData.stderr.contains("holds no event store"), "\(intoData.stdout)\(intoData.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/crm-data/data.mdb"))
        #expect(try await head(dir + "/crm-data/log") == before)
        let stats = try await crm(["stats", "--data", dir + "/crm-data"])
        #expect(stats.status == 0 && !stats.stdout.contains("FAILED"), "\(stats.stdout)\(stats.stderr)")

        // Its own directory: recorded once, read back on every run.
        let first = try await quickStart([dir + "/notes/log"], in: dir)
        #expect(first.status == 0 && first.stdout.contains("Recorded a demo note history"), "\(first.stderr)")
        let second = try await quickStart([dir + "/notes/log"], in: dir)
        #expect(second.status == 0 && !second.stdout.contains("Recorded") && second.stdout.contains("Log head: 3"), "\(second.stdout)\(second.stderr)")
    }
}
