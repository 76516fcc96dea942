import Benchmark
import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

// Benchmarks of the analysis (issue 7): RFM scoring of 100k customers and KPI assessment of 1,000
// employees as pure functions over synthetic read-model rows (seeded, so every run scores the same
// inputs), and the KPI over the cached generated history: folding the employee indicators and rule
// versions from the log (`ProjectionRunner.build`), then assessing and ranking every employee-month.
// Run with `--filter 'analysis.*'`; sizes: BENCH_ANALYSIS_CUSTOMERS (100,000), BENCH_ANALYSIS_EMPLOYEES (1,000).

private func environmentInt(_ name: String, _ fallback: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap { Int($0.replacingOccurrences(of: "_", with: "")) } ?? fallback
}

/// 100k customers' purchase histories: 0–40 purchases each over 24 months, amounts 10–5,000.
func syntheticRFMInputs(customers: Int, asOf: LocalDate) -> [RFM.Input] {
    var random = SplitMix64(state: 0xF00D)
    let window = RevenueMonth.window(endingAt: RevenueMonth(asOf), months: 12)
    return (0..<customers).map { i in
        let id = UUID.derived("bench-customer", String(i))
        let purchases = Int(random.next() % 41)
        var months: [RevenueMonth: PurchaseHistory.Month] = [:]
        var first: LocalDate?, last: LocalDate?
        for _ in 0..<purchases {
            let day = asOf.adding(days: -Int(random.next() % 730))
            let month = RevenueMonth(day)
            var m = months[month] ?? PurchaseHistory.Month(month: month, purchases: 0, amount: 0)
            m.purchases += 1
            m.amount += Decimal(10 + Int(random.next() % 4_991))
            months[month] = m
            first = min(first ?? day, day)
            last = max(last ?? day, day)
        }
        let history = PurchaseHistory(customerID: id, branch: "b\(i % 20)", firstPurchase: first, lastPurchase: last, totalPurchases: purchases,
                                      months: months.values.sorted { $0.month < $1.month })
        return RFM.Input(history, window: window, asOf: asOf)
    }
}

/// 1,000 employees' values of 8 indicators in one month, 0–40 each.
func syntheticIndicatorValues(employees: Int) -> [(String, [String: Decimal])] {
    var random = SplitMix64(state: 0xBEEF)
    let indicators = ["contactsMade", "visitsMade", "newOpportunities", "newPotentialCustomers", "dealsWon", "tasksOnTime",
                      "ticketsResolvedInSLA", "campaignItemsDone"]
    return (0..<employees).map { i in
        (String(format: "emp-%05d", i), Dictionary(uniqueKeysWithValues: indicators.map { ($0, Decimal(Int(random.next() % 41))) }))
    }
}

let benchmarkKPIRules = KPI.RuleSet(version: 1, rules: [
    KPI.Rule(indicator: "contactsMade", weight: 20, target: 30, bonusPoints: 2),
    KPI.Rule(indicator: "visitsMade", weight: 15, target: 10, bonusPoints: 2, curve: .threshold),
    KPI.Rule(indicator: "newOpportunities", weight: 15, target: 8, curve: .steps([KPI.Step(from: dec("0.5"), factor: dec("0.5")), KPI.Step(from: 1, factor: 1)])),
    KPI.Rule(indicator: "newPotentialCustomers", weight: 10, target: 10),
    KPI.Rule(indicator: "dealsWon", weight: 20, target: 4, bonusPoints: 5, curve: .linear(cap: dec("1.5"))),
    KPI.Rule(indicator: "tasksOnTime", weight: 10, target: 20),
    KPI.Rule(indicator: "ticketsResolvedInSLA", weight: 5, target: 15),
    KPI.Rule(indicator: "campaignItemsDone", weight: 5, target: 3),
])

private func dec(_ text: String) -> Decimal { Decimal(string: text) ?? 0 }

struct IndicatorViewsState: Sendable {
    let runner: ProjectionRunner
    let directory: String
    let events: Int
    let buildSeconds: Double
}

