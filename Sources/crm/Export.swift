import ArgumentParser
import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm export customers|revenue|report NAME --format csv`: CSV that spreadsheet programs open correctly.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export customers, revenue or a report as CSV (RFC 4180, UTF-8, optional BOM); read-only.",
        discussion: """
            Writes to standard output unless --out FILE. Reports: \(CRMEngine.ReportName.allCases.map(\.rawValue).joined(separator: ", ")); \
            months in each record's branch time zone, e.g. `crm export report overdue --from 2026-03 --to 2026-04 --branch north`. \
            A cell starting with =, +, -, @, TAB or CR that is not a plain number gets a leading ' so spreadsheets do not run \
            it as a formula; `crm import customers` removes it again.
            """)

    enum What: String, ExpressibleByArgument, CaseIterable {
        case customers, revenue, report
    }

    @OptionGroup var store: StoreOptions
    @Argument(help: "What to export: customers, revenue or report.") var what: What
    @Argument(help: "The report's name (with `report`).") var name: String?
    @Option(help: "The format (csv).") var format = "csv"
    @Flag(help: "Start with a UTF-8 byte-order mark (for spreadsheet programs).") var bom = false
    @Option(help: "The file to write (standard output when omitted).") var out: String?
    @Option(help: "Revenue: the dimension (product, customer, chargeItem, businessLine, currency, month, quarter, year); costs report: month, category, customer, industry; visit-costs report: visit, customer, month, place; composition: kind, group, industry, branch, community, status, segment, tier.")
    var by: String?
    @Option(help: "The first month, YYYY-MM (a report needs it).") var from: String?
    @Option(name: [.customLong("through"), .customLong("to")], help: "The last month, YYYY-MM (a report: the first month when omitted; revenue: 9999-12, everything from --from on).") var through: String?
    @Option(help: "Report: only this branch's records.") var branch: String?
    @Option(help: "Revenue: also split each row per period (month, quarter, year); from/through then whole periods.") var period: String?
    @Option(help: "Revenue and report: the currency of revenue and values (ISO code); revenue converts every entry into it.") var currency = "CNY"

    func run() async throws {
        try await reporting(data: store.data) {
            guard format.lowercased() == "csv" else { throw CLIError("--format: unknown format", hint: "use --format csv", exit: .usage) }
            let (header, rows): ([String], [[String]])
            switch what {
            case .customers: (header, rows) = try await customers()
            case .revenue: (header, rows) = try await revenue()
            case .report: (header, rows) = try await report()
            }
            // The one CSV writer of reports and exports: RFC 4180, CRLF, cells a spreadsheet could run as
            // formulas neutralised (docs/CLI.md).
            let data = Data(ReportTable(header: header, rows: rows).csv(bom: bom).utf8)
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: data) else {
                    throw CLIError("cannot write \(out)", hint: "check the path and permissions")
                }
                note("Wrote \(rows.count) rows to \(out).")
            } else {
                emit(data)
            }
        }
    }

    /// Every customer folded from the log (read-only, beside a server): profile, keys and custom fields.
    private func customers() async throws -> ([String], [[String]]) {
        let customers = try await allCustomers(store)
        let customKeys = Set(customers.flatMap { $0.customFields.keys }).sorted()
        let header = ["id", "name", "kind", "group", "status", "archived", "industry", "branch", "community", "owner", "birthday", "founded", "external_keys"] + customKeys
        let rows = customers.map { c -> [String] in
            [c.id?.lowercasedString ?? "", c.name, c.kind.rawValue, c.group, c.status.rawValue, c.isArchived ? "yes" : "no",
             c.industry ?? "", c.branch ?? "", c.community ?? "", c.owner ?? "", c.birthday?.description ?? "", c.founded?.description ?? "",
             c.externalKeys.map(\.description).joined(separator: ";")]
                + customKeys.map { c.customFields[$0].map(csvText) ?? "" }
        }
        return (header, rows)
    }

    /// Revenue by dimension and period in one currency with growth and share (``CRMEngine/revenue(_:as:consistentWith:)``),
    /// from the revenue cube built from the log into a private directory (so it works beside a running
    /// server without touching its views). Amounts exact; percentages rounded to 2 places, empty when undefined.
    private func revenue() async throws -> ([String], [[String]]) {
        let by = self.by ?? "month"
        guard let dimension = RevenueCube.Dimension(rawValue: by) else {
            let names = RevenueCube.Dimension.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIError("--by: unknown dimension", hint: "one of: \(names)", exit: .usage)
        }
        let period = try self.period.map { text in
            guard let period = RevenueCube.Period(rawValue: text) else {
                throw CLIError("--period: unknown period", hint: "one of: month, quarter, year", exit: .usage)
            }
            return period
        }
        let currency = try reportCurrency()
        let (first, last) = try months(from ?? "1970-01", through ?? "9999-12")
        let query = RevenueQuery(by: dimension, period: period, from: first, through: last, currency: currency)
        let report = try await withScratchEngine([RevenueCube()]) { engine in
            try await engine.revenue(query, as: try await store.principal(engine))
        }
        let split = query.by.period == nil && query.splitPeriod != nil
        let header = (split ? ["period"] : []) + [dimension == .currency ? "entry_currency" : by, "currency", "amount", "previous_amount", "growth_percent", "share_percent", "entries", "reversals"]
        return (header, report.rows.map { row in
            (split ? [row.period ?? ""] : []) + [row.key, currency.rawValue, "\(row.amount)", "\(row.previousAmount)",
                                                 row.growthPercent.map { "\($0)" } ?? "", row.sharePercent.map { "\($0)" } ?? "",
                                                 "\(row.entries)", "\(row.reversals)"]
        })
    }

    /// A report (``CRMEngine/report(_:_:as:)``) over the read models it needs, built from the log into a
    /// private directory.
    private func report() async throws -> ([String], [[String]]) {
        let names = CRMEngine.ReportName.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name, let report = CRMEngine.ReportName(rawValue: name) else {
            throw CLIError("<report>: unknown report", hint: "one of: \(names)", exit: .usage)
        }
        guard let from else { throw CLIError("a report needs --from YYYY-MM", hint: "e.g. --from 2026-03 --to 2026-04", exit: .usage) }
        // Only the costs, visit-costs and composition reports are grouped by something: a `--by` on another is bad usage.
        if by != nil, !report.takesBy {
            throw CLIError("--by: the \(report.rawValue) report takes none", hint: "--by is for costs, visit-costs and composition", exit: .usage)
        }
        if period != nil {
            throw CLIError("--period: a report takes none", hint: "--period splits `crm export revenue`; give a report its months with --from and --to", exit: .usage)
        }
        let (first, last) = try months(from, through ?? from)
        var parameters = CRMEngine.ReportParameters(from: first, through: last, branch: branch, currency: try reportCurrency())
        // A report whose work grows with its months covers at most its limit (the engine refuses more too).
        if let limit = report.monthLimit, parameters.months > limit {
            throw CLIError("--to: the \(report.rawValue) report covers at most \(limit) months",
                           hint: "give a --to at most \(limit - 1) months after --from, and export the rest in another run", exit: .usage)
        }
        if report == .costs, let by {
            guard let dimension = Reports.CostDimension(rawValue: by) else {
                throw CLIError("--by: unknown dimension", hint: "one of: month, category, customer, industry", exit: .usage)
            }
            parameters.costsBy = dimension
        }
        if report == .visitCosts, let by {
            guard let grouping = CostLedger.VisitGrouping(rawValue: by) else {
                let names = CostLedger.VisitGrouping.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIError("--by: unknown grouping", hint: "one of: \(names)", exit: .usage)
            }
            parameters.visitCostsBy = grouping
        }
        if report == .composition, let by {
            guard CRMEngine.compositionClasses.contains(by) else {
                throw CLIError("--by: unknown class", hint: "one of: \(CRMEngine.compositionClasses.joined(separator: ", "))", exit: .usage)
            }
            parameters.compositionBy = by
        }
        let projections = CRMViews.all.filter { report.projections.contains($0.name) }
        let table = try await withScratchEngine(projections) { engine in
            try await engine.report(report, parameters, as: try await store.principal(engine))
        }
        return (table.header, table.rows)
    }

    /// Runs `body` with an engine over the log opened read-only and the given read models built into a
    /// private directory (so it works beside a running server without touching its views).
    private func withScratchEngine<T>(_ projections: [any Projection], _ body: (CRMEngine) async throws -> T) async throws -> T {
        let scratch = ScratchDirectory.make("crm-export")
        defer { ScratchDirectory.remove(scratch) }
        let log = try await store.openLogForReading()
        let result: T
        do {
            let engine = try await CRMEngine.open(store: log, views: scratch, configuration: .init(projections: projections, reactions: [], auditDirectory: store.data + "/audit"))
            do {
                try await engine.views.waitUntil(try await log.headPosition())
                result = try await body(engine)
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
        return result
    }

    /// `--from` and `--to` as months (``RevenueMonth/init(text:)``, the parser the HTTP adapter and the engine
    /// use: exactly `YYYY-MM`) within the bound the engine and HTTP hold (``RevenueQuery/monthsQueried``,
    /// 1900-01…9999-12), the first not after the last; anything else is bad usage (64).
    private func months(_ from: String, _ through: String) throws -> (RevenueMonth, RevenueMonth) {
        let bound = RevenueQuery.monthsQueried
        func month(_ text: String, _ option: String) throws -> RevenueMonth {
            guard let month = RevenueMonth(text: text) else {
                throw CLIError("\(option): not a month", hint: "give YYYY-MM with a four-digit year, e.g. 2026-03", exit: .usage)
            }
            guard bound.contains(month) else {
                throw CLIError("\(option): not a month from \(bound.lowerBound) to \(bound.upperBound)",
                               hint: "nothing is counted before \(bound.lowerBound)", exit: .usage)
            }
            return month
        }
        // The last month's option as it was given: `--through` or its other name `--to`.
        let throughName = CommandLine.arguments.contains { $0 == "--to" || $0.hasPrefix("--to=") } ? "--to" : "--through"
        let first = try month(from, "--from"), last = try month(through, throughName)
        guard first <= last else {
            throw CLIError("--from: comes after \(throughName)", hint: "give the first month with --from and the last with \(throughName)", exit: .usage)
        }
        return (first, last)
    }

    /// `--currency` read by the parser the HTTP adapter uses (``Currency/init(reportCode:)``): an ISO 4217
    /// code in capitals, anything else bad usage (64), as HTTP answers it 400.
    private func reportCurrency() throws -> Currency {
        guard let code = Currency(reportCode: currency) else {
            throw CLIError("--currency: unknown currency", hint: "an ISO 4217 code in capitals, such as CNY", exit: .usage)
        }
        return code
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
    case .id(let id): return id.lowercasedString
    case .list(let items): return items.joined(separator: ";")
    }
}
