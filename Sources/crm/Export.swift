import ArgumentParser
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm export customers|revenue --format csv`: CSV that spreadsheet programs open correctly.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export customers or revenue as CSV (RFC 4180, UTF-8, optional BOM); read-only.",
        discussion: "Writes to standard output unless --out FILE.")

    enum What: String, ExpressibleByArgument, CaseIterable {
        case customers, revenue
    }

    @OptionGroup var store: StoreOptions
    @Argument(help: "What to export: customers or revenue.") var what: What
    @Option(help: "The format (csv).") var format = "csv"
    @Flag(help: "Start with a UTF-8 byte-order mark (for spreadsheet programs).") var bom = false
    @Option(help: "The file to write (standard output when omitted).") var out: String?
    @Option(help: "Revenue: the dimension (month, customer, product, currency).") var by = "month"
    @Option(help: "Revenue: the first month, YYYY-MM.") var from = "1970-01"
    @Option(help: "Revenue: the last month, YYYY-MM.") var through = "9999-12"

    func run() async throws {
        try await reporting(data: store.data) {
            guard format.lowercased() == "csv" else { throw CLIError("unknown format `\(format)`", hint: "use --format csv", exit: .usage) }
            let (header, rows) = try await what == .customers ? customers() : revenue()
            let data = try csvData(header: header, rows: rows, bom: bom)
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: data) else {
                    throw CLIError("cannot write \(out)", hint: "check the path and permissions")
                }
                note("Wrote \(rows.count) rows to \(out).")
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }

    /// Every customer folded from the log (read-only, beside a server): profile, keys and custom fields.
    private func customers() async throws -> ([String], [[String]]) {
        let customers = try await allCustomers(store)
        let customKeys = Set(customers.flatMap { $0.customFields.keys }).sorted()
        let header = ["id", "name", "kind", "group", "status", "archived", "industry", "branch", "community", "owner", "birthday", "founded", "external_keys"] + customKeys
        let rows = customers.map { c -> [String] in
            [c.id?.uuidString.lowercased() ?? "", c.name, c.kind.rawValue, c.group, c.status.rawValue, c.isArchived ? "yes" : "no",
             c.industry ?? "", c.branch ?? "", c.community ?? "", c.owner ?? "", c.birthday?.description ?? "", c.founded?.description ?? "",
             c.externalKeys.map(\.description).joined(separator: ";")]
                + customKeys.map { c.customFields[$0].map(csvText) ?? "" }
        }
        return (header, rows)
    }

    /// Revenue totals from the revenue cube, built from the log into a private directory (so it works
    /// beside a running server without touching its views).
    private func revenue() async throws -> ([String], [[String]]) {
        guard let dimension = RevenueCube.Dimension(rawValue: by) else {
            throw CLIError("unknown dimension `\(by)`", hint: "one of: month, customer, product, currency", exit: .usage)
        }
        let first = try month(from), last = try month(through)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("crm-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let log = try store.openReadOnly()
        let totals: [RevenueCube.Total]
        do {
            let engine = try await CRMEngine.open(store: log, views: scratch, configuration: .init(projections: [RevenueCube()], reactions: []))
            do {
                try await engine.views.waitUntil(try await log.headPosition())
                totals = try await engine.revenue(by: dimension, from: first, through: last, as: try await store.principal(engine))
            } catch {
                await engine.close()
                throw error
            }
            await engine.close()
        } catch {
            await log.close()
            throw error
        }
        await log.close()
        return ([by, "currency", "amount", "entries", "reversals"],
                totals.map { [$0.key, $0.currency.rawValue, "\($0.amount)", "\($0.entries)", "\($0.reversals)"] })
    }

    private func month(_ text: String) throws -> RevenueMonth {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            throw CLIError("`\(text)` is not a month", hint: "give YYYY-MM", exit: .usage)
        }
        return RevenueMonth(year: year, month: month)
    }
}

/// A field value as a spreadsheet cell.
func csvText(_ value: FieldValue) -> String {
    switch value {
    case .text(let s), .option(let s): return s
    case .number(let d): return "\(d)"
    case .money(let m): return "\(m.amount) \(m.currency.rawValue)"
    case .date(let d): return d.description
    case .bool(let b): return b ? "yes" : "no"
    case .id(let id): return id.uuidString.lowercased()
    case .list(let items): return items.joined(separator: ";")
    }
}