func registerAnalysis() {
    let customers = environmentInt("BENCH_ANALYSIS_CUSTOMERS", 100_000)
    let employees = environmentInt("BENCH_ANALYSIS_EMPLOYEES", 1_000)
    let rfmInputs = Slot<[RFM.Input]>()
    Benchmark("analysis: RFM, \(customers) customers", configuration: configuration(
        metrics: [.wallClock, .peakMemoryResident],
        setup: {
            guard let asOf = LocalDate(year: 2026, month: 3, day: 31) else { throw BenchError.notPrepared }
            rfmInputs.value = syntheticRFMInputs(customers: customers, asOf: asOf)
        },
        teardown: { rfmInputs.value = nil })
    ) { benchmark in
        guard let inputs = rfmInputs.value else { throw BenchError.notPrepared }
        benchmark.startMeasurement()
        let global = RFM.score(inputs, partition: .global)
        let perBranch = RFM.score(inputs, partition: .perBranch)
        benchmark.stopMeasurement()
        blackHole(global.count + perBranch.count)
        recordEngine(["key": "analysis_rfm", "customers": inputs.count, "iteration": benchmark.currentIteration])
    }

    let values = Slot<[(String, [String: Decimal])]>()
    Benchmark("analysis: KPI assess and rank, \(employees) employees", configuration: configuration(
        metrics: [.wallClock], setup: { values.value = syntheticIndicatorValues(employees: employees) }, teardown: { values.value = nil })
    ) { benchmark in
        guard let values = values.value else { throw BenchError.notPrepared }
        benchmark.startMeasurement()
        let assessments = values.map { KPI.assess(employee: $0.0, period: "2026-03", values: $0.1, rules: benchmarkKPIRules) }
        let ranking = KPI.rank(assessments, groupOf: { "team-\($0.suffix(2))" })
        benchmark.stopMeasurement()
        blackHole(ranking.count)
    }

    // The log side: fold the indicators from the cached 1M-event history, then assess every employee-month.
    let folded = Slot<IndicatorViewsState>()
    Benchmark("analysis: KPI over the generated history (fold indicators + assess all months)", configuration: configuration(
        metrics: [.wallClock, .peakMemoryResident],
        setup: {
            let cached = CachedStore.rebuildStore()
            try await cached.ensure()
            let store = try cached.open()
            let directory = try freshDirectory("analysis_kpi")
            let clock = ContinuousClock(), started = clock.now
            _ = try await ProjectionRunner.build(store: store, registry: try CRMEvents.registry(),
                                                 projections: [EmployeeIndicators(), KPIRuleVersions()], into: directory)
            let buildSeconds = started.duration(to: clock.now).seconds
            let runner = try ProjectionRunner(store: store, registry: try CRMEvents.registry(), projections: [EmployeeIndicators(), KPIRuleVersions()],
                                              directory: directory)
            folded.value = IndicatorViewsState(runner: runner, directory: directory, events: Int(try await store.headPosition().rawValue), buildSeconds: buildSeconds)
            FileHandle.standardError.write(Data("analysis: folded employee indicators of \(folded.value?.events ?? 0) events in \(buildSeconds) s\n".utf8))
        },
        teardown: {
            if let s = folded.value { try? FileManager.default.removeItem(atPath: s.directory) }
            folded.value = nil
        })
    ) { benchmark in
        guard let s = folded.value else { throw BenchError.notPrepared }
        benchmark.startMeasurement()
        let (cells, months): ([EmployeeIndicators.Cell], Set<String>) = try s.runner.read("employee-indicators") { views in
            let cells = try views.rows(EmployeeIndicators.Cell.self, in: EmployeeIndicators.byMonth).map(\.row)
            return (cells, Set(cells.map(\.month)))
        }
        var byMonth: [String: [String: [String: Decimal]]] = [:]
        for cell in cells { byMonth[cell.month, default: [:]][cell.employee, default: [:]][cell.indicator] = Decimal(cell.value) }
        var assessed = 0, employees = Set<String>()
        for month in months.sorted() {
            let assessments = (byMonth[month] ?? [:]).map { KPI.assess(employee: $0.key, period: month, values: $0.value, rules: benchmarkKPIRules) }
            assessed += assessments.count
            employees.formUnion(assessments.map(\.employee))
            blackHole(KPI.rank(assessments).count)
        }
        benchmark.stopMeasurement()
        recordEngine(["key": "analysis_kpi_history", "events": s.events, "foldSeconds": s.buildSeconds, "employeeMonths": assessed,
                      "employees": employees.count, "months": months.count, "iteration": benchmark.currentIteration])
    }
}
