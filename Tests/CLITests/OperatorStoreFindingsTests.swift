import Foundation
import Testing

/// The operator's store commands on a damaged or odd target (exploratory round 2, F3): a damaged log is
/// never copied on as good data, a backup that fails verification leaves nothing that looks complete, and
/// the messages say what is wrong without a raw error or a wrong hint.
@Suite("crm: damaged logs and bad targets of the store commands", .serialized)
struct OperatorStoreFindingsTests {
    /// A new CRM in `dir/data` holding one customer named `Zebulon Quux`.
    private func store(_ dir: String) async throws -> String {
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let added = try await crm(["customer", "add", "--data", data, "--name", "Zebulon Quux", "--group", "residential"])
        #expect(added.status == 0, "\(added.stderr)")
        return data
    }

    /// A copy of `data` in which one byte of the customer's name is flipped on disk (its record's checksum then fails).
    private func damagedCopy(of data: String, in dir: String) throws -> String {
        let copy = dir + "/damaged"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: data + "/log", toPath: copy + "/log")
        let file = copy + "/log/data.mdb"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        let needle = Array("Zebulon Quux".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle })
        bytes[at + 1] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return copy
    }

    @Test func migrateStoreRefusesASourceLogWithFaultsBeforeCopyingAnything() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let damaged = try damagedCopy(of: try await store(dir), in: dir)
        // Nothing listens on port 1: a run that got as far as the target would fail with 1 (unreachable).
        let run = try await crm(["migrate-store", "--from", damaged, "--to", "postgres://crm@127.0.0.1:1/crm?schema=x"])
        #expect(run.status == 2, "\(run.status) \(run.stderr)")
        #expect(run.stderr.contains("1 fault(s); nothing was copied"), "\(run.stderr)")
        #expect(!run.stdout.contains("verified"), "\(run.stdout)")
    }

    @Test func migrateStoreRefusesABatchBelowOne() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let run = try await crm(["migrate-store", "--from", data, "--to", "postgres://crm:SECRETPW@127.0.0.1:1/crm?schema=x", "--batch", "0"])
        #expect(run.status == 64 && run.stderr.contains("--batch"), "\(run.status) \(run.stderr)")
        #expect(!run.stderr.contains("SECRETPW"))
    }

    @Test func aBackupThatFailsVerificationLeavesNoLogAndTheNextBackupThereWorks() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let damaged = try damagedCopy(of: data, in: dir)
        let failed = try await crm(["backup", dir + "/bk", "--data", damaged])
        #expect(failed.status == 2, "\(failed.status) \(failed.stderr)")
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: dir + "/bk/log"), "a copy that failed verification is not left as DIR/log")
        #expect(!fm.fileExists(atPath: dir + "/bk/log.partial"))
        let good = try await crm(["backup", dir + "/bk", "--data", data])
        #expect(good.status == 0, "\(good.status) \(good.stderr)")
        #expect(fm.fileExists(atPath: dir + "/bk/log/data.mdb") && !fm.fileExists(atPath: dir + "/bk/log.partial"))
    }

    @Test func verifyOfALogWhoseHeaderIsDamagedSaysItIsDamagedWithExitTwoAndNoHintToRunVerify() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let file = data + "/log/data.mdb"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes.replaceSubrange(0..<4096, with: Data(count: 4096))
        try bytes.write(to: URL(fileURLWithPath: file))
        let run = try await crm(["verify", "--data", data])
        #expect(run.status == 2, "\(run.status) \(run.stderr)")
        #expect(run.stderr.contains("damaged"), "\(run.stderr)")
        #expect(!run.stderr.contains("run `crm verify`"), "\(run.stderr)")
        #expect(run.stderr.contains("crm restore"), "\(run.stderr)")
    }

    @Test func verifyOfATruncatedLogDoesNotTellTheOperatorToRunVerify() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/log/data.mdb"))
        try handle.truncate(atOffset: 12_288)
        try handle.close()
        let run = try await crm(["verify", "--data", data])
        #expect(run.status == 2, "\(run.status) \(run.stderr)")
        #expect(!run.stderr.contains("run `crm verify`"), "\(run.stderr)")
    }

    @Test func backupAndReplayIntoARegularFileAreRefusedPlainly() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let file = dir + "/afile"
        write("x", to: file)
        let backup = try await crm(["backup", file, "--data", data])
        #expect(backup.status == 5 && backup.stderr.contains("is a file, not a directory"), "\(backup.status) \(backup.stderr)")
        #expect(!backup.stderr.contains("--data"), "the hint is about the backup directory: \(backup.stderr)")
        let replay = try await crm(["replay", "--to", "3", "--out", file, "--data", data])
        #expect(replay.status == 5 && replay.stderr.contains("--out"), "\(replay.status) \(replay.stderr)")
        #expect(!replay.stderr.contains("NSCocoaErrorDomain"), "\(replay.stderr)")
    }

    @Test func aRefusedReplayLeavesNoOutDirectory() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let beyond = try await crm(["replay", "--to", "4000", "--out", dir + "/then", "--data", data])
        #expect(beyond.status == 64, "\(beyond.status) \(beyond.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/then"))
        let noStore = try await crm(["replay", "--to", "3", "--out", dir + "/then2", "--data", dir + "/nothing"])
        #expect(noStore.status == 4, "\(noStore.status) \(noStore.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/then2"))
        let good = try await crm(["replay", "--to", "3", "--out", dir + "/then3", "--data", data])
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test func initAndRestoreRefusedForServerOrPostgresSayWhatToDoInstead() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let initRun = try await crm(["init", "--data", dir + "/new", "--admin-name", "Ada", "--server", "http://127.0.0.1:1", "--token", "crm_x"])
        #expect(initRun.status == 64, "\(initRun.stderr)")
        #expect(!initRun.stderr.contains("stop the server"), "\(initRun.stderr)")
        #expect(initRun.stderr.contains("without --server"), "\(initRun.stderr)")
        let restore = try await crm(["restore", dir + "/bk", "--data", dir + "/new", "--store", "postgres://crm@127.0.0.1:1/crm?schema=x"])
        #expect(restore.status == 64, "\(restore.stderr)")
        #expect(!restore.stderr.contains("back up a PostgreSQL log"), "\(restore.stderr)")
        #expect(restore.stderr.contains("restore a PostgreSQL log"), "\(restore.stderr)")
    }

    @Test func aServerURLsPasswordIsNeverPrinted() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let run = try await crm(["customer", "edit", "019a3d79-b0f5-702d-ac77-9c3693f88501", "--name", "X", "--data", dir,
                                 "--server", "http://user:SECRETPW@127.0.0.1:1", "--token", "crm_x"])
        #expect(run.status == 1, "\(run.status) \(run.stderr)")
        #expect(run.stderr.contains("cannot reach the server at http://127.0.0.1:1"), "\(run.stderr)")
        #expect(!run.stderr.contains("SECRETPW") && !run.stderr.contains("user:"), "\(run.stderr)")
    }

    @Test func showOfAnAPITokenGivesItsStateWithoutTheSecretsHash() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let created = object(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")
        let tokenID = try #require(created["tokenID"] as? String)
        let shown = try await crm(["show", "apitoken-" + tokenID, "--data", data, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(!shown.stdout.contains("secretHash") && !shown.stdout.contains("payload"), "\(shown.stdout)")
        let state = object(shown.stdout)["state"] as? [String: Any] ?? [:]
        #expect(state["tokenID"] as? String == tokenID)
        #expect(state["employeeID"] as? String == created["employeeID"] as? String)
        #expect(state["revoked"] as? Bool == false)
    }

    @Test func auditFindsAReaderGivenInCapitals() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let created = object(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")
        let token = try #require(created["token"] as? String), admin = try #require(created["employeeID"] as? String)
        let added = object(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]).lines.last ?? "")
        let customer = try #require(added["id"] as? String)
        #expect(try await crm(["customer", "show", customer, "--data", data, "--token", token]).status == 0)
        let lower = try await crm(["audit", "--data", data, "--principal", admin, "--json"])
        let upper = try await crm(["audit", "--data", data, "--principal", admin.uppercased(), "--json"])
        #expect(upper.status == 0, "\(upper.stderr)")
        #expect(!lower.lines.isEmpty)
        #expect(upper.lines == lower.lines, "\(upper.stdout)")
    }

    @Test func exportRevenueNamesTheOptionGivenForTheLastMonth() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = try await store(dir)
        let run = try await crm(["export", "revenue", "--from", "2026-05", "--through", "2026-03", "--data", data])
        #expect(run.status == 64 && run.stderr.contains("comes after --through"), "\(run.status) \(run.stderr)")
    }
}
