import ArgumentParser
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm rebuild [PROJECTION]`: rebuilds views from the log in place, with progress.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild all views, or one, from the log (shadow copy, then swap); on a store a server holds, only with --server URL --token T.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The view to rebuild (all when omitted); `crm stats` lists them under views/.") var projection: String?

    func run() async throws {
        try await reporting(data: store.data) {
            let started = Date()
            if let remote = try store.remote() {
                note("Rebuilding \(projection ?? "all views") on the server (it answers when done)…")
                let sent: Any?
                do {
                    sent = try await remote.send("POST", "v1/views/rebuild", body: projection.map { ["projection": $0] } ?? [:])
                } catch let error as CLIError where error.field == "projection" {
                    // The server has no view of that name: a usage error, as without a server.
                    throw CLIError("no view named \(projection ?? "")",
                                   hint: "`crm stats --data DIR` on the server's data directory lists the views (it reads beside the server)", exit: .usage)
                }
                let answer = sent as? [String: Any] ?? [:]
                let head = (answer["head"] as? Int) ?? 0
                if store.json {
                    out(jsonLine(["rebuilt": projection ?? "all views", "head": head, "seconds": Date().timeIntervalSince(started)] as [String: Any]))
                } else {
                    out("Rebuilt \(projection ?? "all views") up to position \(head) (on the server).")
                }
                return
            }
            let head = try await withEngine(store) { engine -> GlobalPosition in
                if let projection, !engine.views.projections.contains(where: { $0.name == projection }) {
                    let names = engine.views.projections.map(\.name).sorted().joined(separator: ", ")
                    throw CLIError("no view named \(projection)", hint: "one of: \(names) (`crm stats` lists the views)", exit: .usage)
                }
                let head = try await engine.store.headPosition()
                // Views the open just built from the whole log (none were built yet) are not built twice.
                let chosen = projection.map { [$0] } ?? engine.views.projections.map(\.name)
                let remaining = chosen.filter { !engine.views.builtOnStart.contains($0) }
                guard !remaining.isEmpty else {
                    try await engine.rebuildViews([], as: try await store.principal(engine))  // still authorized
                    // As after a rebuild: a view the open's build stopped at an event fails the command.
                    try engine.checkViews(chosen)
                    return try await engine.store.headPosition()
                }
                let progress = ProgressPrinter("rebuild", total: Int(clamping: head.rawValue))
                try await engine.rebuildViews(remaining, as: try await store.principal(engine)) { step in
                    progress.update(Int(clamping: step.position.rawValue))
                }
                // The reactor may have appended while the views were rebuilt: they stand at the head now.
                let reached = try await engine.store.headPosition()
                progress.finish(Int(clamping: max(reached, head).rawValue))
                return reached
            }
            let what = projection ?? "all views"
            if store.json {
                out(jsonLine(["rebuilt": what, "head": Int(clamping: head.rawValue), "seconds": Date().timeIntervalSince(started)] as [String: Any]))
            } else {
                out("Rebuilt \(what) up to position \(head.rawValue).")
            }
        }
    }
}

/// `crm replay --to TIME|POSITION --out DIR`: every view as of a past point, into a separate directory.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build every view as it was at a time or log position into a separate directory (read-only on the store).")

    @OptionGroup var store: StoreOptions
    @Option(help: "A log position (a number) or a time (ISO 8601; a plain date means its end, UTC).") var to: String
    @Option(help: "The directory to build the views in (new or empty).") var out: String

    func run() async throws {
        try await reporting(data: store.data) {
            let point = try parsePoint(to, "--to")
            let fm = FileManager.default
            var isDirectory: ObjCBool = false
            let existed = fm.fileExists(atPath: out, isDirectory: &isDirectory)
            if existed && !isDirectory.boolValue {
                throw CLIError("--out: \(out) is a file, not a directory", hint: "give a new or empty --out directory", exit: .refused)
            }
            if let contents = try? fm.contentsOfDirectory(atPath: out), !contents.isEmpty {
                throw CLIError("\(out) is not empty", hint: "give a new or empty --out directory", exit: .refused)
            }
            let registry = try EngineEvents.registry()
            // A replay refused or failed removes the --out directory it made (one given empty stays).
            func removeMade() { if !existed { try? fm.removeItem(atPath: out) } }
            let reached: GlobalPosition
            do {
                reached = try await withReadEngine(store) { engine, principal -> GlobalPosition in
                    let log = engine.store
                    // A position beyond the head is refused before the replay is audited (a refusal writes nothing),
                    // and before --out is made.
                    try await requireWithinLog(point, "--to", in: log)
                    try engine.authorizeLogRead("replay to \(to)", as: principal)
                    do {
                        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
                    } catch {
                        throw CLIError("cannot create the --out directory \(out)", hint: "check that its parent exists and may be written")
                    }
                    let target: GlobalPosition
                    switch point {
                    case .position(let p): target = p
                    case .time(let t): target = try await position(at: t, in: log)
                    }
                    let progress = ProgressPrinter("replay", total: Int(clamping: target.rawValue))
                    let reached = try await ProjectionRunner.build(store: log, registry: registry, projections: CRMViews.all, into: out, upTo: target) { step in
                        progress.update(Int(clamping: step.position.rawValue))
                    }
                    progress.finish(Int(clamping: target.rawValue))
                    return reached
                }
            } catch {
                removeMade()
                throw error
            }
            if store.json {
                self.printJSON(reached)
            } else {
                Swift.print("Built \(CRMViews.all.count) views as of position \(reached.rawValue) in \(out).")
            }
        }
    }

    private func printJSON(_ reached: GlobalPosition) {
        Swift.print(jsonLine(["directory": out, "position": Int(clamping: reached.rawValue), "views": CRMViews.all.map(\.name)] as [String: Any]))
    }
}
