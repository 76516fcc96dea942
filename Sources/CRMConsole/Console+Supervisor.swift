import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import Foundation
import Hummingbird

/// The supervisor's page: KPI ranking (R-ANA-1), loyalty segments by RFM (R-ANA-3) and late tickets by
/// the department that is late (R-TSK-3, R-TSK-6), each with a server-made SVG chart. Every figure comes from the
/// engine's queries as the signed-in principal: a person sees only what their reach allows (their own KPI,
/// their reports', or everyone's).
///
/// Every card follows the chosen month: the KPI ranking is the month's; for a past month the segments are
/// scored as of its last day and the late tickets are the month's overdue report (deadline in the month,
/// late); for the current month (or one ahead) both are as of now — each customer's own today, the open
/// tickets past their deadline. Each card says which. The segments are scored in `currency` (the reports'
/// parser, ``Currency/init(reportCode:)``), by default the settings' pay-scheme currency, else CNY; the card
/// names it. A card whose query fails says so with the engine's message (which never holds personal data)
/// instead of looking empty.
extension Console {
    func supervisor(_ visit: Visit) async throws -> Response {
        let principal = visit.principal
        // This month and today in the signed-in employee's branch calendar, like the home's "today".
        let today = await calendar(of: principal).localDate(of: now)
        let thisMonth = today.monthText
        var month = thisMonth
        if let asked = visit.query["month"], !asked.isEmpty {
            guard asked.count == 7, RevenueMonth(text: asked) != nil else {
                throw ConsoleError.badRequest("The month must be written YYYY-MM, such as \(thisMonth).")
            }
            month = asked
        }
        guard let chosen = RevenueMonth(text: month), let first = LocalDate(year: chosen.year, month: chosen.month, day: 1) else {
            throw ConsoleError.badRequest("The month must be written YYYY-MM, such as \(thisMonth).")
        }
        // The loyalty segments' currency: `currency` (an ISO 4217 code, read by the reports' parser), else the
        // settings' pay-scheme currency, else CNY.
        var currency = await defaultAnalysisCurrency()
        if let asked = visit.query["currency"], !asked.isEmpty {
            guard let code = Currency(reportCode: asked) else {
                throw ConsoleError.badRequest("The currency must be an ISO 4217 code in capitals, such as CNY.")
            }
            currency = code
        }
        // A past month is read as of its end; this month (or one ahead) as of now.
        let past = RevenueMonth(text: thisMonth).map { chosen < $0 } ?? false
        let names = await employeeNames(principal)

        // KPI: the overall ranking (the group "" holds everyone the principal may see).
        var places: [KPI.Place] = []
        var kpiProblem: String?
        do {
            let kpi = try await engine.kpiAssessments(month: month, as: principal)
            places = kpi.ranking.first { $0.group == "" }?.places ?? kpi.ranking.first?.places ?? []
        } catch {
            kpiProblem = cardProblem(error, card: "kpi", visit)
        }
        let ranking: [[String: Any]] = places.map { place in
            ["rank": "\(place.rank)", "employee": names[place.employee] ?? place.employee, "total": Format.decimal(place.total)]
        }
        let kpiChart = Chart.bars(places.prefix(10).map { place in
            Chart.Bar(label: names[place.employee] ?? place.employee, value: NSDecimalNumber(decimal: place.total).doubleValue,
                      display: Format.decimal(place.total))
        }, title: "KPI score by employee")

        // Loyalty segments: customers per RFM segment, as of the past month's last day, else each customer as
        // of its own branch's today.
        var segments: [(String, Int)] = []
        var segmentProblem: String?
        do {
            let scores = try await engine.rfm(asOf: past ? first.lastOfMonth : nil, currency: currency, as: principal)
            var counts: [String: Int] = [:]
            for score in scores { counts[score.segment, default: 0] += 1 }
            segments = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        } catch {
            segmentProblem = cardProblem(error, card: "rfm", visit)
        }
        let segmentChart = Chart.bars(segments.map { Chart.Bar(label: $0.0, value: Double($0.1), display: "\($0.1)") },
                                      title: "Customers per loyalty segment", color: "#2e8b57")

        // Late tickets by the department that is late: a past month's overdue report, else the open tickets
        // past their deadline now.
        var late: [String: Int] = [:]
        var overdueProblem: String?
        do {
            if past {
                let report = try await engine.monthlyOverdueReport(year: chosen.year, month: chosen.month, as: principal,
                                                                   consistentWith: visit.session.position)
                for department in report.departments { late[department.department, default: 0] += department.count }
            } else {
                let page = try await engine.overdueTickets(as: principal, limit: 1000, consistentWith: visit.session.position)
                for item in page.items { late[item.lateDepartment, default: 0] += 1 }
            }
        } catch {
            overdueProblem = cardProblem(error, card: "overdue", visit)
        }
        let departments = late.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let overdueChart = Chart.bars(departments.map { Chart.Bar(label: $0.key, value: Double($0.value), display: "\($0.value)") },
                                      title: "Overdue tickets per department", color: "#b00020")

        let segmentsAsOf = past ? "as of \(first.lastOfMonth), in \(currency)" : "as of today, in \(currency)"
        let overdueWhat = past ? "tickets whose resolution deadline fell in \(month) and were late" : "open tickets past their deadline now"
        return await page(visit, title: "Supervisor", template: "supervisor", [
            "month": month, "ranking": ranking, "hasRanking": !ranking.isEmpty, "kpiChart": kpiChart,
            "kpiProblem": orFalse(kpiProblem), "kpiEmpty": kpiProblem == nil && ranking.isEmpty,
            "segments": segments.map { ["name": $0.0, "count": "\($0.1)"] as [String: Any] },
            "segmentChart": segmentChart, "segmentProblem": orFalse(segmentProblem),
            "segmentsEmpty": segmentProblem == nil && segments.isEmpty, "segmentsAsOf": segmentsAsOf,
            "departments": departments.map { ["name": $0.key, "count": "\($0.value)"] as [String: Any] },
            "overdueChart": overdueChart, "overdueProblem": orFalse(overdueProblem),
            "departmentsEmpty": overdueProblem == nil && departments.isEmpty, "overdueWhat": overdueWhat,
        ])
    }

    /// The currency the supervisor's loyalty segments are scored in when the page names none and the
    /// settings hold no pay scheme (other currencies converted at the settings' rates; a month without a rate
    /// makes the card say so).
    static let analysisCurrency: Currency = .cny

    /// The loyalty segments' currency when the page names none: the settings' pay-scheme currency, else
    /// ``analysisCurrency``. Read as the engine, as the branch calendar is: only the currency code is used
    /// (a supervisor need not be allowed to read the settings).
    func defaultAnalysisCurrency() async -> Currency {
        let settings = try? await engine.state(Settings.self, id: UUID(), as: .system)
        return settings?.state.payScheme?.currency ?? Self.analysisCurrency
    }

    /// What a supervisor card shows when its query failed: the engine's message (its text never holds
    /// payload or personal data), "you may not see" when refused, else only that it failed (logged by type).
    func cardProblem(_ error: any Error, card: String, _ visit: Visit) -> String {
        if let error = error as? EngineError {
            if error.code == .forbidden || error.code == .notFound { return "You may not see these figures." }
            return "Could not be computed: " + (error.domain?.detail ?? error.message)
        }
        configuration.logger.error("console card failed", metadata: [
            "crm.error": "\(type(of: error))", "crm.card": "\(card)", "crm.path": "\(visit.request.uri.path)",
        ])
        return "Could not be computed."
    }
}
