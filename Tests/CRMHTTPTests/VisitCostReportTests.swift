import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// `GET /v1/reports/tables/visit-costs` (R-SRV-4) over real HTTP: visit costs summed by place, month,
/// customer or visit per kind and currency, as JSON or CSV; an employee scoped to branch A sees none of
/// branch B's costs; an unknown grouping is a 400 naming `by`.
@Suite struct VisitCostReportTests {
    /// Two customers (A, B), three visits with costs: A at "Head Office" (transport 100, lodging 300 CNY),
    /// A at " head office " (transport 40 CNY), B at "HEAD OFFICE" (transport 500 CNY); all in March 2026.
    func seed(_ s: LiveServer) async throws -> (a: String, b: String, visits: [String]) {
        let a = try await s.created("/v1/customers", #"{"kind": "organisation", "name": "Visited A", "group": "key-account", "branch": "A"}"#).lowercased()
        let b = try await s.created("/v1/customers", #"{"kind": "organisation", "name": "Visited B", "group": "key-account", "branch": "B"}"#).lowercased()
        var visits: [String] = []
        for (customer, day, place, costs) in [
            (a, "2026-03-10", "Head Office", [("transport", 100), ("lodging", 300)]), (a, "2026-03-11", " head office ", [("transport", 40)]),
            (b, "2026-03-12", "HEAD OFFICE", [("transport", 500)]),
        ] {
            let visit = try await s.created("/v1/visits", #"{"customerId": "\#(customer)", "visitor": "\#(s.admin.id)", "scheduledAt": "\#(day)T09:00:00Z", "agenda": "Review", "place": "\#(place)"}"#)
            for (kind, amount) in costs {
                try await s.expect(.POST, "/v1/visits/\(visit)/costs", #"{"kind": "\#(kind)", "amount": {"amount": \#(amount), "currency": "CNY"}}"#)
            }
            visits.append(visit.lowercased())
        }
        try await s.engine.views.waitUntil(try await s.engine.store.headPosition())
        return (a, b, visits)
    }

    func rows(_ answer: LiveServer.Answer) -> [[String]] { (answer.json["rows"] as? [[String]]) ?? [] }

    @Test func costsSumByPlaceAndCustomerAsJSONAndCSV() async throws {
        try await LiveServer.with("visit-cost-report") { s in
            let (a, b, visits) = try await seed(s)
            let byPlace = try await s.expect(.GET, "/v1/reports/tables/visit-costs?by=place&from=2026-03&through=2026-04")
            #expect(text(byPlace.json["name"]) == "visit-costs")
            #expect(byPlace.json["header"] as? [String] == ["key", "customer", "day", "place", "kind", "currency", "amount", "visits"])
            // One place spelt three ways, one visit each: shown as the first spelling in code-point order.
            #expect(rows(byPlace) == [["head office", "", "", "HEAD OFFICE", "transport", "CNY", "640", "3"],
                                      ["head office", "", "", "HEAD OFFICE", "lodging", "CNY", "300", "1"]], "\(byPlace.text)")

            let byCustomer = try await s.expect(.GET, "/v1/reports/tables/visit-costs?by=customer&from=2026-03")
            let ofA = ["\(a) transport 140", "\(a) lodging 300"], ofB = ["\(b) transport 500"]
            #expect(rows(byCustomer).map { $0[0] + " " + $0[4] + " " + $0[6] } == (a < b ? ofA + ofB : ofB + ofA), "\(byCustomer.text)")

            let byMonth = try await s.expect(.GET, "/v1/reports/tables/visit-costs?by=month&from=2026-03&format=csv")
            #expect(byMonth.header("Content-Type")?.hasPrefix("text/csv") == true)
            #expect(byMonth.text == "key,customer,day,place,kind,currency,amount,visits\r\n2026-03,,,,transport,CNY,640,3\r\n2026-03,,,,lodging,CNY,300,1\r\n")

            let byVisit = try await s.expect(.GET, "/v1/reports/tables/visit-costs?from=2026-03")
            #expect(rows(byVisit).filter { $0[0] == visits[0] }.map { $0.dropFirst().joined(separator: " ") }
                == ["\(a) 2026-03-10 Head Office transport CNY 100 1", "\(a) 2026-03-10 Head Office lodging CNY 300 1"], "by visit is the default")
        }
    }

    @Test func anEmployeeOfBranchASeesNoneOfBranchBsVisitCosts() async throws {
        try await LiveServer.with("visit-cost-report-scope") { s in
            let (_, b, _) = try await seed(s)
            let (_, token) = try await s.hire("Branch A manager", branch: "A", permissions: [
                Permission(module: .analysis, actions: [.analyse], scope: .branch("A")),
            ])
            let byPlace = try await s.send(.GET, "/v1/reports/tables/visit-costs?by=place&from=2026-03", token: token)
            #expect(byPlace.status == 200 && rows(byPlace).map { $0[4] + " " + $0[6] } == ["transport 140", "lodging 300"], "\(byPlace.text)")
            let byCustomer = try await s.send(.GET, "/v1/reports/tables/visit-costs?by=customer&from=2026-03&format=csv", token: token)
            #expect(byCustomer.status == 200 && !byCustomer.text.contains(b) && !byCustomer.text.contains("500"), "\(byCustomer.text)")
        }
    }

    @Test func anUnknownGroupingIsA400NamingBy() async throws {
        try await LiveServer.with("visit-cost-report-bad") { s in
            let answer = try await s.send(.GET, "/v1/reports/tables/visit-costs?by=industry&from=2026-03")
            #expect(answer.status == 400 && text(answer.json["field"]) == "by", "\(answer.status) \(answer.text.prefix(300))")
            #expect(answer.text.contains("visit, customer, month, place"))
        }
    }
}
