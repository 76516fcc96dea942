import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import Foundation
import Hummingbird

/// The supervisor's page: KPI ranking (R-ANA-1), loyalty segments by RFM (R-ANA-3) and overdue tickets by
/// the department that is late (R-TSK-3), each with a server-made SVG chart. Every figure comes from the
/// engine's queries as the signed-in principal: a person sees only what their reach allows (their own KPI,
/// their reports', or everyone's).
extension Console {
    func supervisor(_ visit: Visit) async throws -> Response {
        let principal = visit.principal
        let instant = now
        // This month and today in the signed-in employee's branch calendar, like the home's "today".
        let today = await calendar(of: principal).localDate(of: instant)
        let thisMonth = today.monthText
        var month = thisMonth
        if let asked = visit.query["month"], !asked.isEmpty {
            guard asked.count == 7, RevenueMonth(text: asked) != nil else {
                throw ConsoleError.badRequest("The month must be written YYYY-MM, such as \(thisMonth).")
            }
            month = asked
        }
        let names = await employeeNames(principal)

        // KPI: the overall ranking (the group "" holds everyone the principal may see).
        let kpi = try? await engine.kpiAssessments(month: month, as: principal)
        let places = kpi?.ranking.first { $0.group == "" }?.places ?? kpi?.ranking.first?.places ?? []
        let ranking: [[String: Any]] = places.map { place in
            ["rank": "\(place.rank)", "employee": names[place.employee] ?? place.employee, "total": Format.decimal(place.total)]
        }
        let kpiChart = Chart.bars(places.prefix(10).map { place in
            Chart.Bar(label: names[place.employee] ?? place.employee, value: NSDecimalNumber(decimal: place.total).doubleValue,
                      display: Format.decimal(place.total))
        }, title: "KPI score by employee")

        // Loyalty segments: customers per RFM segment, each customer scored as of its own branch's today.
        var segments: [(String, Int)] = []
        if let currency = Currency(rawValue: "CNY"), let scores = try? await engine.rfm(currency: currency, as: principal) {
            var counts: [String: Int] = [:]
            for score in scores { counts[score.segment, default: 0] += 1 }
            segments = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        }
        let segmentChart = Chart.bars(segments.map { Chart.Bar(label: $0.0, value: Double($0.1), display: "\($0.1)") },
                                      title: "Customers per loyalty segment", color: "#2e8b57")

        // Overdue tickets by the department that is late, and overdue tasks by branch.
        var late: [String: Int] = [:]
        if let page = try? await engine.overdueTickets(as: principal, limit: 1000, consistentWith: visit.session.position) {
            for item in page.items { late[item.lateDepartment, default: 0] += 1 }
        }
        let departments = late.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        let overdueChart = Chart.bars(departments.map { Chart.Bar(label: $0.key, value: Double($0.value), display: "\($0.value)") },
                                      title: "Overdue tickets per department", color: "#b00020")

        return await page(visit, title: "Supervisor", template: "supervisor", [
            "month": month, "ranking": ranking, "hasRanking": !ranking.isEmpty, "kpiChart": kpiChart,
            "segments": segments.map { ["name": $0.0, "count": "\($0.1)"] as [String: Any] }, "segmentChart": segmentChart,
            "departments": departments.map { ["name": $0.key, "count": "\($0.value)"] as [String: Any] }, "overdueChart": overdueChart,
        ])
    }
}
