import Foundation
import Testing

/// `crm restore` into a data directory whose damaged log was moved aside: what was derived from that log
/// (views, snapshots, the reactor's checkpoint) goes with it, the read audit stays, and the read-only
/// commands build the views they need from the restored log.
@Suite("crm restore: derived state of the replaced log", .serialized)
struct RestoreDerivedStateTests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    @Test func restoreRemovesViewsSnapshotsAndTheReactorCheckpointOfTheReplacedLogAndKeepsTheReadAudit() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        #expect(try await crm(["backup", dir + "/backup", "--data", data]).status == 0)
        // After the backup, the store goes on: the engine keeps views, snapshots and its reactor's checkpoint.
        let added = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try await crm(["customer", "show", id(added), "--data", data]).status == 0)
        let fm = FileManager.default
        for derived in ["views", "snapshots", "reactor"] {
            #expect(fm.fileExists(atPath: data + "/" + derived), "the engine keeps \(derived)/")
        }
        #expect(fm.fileExists(atPath: data + "/audit"))

        // The log is damaged: moved aside, and the backup restored in its place.
        try fm.moveItem(atPath: data + "/log", toPath: data + "/log.damaged")
        let restored = try await crm(["restore", dir + "/backup", "--data", data])
        #expect(restored.status == 0, "\(restored.stderr)")
        for derived in ["views", "snapshots", "reactor"] {
            #expect(!fm.fileExists(atPath: data + "/" + derived), "\(derived)/ of the replaced log is gone")
        }
        #expect(fm.fileExists(atPath: data + "/audit"), "the read audit is no derived data: it stays")
        #expect(fm.fileExists(atPath: data + "/log.damaged/data.mdb"), "what was moved aside is left alone")

        // The restored store is the backup's: the customer added after it is unknown, and writes go on.
        let shown = try await crm(["customer", "show", id(added), "--data", data])
        #expect(shown.status == 4, "\(shown.status) \(shown.stderr)")
        let list = try await crm(["customer", "list", "--data", data, "--json"])
        #expect(list.status == 0 && list.lines.isEmpty, "\(list.status) \(list.stdout) \(list.stderr)")
        let again = try await crm(["customer", "add", "--data", data, "--name", "Li Na", "--group", "residential", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test func readOnlyCommandsOnARestoredLogBuildTheViewsWithProgressAndAnswer() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data", restored = dir + "/restored"
        let demo = try await crm(["demo", "--data", data, "--events", "5000"])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(try await crm(["backup", dir + "/backup", "--data", data]).status == 0)
        #expect(try await crm(["restore", dir + "/backup", "--data", restored]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: restored + "/views"))

        // `stats` reports the views as they are (none), building nothing.
        let stats = try await crm(["stats", "--data", restored])
        #expect(stats.status == 0 && stats.stdout.contains("no views built yet"), "\(stats.stdout) \(stats.stderr)")

        // The first read builds them from the log (over 4,096 events: with the progress line) and answers.
        let list = try await crm(["customer", "list", "--data", restored, "--json"])
        #expect(list.status == 0, "\(list.status) \(list.stderr)")
        #expect(list.stderr.contains("building views"), "\(list.stderr)")
        let customer = try #require(list.lines.compactMap { object($0)["id"] as? String }.first, "\(list.stdout)")
        let history = try await crm(["history", "customer-" + customer, "--data", restored])
        #expect(history.status == 0, "\(history.status) \(history.stderr)")
        #expect(!history.stderr.contains("building views"), "built once: \(history.stderr)")
        #expect(history.lines.count > 2, "\(history.stdout)")
        // The same list as on the original store.
        let original = try await crm(["customer", "list", "--data", data, "--json"])
        #expect(Set(original.lines) == Set(list.lines))
    }
}
