import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The report queries hold the month bound the revenue queries hold (``RevenueQuery/monthsQueried``,
/// 1900-01…9999-12) for whoever asks the engine, and the overdue report — whose work grows with its months,
/// not with the tickets — covers at most ``CRMEngine/ReportName/monthLimit`` (1,200) months.
@Suite struct ReportRangeBoundsTests {
    static func month(_ year: Int, _ month: Int) -> RevenueMonth { RevenueMonth(year: year, month: month) }

    static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        do {
            try await body()
            return nil
        } catch let error as EngineError {
            return error
        } catch {
            return nil
        }
    }

    @Test func reportMonthsOutside1900Through9999AreInvalidNamingTheField() async throws {
        let f = try await EngineFixture.make("report-bounds")
        let bad: [(from: RevenueMonth, through: RevenueMonth, field: String)] = [
            (Self.month(1899, 12), Self.month(2026, 1), "from"),
            (Self.month(1, 1), Self.month(1, 1), "from"),
            (Self.month(2026, 1), Self.month(10_000, 1), "through"),
            (Self.month(2026, 13), Self.month(2026, 13), "from"),
            (Self.month(2026, 1), Self.month(2026, 0), "through"),
        ]
        for name in CRMEngine.ReportName.allCases {
            for (from, through, field) in bad {
                let error = await Self.refusal { _ = try await f.engine.report(name, .init(from: from, through: through), as: f.admin) }
                #expect(error?.code == .invalid && error?.field == field, "\(name.rawValue) \(from)…\(through): \(String(describing: error))")
            }
            // The bound's own months are reports like any other (the overdue one over a month, within its limit).
            _ = try await f.engine.report(name, .init(from: Self.month(1900, 1), through: Self.month(1900, 1)), as: f.admin)
            _ = try await f.engine.report(name, .init(from: Self.month(9999, 12), through: Self.month(9999, 12)), as: f.admin)
        }
        // The per-report queries hold it too (the adapters' report tables go through `report`, others call these).
        let error = await Self.refusal { _ = try await f.engine.costReport(.init(from: Self.month(1000, 1), through: Self.month(2026, 1)), as: f.admin) }
        #expect(error?.code == .invalid && error?.field == "from", "\(String(describing: error))")
        // And so does the revenue explanation, naming the range.
        let year = Self.month(2026, 1)...Self.month(2026, 12)
        for (base, compare, field) in [(Self.month(1899, 1)...Self.month(1899, 12), year, "base"), (year, Self.month(2026, 1)...Self.month(2026, 13), "compare")] {
            let error = await Self.refusal { _ = try await f.engine.revenueExplanation(base: base, compare: compare, currency: .cny, as: f.admin) }
            #expect(error?.code == .invalid && error?.field == field, "\(base) \(compare): \(String(describing: error))")
        }
        _ = try await f.engine.revenueExplanation(base: Self.month(1900, 1)...Self.month(1900, 12), compare: year, currency: .cny, as: f.admin)
    }

    @Test func theOverdueReportCoversAtMost1200MonthsAndTheOthersAnyRangeOfTheBound() async throws {
        let f = try await EngineFixture.make("report-overdue-cap")
        #expect(CRMEngine.ReportName.overdue.monthLimit == 1200)
        #expect(CRMEngine.ReportName.allCases.filter { $0.monthLimit != nil } == [.overdue])
        // 1,200 months (1900-01…1999-12) are a report; 1,201 and the whole bound are invalid naming `through`, at once.
        _ = try await f.engine.report(.overdue, .init(from: Self.month(1900, 1), through: Self.month(1999, 12)), as: f.admin)
        for through in [Self.month(2000, 1), Self.month(9999, 12)] {
            let error = await Self.refusal { _ = try await f.engine.overdueReport(.init(from: Self.month(1900, 1), through: through), as: f.admin) }
            #expect(error?.code == .invalid && error?.field == "through", "\(through): \(String(describing: error))")
        }
        let error = await Self.refusal { _ = try await f.engine.report(.overdue, .init(from: Self.month(2000, 1), through: Self.month(2100, 1)), as: f.admin) }
        #expect(error?.code == .invalid && error?.field == "through", "\(String(describing: error))")
        // The reports whose work grows with their data only take the whole bound.
        for name in CRMEngine.ReportName.allCases where name != .overdue {
            _ = try await f.engine.report(name, .init(from: Self.month(1900, 1), through: Self.month(9999, 12)), as: f.admin)
        }
    }
}
