import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// Waits until `check` holds (the reactor and the views follow the log asynchronously); fails the test
/// after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(20), _ check: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await check() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)")
}

/// The resources beyond customers, tasks and tickets over real HTTP: the quote approval flow through the
/// approval inbox, each resource's main commands and queries, and their scope.
@Suite(.serialized) struct ResourceTests {
    static let everything = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .all) }

    /// A quote above its author's discount limit waits for approval; the reactor starts the quote workflow,
    /// the approver finds it in their approval inbox, approves it over HTTP, and the quote is approved.
    @Test func aQuoteAboveTheDiscountLimitIsApprovedThroughTheApprovalInbox() async throws {
        try await LiveServer.with("quote-approval") { s in
            let (_, dora) = try await s.hire("Dora", branch: "head-office", permissions: Self.everything)
            for (role, limit) in [("Administrator", 5), ("role of Dora", 30)] {
                let set = try await s.send(.POST, "/v1/settings/discount-limits", json: #"{"role": "\#(role)", "maxPercent": \#(limit)}"#)
                #expect(set.status == 200, "\(set.text)")
            }
            // The quote approval every store starts with (bootstrap's default definition) is decided by whoever's
            // discount limit covers the quote: here Dora's 30 %, not the administrator's 5 %.
            let definition = WorkflowDefinition.defaultID(for: .quote).uuidString.lowercased()
            #expect(try await s.send(.GET, "/v1/workflow-definitions/\(definition)").status == 200)
            // Quote lines are priced from the catalog: the product is there.
            _ = try await s.created("/v1/products", #"{"id": "0190a1b2-0000-7000-8000-0000000000aa", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": 100, "currency": "CNY"}}"#)
            let customer = try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#)
            let customerID = try #require(text(customer.json["id"]))
            let quote = try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customerID)", "customerCode": "ACME", "sequence": 1, "authorRole": "Administrator",
                 "draft": {"lines": [{"productID": "0190a1b2-0000-7000-8000-0000000000aa", "productName": "Meter", "quantity": 10,
                                      "unitPrice": {"amount": 100, "currency": "CNY"}, "discountPercent": 0}], "discountPercent": 20}}
                """)
            #expect(quote.status == 201, "\(quote.text)")
            let quoteID = try #require(text(quote.json["id"]))
            let pending = try await s.send(.GET, "/v1/quotes/\(quoteID)")
            #expect(pending.status == 200 && pending.header("ETag") == "\"1\"", "\(pending.text)")
            #expect(text(pending.json["status"]) == "pendingApproval")

            var instanceID: String?
            try await eventually("the quote in Dora's approval inbox") {
                let inbox = try await s.send(.GET, "/v1/approvals", token: dora)
                let item = (inbox.json["pending"] as? [[String: Any]])?.first
                instanceID = text((item?["instance"] as? [String: Any])?["instanceID"])
                return instanceID != nil
            }
            let instance = try #require(instanceID)
            // The administrator's limit does not cover the quote: nothing waits for them.
            let adminInbox = try await s.send(.GET, "/v1/approvals")
            #expect((adminInbox.json["pending"] as? [Any])?.isEmpty == true, "\(adminInbox.text)")
            let approved = try await s.send(.POST, "/v1/approvals/\(instance)/approve", token: dora, json: #"{"comment": "fine"}"#)
            #expect(approved.status == 200, "\(approved.text)")
            try await eventually("the quote approved") {
                text(try await s.send(.GET, "/v1/quotes/\(quoteID)").json["status"]) == "approved"
            }
            let listed = try await s.send(.GET, "/v1/quotes?customerId=\(customerID)&consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect(listed.status == 200 && (listed.json["items"] as? [Any])?.count == 1, "\(listed.text)")
            let sent = try await s.send(.POST, "/v1/quotes/\(quoteID)/send")
            #expect(sent.status == 200, "\(sent.text)")
        }
    }

    /// A submitted contract and a campaign's feasibility study wait in the approval inbox of whoever may
    /// approve them (the default definitions' symbolic roles), are approved over HTTP, and the subjects follow.
    @Test func contractAndCampaignApprovalsGoThroughTheApprovalInbox() async throws {
        try await LiveServer.with("contract-campaign-approval") { s in
            let (_, carol) = try await s.hire("Carol", branch: "head-office", permissions: Self.everything)
            let customer = try #require(text(try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Acme Water", "group": "business", "branch": "head-office"}"#).json["id"]))
            _ = try await s.created("/v1/products", #"{"id": "0190a1b2-0000-7000-8000-0000000000bb", "productLine": "water", "name": "Pump", "standardPrice": {"amount": 500, "currency": "CNY"}}"#)
            let quote = try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "customerCode": "ACMEW", "sequence": 1, "authorRole": "Administrator",
                 "draft": {"lines": [{"productID": "0190a1b2-0000-7000-8000-0000000000bb", "productName": "Pump", "quantity": 2,
                                      "unitPrice": {"amount": 500, "currency": "CNY"}, "discountPercent": 0}], "discountPercent": 0}}
                """)
            #expect(quote.status == 201, "\(quote.text)")
            let quoteID = try #require(text(quote.json["id"]))
            #expect(try await s.send(.POST, "/v1/quotes/\(quoteID)/accept").status == 200)
            let contract = try await s.send(.POST, "/v1/contracts", json: """
                {"customerId": "\(customer)", "owner": "\(s.admin.id)", "branch": "head-office", "title": "Pump supply", "quoteId": "\(quoteID)",
                 "lines": [{"productID": "0190a1b2-0000-7000-8000-0000000000bb", "name": "Pump", "quantity": 2, "unitPrice": {"amount": 500, "currency": "CNY"}}],
                 "terms": {"effective": "2026-02-01", "serviceStart": "2026-02-01", "expiry": "2027-01-31", "renewalTermMonths": 12}}
                """)
            #expect(contract.status == 201, "\(contract.text)")
            let contractID = try #require(text(contract.json["id"]))
            #expect(try await s.send(.POST, "/v1/contracts/\(contractID)/submit").status == 200)

            let campaign = try await s.send(.POST, "/v1/campaigns", json: #"{"name": "Pump week", "objective": "Sell pumps", "owner": "\#(s.admin.id)", "budget": {"amount": 3000, "currency": "CNY"}, "start": "2026-03-01", "end": "2026-03-31"}"#)
            #expect(campaign.status == 201, "\(campaign.text)")
            let campaignID = try #require(text(campaign.json["id"]))
            #expect(try await s.send(.POST, "/v1/campaigns/\(campaignID)/feasibility", json: #"{"study": "Demand is there"}"#).status == 200)

            // Both reach Carol's inbox (she may approve contracts and campaigns); she approves both.
            var waiting: [String: String] = [:]
            try await eventually("the contract and the campaign in Carol's approval inbox") {
                let inbox = try await s.send(.GET, "/v1/approvals", token: carol)
                for item in (inbox.json["pending"] as? [[String: Any]]) ?? [] {
                    let instance = item["instance"] as? [String: Any]
                    if let subject = text(instance?["subjectID"]), let id = text(instance?["instanceID"]) { waiting[subject.lowercased()] = id }
                }
                return waiting[contractID.lowercased()] != nil && waiting[campaignID.lowercased()] != nil
            }
            for subject in [contractID, campaignID] {
                let instance = try #require(waiting[subject.lowercased()])
                let approved = try await s.send(.POST, "/v1/approvals/\(instance)/approve", token: carol, json: #"{"comment": "go"}"#)
                #expect(approved.status == 200, "\(approved.text)")
            }
            try await eventually("the contract approved") {
                text(try await s.send(.GET, "/v1/contracts/\(contractID)").json["status"]) == "approved"
            }
            try await eventually("the campaign approved") {
                text(try await s.send(.GET, "/v1/campaigns/\(campaignID)").json["status"]) == "approved"
            }
            #expect(try await s.send(.POST, "/v1/contracts/\(contractID)/activate").status == 200)
            #expect(try await s.send(.POST, "/v1/campaigns/\(campaignID)/start").status == 200)
        }
    }

    /// `/metrics` needs a token and reports request counts per route and status that move, command
    /// latencies, the log head and every projection's lag.
    @Test func metricsCountRequestsAndReportProjectionLag() async throws {
        try await LiveServer.with("metrics") { s in
            #expect(try await s.send(.GET, "/metrics", authenticated: false).status == 401)
            func healthCount() async throws -> Double {
                let scrape = try await s.send(.GET, "/metrics")
                #expect(scrape.status == 200)
                #expect(scrape.header("Content-Type")?.hasPrefix("text/plain") == true)
                let line = scrape.text.split(separator: "\n").first {
                    $0.hasPrefix("crm_http_requests_total{") && $0.contains(#"route="/health""#) && $0.contains(#"status="200""#)
                }
                return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
            }
            let before = try await healthCount()
            for _ in 0..<3 { #expect(try await s.send(.GET, "/health", authenticated: false).status == 200) }
            #expect(try await healthCount() == before + 3)
            _ = try await s.send(.POST, "/v1/contacts", json: #"{"customerId": "0190a1b2-0000-7000-8000-000000000001", "name": "Nobody"}"#)
            let scrape = try await s.send(.GET, "/metrics").text
            #expect(scrape.contains("crm_http_request_duration_seconds_bucket{"))
            #expect(scrape.contains(#"route="/v1/contacts""#))
            #expect(scrape.contains("crm_log_head_position "))
            #expect(scrape.contains(#"crm_projection_lag_events{projection="customer-360"}"#))
            _ = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "M", "group": "g"}"#)
            #expect(try await s.send(.GET, "/metrics").text.contains(#"crm_command_duration_seconds_count{record="customer"}"#))
        }
    }

    /// Each resource's main commands and queries answer as documented: creates 201 with Location and ETag,
    /// commands 200 (412 on a stale If-Match), records with their version as ETag, lists and reports.
    @Test func everyResourceAnswersItsMainCommandsAndQueries() async throws {
        try await LiveServer.with("resources") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Wang Fang", "group": "residential", "branch": "A"}"#)
            let contact = try await s.created("/v1/contacts", #"{"customerId": "\#(customer)", "name": "Wang Lei", "role": "primary", "email": "lei@example.com"}"#)
            #expect(try await s.expect(.GET, "/v1/contacts/\(contact)").header("ETag") == "\"1\"")
            try await s.expect(.PATCH, "/v1/contacts/\(contact)", #"{"title": "Engineer"}"#, headers: [("If-Match", "\"1\"")])
            try await s.expect(.PATCH, "/v1/contacts/\(contact)", #"{"title": null}"#, status: 412, headers: [("If-Match", "\"1\"")])
            try await s.expect(.POST, "/v1/contacts/\(contact)/archive", #"{"reason": "left"}"#)
            try await s.expect(.POST, "/v1/contacts/\(contact)/restore")
            let head = try await s.engine.store.headPosition().rawValue
            #expect((try await s.expect(.GET, "/v1/contacts?customerId=\(customer)&consistentWith=\(head)").json["items"] as? [Any])?.count == 1)

            let entry = try await s.created("/v1/contact-log", #"{"customerId": "\#(customer)", "channel": "phone", "subject": "Meter reading", "occurredAt": "2025-12-31T10:00:00Z", "durationSeconds": 120}"#)
            let visit = try await s.created("/v1/visits", #"{"customerId": "\#(customer)", "visitor": "\#(s.admin.id)", "scheduledAt": "2026-01-05T09:00:00Z", "agenda": "Safety check", "place": "Home"}"#)
            s.clock.advance(by: 5 * 86_400)  // a visit done is recorded once its day has come
            try await s.expect(.POST, "/v1/visits/\(visit)/costs", #"{"kind": "transport", "amount": {"amount": 12.5, "currency": "CNY"}}"#)
            try await s.expect(.POST, "/v1/visits/\(visit)/actual", #"{"date": "2026-01-05", "place": "Home", "summary": "All fine"}"#)
            let activity = try await s.expect(.GET, "/v1/activity?customerId=\(customer)&consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect((activity.json["items"] as? [Any])?.count == 2, "\(activity.text)")
            try await s.expect(.POST, "/v1/contact-log/\(entry)/retract", #"{"reason": "wrong customer"}"#)

            let opportunity = try await s.created("/v1/opportunities", #"{"customerId": "\#(customer)", "title": "New boiler", "source": "visit", "expectedRevenue": {"amount": 5000, "currency": "CNY"}, "closeDate": "2026-03-31", "owner": "\#(s.admin.id)"}"#)
            try await s.expect(.POST, "/v1/opportunities/\(opportunity)/stage", #"{"stage": "opportunityConfirmed"}"#)
            let pipeline = try await s.expect(.GET, "/v1/opportunities?consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect((pipeline.json["items"] as? [Any])?.count == 1, "\(pipeline.text)")
            try await s.expect(.GET, "/v1/opportunities/totals")
            try await s.expect(.POST, "/v1/opportunities/\(opportunity)/win", #"{"reason": "signed"}"#)

            let product = try await s.created("/v1/products", #"{"productLine": "gas", "name": "Smart meter", "standardPrice": {"amount": 300, "currency": "CNY"}}"#)
            try await s.expect(.POST, "/v1/products/\(product)/milestones", #"{"name": "launch", "plannedDate": "2026-02-01"}"#)
            #expect(text(try await s.expect(.GET, "/v1/products/\(product)").json["name"]) == "Smart meter")
            let ledger = try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "monthly fee", "businessLine": "gas", "date": "2025-12-15", "amount": {"amount": 88, "currency": "CNY"}}"#, status: 201)
            let ledgerID = try #require(text(ledger.json["id"]))
            try await s.expect(.GET, "/v1/revenue/ledgers/\(ledgerID)")
            let revenue = try await s.expect(.GET, "/v1/revenue?by=month&from=2025-01&through=2026-12&consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect((revenue.json["items"] as? [Any])?.count == 1, "\(revenue.text)")

            let campaign = try await s.created("/v1/campaigns", #"{"name": "Winter safety", "objective": "Fewer leaks", "owner": "\#(s.admin.id)", "budget": {"amount": 10000, "currency": "CNY"}, "start": "2026-01-10", "end": "2026-02-28"}"#)
            try await s.expect(.POST, "/v1/campaigns/\(campaign)/plan", #"{"name": "Winter safety 2026", "objective": "Fewer leaks", "budget": {"amount": 12000, "currency": "CNY"}, "start": "2026-01-10", "end": "2026-02-28"}"#)

            let employee = try await s.created("/v1/employees", #"{"name": "Zhao Min", "position": "engineer", "branch": "A", "hiredOn": "2025-06-01"}"#)
            try await s.expect(.PATCH, "/v1/employees/\(employee)", #"{"position": "senior engineer"}"#)
            #expect(text(try await s.expect(.GET, "/v1/employees/\(employee)").json["position"]) == "senior engineer")
            #expect((try await s.expect(.GET, "/v1/employees?limit=1").json["next"]) != nil)
            let role = try await s.created("/v1/roles", #"{"name": "Field engineer", "permissions": [{"module": "visits", "actions": ["query", "create"], "scope": {"kind": "branch", "value": "A"}, "validity": {}}]}"#)
            try await s.expect(.POST, "/v1/roles/\(role)/grants", #"{"employeeId": "\#(employee)"}"#)
            #expect((try await s.expect(.GET, "/v1/roles").json["items"] as? [Any])?.count == 2)

            try await s.expect(.POST, "/v1/settings/time-zones", #"{"branch": "A", "timeZone": "Asia/Shanghai"}"#)
            let settings = try await s.expect(.GET, "/v1/settings")
            #expect(settings.header("ETag") != nil)
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "residential", "fields": []}"#, status: 201)
            try await s.expect(.POST, "/v1/forms/residential/fields/retire", #"{"name": "nothing"}"#, status: 404)
            try await s.expect(.GET, "/v1/forms/residential")

            try await s.expect(.GET, "/v1/reports/kpi?month=2025-12")
            try await s.expect(.GET, "/v1/reports/rfm?asOf=2026-01-01&currency=CNY")
            try await s.expect(.GET, "/v1/reports/churn?on=2026-01-01")
            try await s.expect(.GET, "/v1/reports/overdue-tickets?month=2025-12")
        }
    }

    /// The staff and customer-care resources answer their main commands and queries over HTTP: units,
    /// announcements (publish, inbox, read), the board with its sensitive words, feedback forms, a diary,
    /// loyalty points, pairings with feedback, a new connection, survey templates and surveys.
    @Test func staffAndCustomerCareResourcesAnswerOverHTTP() async throws {
        try await LiveServer.with("staff-resources") { s in
            func head() async throws -> UInt64 { try await s.engine.store.headPosition().rawValue }
            let me = s.admin.id

            let department = try await s.created("/v1/units", #"{"kind": "department", "name": "Service"}"#)
            let team = try await s.created("/v1/units", #"{"kind": "team", "name": "North", "parentId": "\#(department)"}"#)
            try await s.expect(.POST, "/v1/units/\(team)/rename", #"{"name": "North team"}"#)
            try await s.expect(.POST, "/v1/units", #"{"kind": "galaxy", "name": "X"}"#, status: 400)
            #expect((try await s.expect(.GET, "/v1/units").json["items"] as? [Any])?.count == 2)
            try await s.expect(.POST, "/v1/units/\(department)/dissolve", status: 422)

            let notice = try await s.created("/v1/announcements", #"{"title": "Gas safety week", "body": "Check every meter.", "targets": {"employees": ["\#(me)"]}}"#)
            let inbox = try await s.expect(.GET, "/v1/announcements?consistentWith=\(try await head())")
            #expect((inbox.json["items"] as? [Any])?.count == 1, "\(inbox.text.prefix(300))")
            try await s.expect(.POST, "/v1/announcements/\(notice)/read")
            try await s.expect(.POST, "/v1/announcements/\(notice)/withdraw", #"{"reason": "over"}"#)

            try await s.expect(.POST, "/v1/settings/sensitive-words", #"{"word": "scam", "action": "block"}"#)
            #expect(try await s.expect(.GET, "/v1/settings/sensitive-words").text.contains("scam"))
            let thread = try await s.created("/v1/board/threads", #"{"title": "Winter shifts", "body": "Who covers Sunday?"}"#)
            try await s.expect(.POST, "/v1/board/threads/\(thread)/replies", #"{"body": "This is a scam"}"#, status: 422)
            try await s.expect(.POST, "/v1/board/threads/\(thread)/replies", #"{"body": "I do"}"#)
            try await s.expect(.POST, "/v1/board/threads/\(thread)/lock", #"{"reason": "settled"}"#)
            #expect(try await s.expect(.GET, "/v1/board/threads/\(thread)").text.contains("I do"))

            // The reviewer is another employee: a form naming its submitter as reviewer is refused.
            let (reviewer, _) = try await s.hire("Reviewer", branch: "A", permissions: ScopeOverHTTPTests.rights("A"))
            let form = try await s.created("/v1/feedback-forms", #"{"template": {"name": "Weekly report", "department": "Service", "fields": [{"name": "visits", "type": "number", "options": [], "required": true}]}, "reporter": "\#(me)", "reviewer": "\#(reviewer.id)", "branch": "A", "values": [{"field": "visits", "value": {"kind": "number", "value": 12}}]}"#)
            try await s.expect(.GET, "/v1/feedback-forms/\(form)")

            try await s.expect(.POST, "/v1/diaries/\(me)/items", #"{"id": "0196a000-0000-7000-8000-0000000d1a01", "date": "2026-03-02", "time": "09:30", "note": "Call the depot"}"#)
            try await s.expect(.POST, "/v1/diaries/\(me)/subscriptions", #"{"kind": "birthday", "leadDays": 2}"#)
            #expect(try await s.expect(.GET, "/v1/diaries/\(me)").text.contains("Call the depot"))

            // A money custom field over HTTP (the form's field of type money).
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "residential", "fields": [{"name": "deposit", "label": "Deposit", "type": "money", "required": false, "options": []}]}"#, status: 201)
            try await s.expect(.POST, "/v1/customers", #"{"kind": "person", "name": "Bad Deposit", "group": "residential", "branch": "A", "customFields": {"deposit": {"kind": "money", "value": {"amount": "x", "currency": "CNY"}}}}"#, status: 400)
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "A", "customFields": {"deposit": {"kind": "money", "value": {"amount": 250.5, "currency": "CNY"}}}}"#)
            let profile = try await s.expect(.GET, "/v1/customers/\(customer)?consistentWith=\(try await head())")
            #expect(profile.text.contains("deposit") && profile.text.contains("250.5"), "\(profile.text.prefix(400))")
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 100, "reason": "goodwill", "earnedOn": "2026-01-01"}"#)
            // A second accrual by hand without a reference is a new one, not a repeat of the first.
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 5, "reason": "more goodwill", "earnedOn": "2026-01-01"}"#)
            // With a reference, the same reference again records nothing.
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 7, "reason": "receipt", "reference": "R-1", "earnedOn": "2026-01-01"}"#)
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 7, "reason": "receipt", "reference": "R-1", "earnedOn": "2026-01-01"}"#)
            try await s.expect(.POST, "/v1/loyalty/\(customer)/redeem", #"{"points": 30, "reason": "gift", "on": "2026-01-01"}"#)
            try await s.expect(.POST, "/v1/loyalty/\(customer)/redeem", #"{"points": 1000, "reason": "too many", "on": "2026-01-01"}"#, status: 422)
            let points = try await s.expect(.GET, "/v1/loyalty/\(customer)?consistentWith=\(try await head())")
            #expect(points.text.contains("\"usable\":82"), "\(points.text.prefix(300))")

            let (agent, _) = try await s.hire("Agent", branch: "A", permissions: Self.everything)
            let pairing = try await s.created("/v1/pairings", #"{"customerId": "\#(customer)", "agent": "\#(agent.id)", "manager": "\#(me)"}"#)
            // Feedback is the caller's own: the manager (the caller) rates the agent; `giver` may be left out.
            try await s.expect(.POST, "/v1/pairings/\(pairing)/feedback", #"{"direction": "managerRatesAgent", "rating": 4}"#)
            try await s.expect(.POST, "/v1/pairings/\(pairing)/feedback", #"{"direction": "managerRatesAgent", "giver": "\#(me)", "rating": 9}"#, status: 400)
            try await s.expect(.GET, "/v1/pairings/\(pairing)")

            let connection = try await s.created("/v1/connections", #"{"customerId": "\#(customer)", "address": "1 Gas Road", "deadline": "2026-04-01T00:00:00Z", "assignee": "\#(me)"}"#)
            try await s.expect(.POST, "/v1/connections/\(connection)/materials", #"{"name": "pipe", "quantity": 12.5, "unit": "m"}"#)
            let fee = "0196a000-0000-7000-8000-0000000fee01"
            try await s.expect(.POST, "/v1/connections/\(connection)/fees", #"{"feeId": "\#(fee)", "amount": {"amount": 300, "currency": "CNY"}, "description": "survey"}"#)
            try await s.expect(.POST, "/v1/connections/\(connection)/fees/pay", #"{"feeId": "\#(fee)"}"#)
            try await s.expect(.POST, "/v1/connections/\(connection)/advance", #"{"note": "surveyed", "deadline": "2026-04-10T00:00:00Z", "assignee": "\#(me)"}"#)
            #expect(try await s.expect(.GET, "/v1/connections/\(connection)").header("ETag") != nil)

            let template = try await s.created("/v1/survey-templates", #"{"title": "Service survey", "questions": [{"id": "q1", "prompt": "How was it?", "kind": "rating", "isRequired": true, "scale": 5}]}"#)
            let survey = try await s.created("/v1/surveys", #"{"templateId": "\#(template)"}"#)
            try await s.expect(.POST, "/v1/surveys/\(survey)/distribute", #"{"recipients": [{"kind": "customer", "id": "\#(customer)"}]}"#)
            try await s.expect(.POST, "/v1/surveys/\(survey)/responses", #"{"recipient": {"kind": "customer", "id": "\#(customer)"}, "answers": [{"questionID": "q1", "value": {"kind": "rating", "value": 5}}]}"#)
            try await s.expect(.POST, "/v1/surveys/\(survey)/close")
            #expect(try await s.expect(.GET, "/v1/surveys/\(survey)").text.contains("How was it?"))
            try await s.expect(.POST, "/v1/survey-templates/\(template)/archive")
            #expect((try await s.expect(.GET, "/v1/surveys?consistentWith=\(try await head())").json["items"] as? [Any])?.count == 1)

            // Lists without a view of their own: the catalog, page by page in id order.
            var products: [String] = []
            for name in ["Meter", "Valve", "Pump"] {
                products.append(try await s.created("/v1/products", #"{"productLine": "gas", "name": "\#(name)", "standardPrice": {"amount": 10, "currency": "CNY"}}"#).lowercased())
            }
            var seen: [String] = []
            var next: String? = "/v1/products?limit=2&consistentWith=\(try await head())"
            while let path = next {
                let page = try await s.expect(.GET, path)
                seen += ((page.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["productID"])?.lowercased() }
                next = text(page.json["next"])
            }
            #expect(seen == products.sorted(), "\(seen)")
            try await s.expect(.GET, "/v1/products?after=nope", status: 400)
        }
    }

    /// The analysis settings (KPI scoring, pay scheme, cost budgets), the daily pay report, an opportunity's
    /// product line, and the report pages' `next` links keeping the report's parameters.
    @Test func analysisSettingsDailyPayAndReportPagesOverHTTP() async throws {
        try await LiveServer.with("analysis-http") { s in
            // Without a pay scheme the daily pay is refused, naming the setting.
            let refused = try await s.expect(.GET, "/v1/reports/daily-pay?day=2026-03-10", status: 400)
            #expect(text(refused.json["field"]) == "payScheme" || refused.text.contains("payScheme"), "\(refused.text)")
            try await s.expect(.POST, "/v1/settings/kpi-rules", #"{"rules": [{"indicator": "contactsMade", "weight": 10, "target": 20, "bonusPoints": 0}]}"#)
            try await s.expect(.POST, "/v1/settings/kpi-scoring", #"{"indicator": "contactsMade", "curve": "linear", "cap": 1.5, "steps": [], "period": "month"}"#)
            try await s.expect(.POST, "/v1/settings/kpi-scoring", #"{"indicator": "contactsMade", "curve": "linear", "cap": 0, "steps": [], "period": "month"}"#, status: 422)
            try await s.expect(.POST, "/v1/settings/pay-scheme", #"{"currency": "CNY", "basePerDay": 100, "defaultRatePerPoint": 2, "rates": [{"indicator": "contactsMade", "perPoint": 3}]}"#)
            try await s.expect(.POST, "/v1/settings/cost-budgets", #"{"dimension": "category", "key": "visits", "month": "2026-03", "amount": {"amount": 500, "currency": "CNY"}}"#)
            try await s.expect(.POST, "/v1/settings/cost-budgets", #"{"dimension": "planet", "key": "x", "month": "2026-03", "amount": {"amount": 1, "currency": "CNY"}}"#, status: 400)
            try await s.expect(.POST, "/v1/settings/cost-budgets", #"{"dimension": "category", "key": "visits", "month": "March", "amount": {"amount": 1, "currency": "CNY"}}"#, status: 400)
            let settings = try await s.expect(.GET, "/v1/settings")
            #expect(settings.text.contains("\"basePerDay\"") && settings.text.contains("\"costBudgets\""), "\(settings.text.prefix(300))")

            // The administrator's own day: no activity, the base pay alone.
            let pay = try await s.expect(.GET, "/v1/reports/daily-pay?day=2026-03-10&employee=\(s.admin.id)")
            let item = try #require((pay.json["items"] as? [[String: Any]])?.first)
            #expect(text(item["employee"]) == s.admin.id, "\(pay.text)")
            #expect((item["total"] as? [String: Any]).map { "\($0["amount"] ?? "")" } == "100", "\(pay.text)")
            try await s.expect(.GET, "/v1/reports/daily-pay?day=2026-13-01", status: 400)
            let byTeam = try await s.expect(.GET, "/v1/reports/kpi?month=2026-03&by=team")
            #expect(byTeam.json["rankings"] != nil && byTeam.json["groups"] != nil, "\(byTeam.text.prefix(200))")
            try await s.expect(.GET, "/v1/reports/kpi?month=2026-03&by=planet", status: 400)

            // An opportunity opened with a product line, then cleared; both in its history.
            let customer = try #require(text(try await s.expect(.POST, "/v1/customers", #"{"kind": "person", "name": "Li Na", "group": "residential", "branch": "A"}"#, status: 201).json["id"]))
            let opportunity = try #require(text(try await s.expect(.POST, "/v1/opportunities", #"{"customerId": "\#(customer)", "title": "Boiler", "source": "visit", "expectedRevenue": {"amount": 5000, "currency": "CNY"}, "closeDate": "2026-03-31", "owner": "\#(s.admin.id)", "productLine": "boilers"}"#, status: 201).json["id"]))
            try await s.expect(.POST, "/v1/opportunities/\(opportunity)/product-line", #"{"productLine": null}"#)
            try await s.expect(.POST, "/v1/opportunities/\(opportunity)/product-line", #"{"productLine": 7}"#, status: 400)
            let history = try await s.expect(.GET, "/v1/records/opportunity-\(opportunity.lowercased())/history?consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect(history.text.components(separatedBy: "productLine").count - 1 == 2, "\(history.text.prefix(600))")

            // The win probability of the opportunity (no closed history: null), and recording it.
            let win = try await s.expect(.GET, "/v1/opportunities/\(opportunity)/win-probability?minimumSample=1&consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect(win.json["suggestion"] is NSNull, "\(win.text)")
            try await s.expect(.POST, "/v1/opportunities/\(opportunity)/win-probability/suggest", #"{"minimumSample": 1}"#)
            try await s.expect(.GET, "/v1/opportunities/\(opportunity)/win-probability?minimumSample=0", status: 400)

            // Report tables, JSON and CSV; a cost budget set above shows in the costs table.
            let costs = try await s.expect(.GET, "/v1/reports/tables/costs?from=2026-03&by=category")
            #expect((costs.json["header"] as? [String])?.first == "key" && costs.text.contains("visits"), "\(costs.text.prefix(300))")
            let csv = try await s.expect(.GET, "/v1/reports/tables/costs?from=2026-03&by=category&format=csv")
            #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true && csv.text.hasPrefix("key,currency,budget"), "\(csv.text.prefix(200))")
            try await s.expect(.GET, "/v1/reports/tables/composition?from=2026-03&by=branch")
            try await s.expect(.GET, "/v1/reports/tables/nonsense?from=2026-03", status: 400)
            try await s.expect(.GET, "/v1/reports/tables/costs?from=2026-03&by=planet", status: 400)

            // The read audit lists the reads above (the administrator has organisation analyse over all data).
            let reads = try await s.expect(.GET, "/v1/audit/reads?from=2000-01-01T00:00:00Z")
            #expect(((reads.json["items"] as? [Any])?.count ?? 0) > 0, "\(reads.text.prefix(300))")
            try await s.expect(.GET, "/v1/audit/reads?from=yesterday", status: 400)
            #expect(try await s.expect(.GET, "/v1/outbox").json["items"] is [Any])

            // A second customer, so that a page of one has a next link that keeps the report's parameters.
            try await s.expect(.POST, "/v1/customers", #"{"kind": "person", "name": "Zhou Yi", "group": "residential", "branch": "A"}"#, status: 201)
            try await s.engine.views.waitUntil(try await s.engine.store.headPosition())
            for path in ["/v1/reports/rfm?asOf=2026-03-01&months=6&currency=CNY&limit=1", "/v1/reports/churn?on=2026-03-01&currency=CNY&limit=1"] {
                let first = try await s.expect(.GET, path)
                let next = try #require(text(first.json["next"]), "\(path): \(first.text.prefix(300))")
                #expect(next.contains("currency=CNY") && (next.contains("asOf=2026-03-01&months=6") || next.contains("on=2026-03-01")), "\(next)")
                let second = try await s.expect(.GET, next)
                #expect((second.json["items"] as? [Any])?.count == 1 && first.text != second.text)
            }
        }
    }

    /// An employee of branch A gets 404 for branch B's contact, visit and quote list, on reads and writes,
    /// and writes nothing.
    @Test func recordsOfAnotherBranchAnswer404() async throws {
        try await LiveServer.with("resource-scope") { s in
            let (_, alice) = try await s.hire("Alice", branch: "A", permissions: ScopeOverHTTPTests.rights("A"))
            let customer = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Of B", "group": "g", "branch": "B"}"#)
            let customerID = try #require(text(customer.json["id"]))
            let contact = try await s.send(.POST, "/v1/contacts", json: #"{"customerId": "\#(customerID)", "name": "Contact of B"}"#)
            let contactID = try #require(text(contact.json["id"]))
            let head = try await s.engine.store.headPosition()
            for (method, path, body) in [(HTTPMethod.GET, "/v1/contacts/\(contactID)", nil), (.POST, "/v1/contacts/\(contactID)/archive", "{}"),
                                         (.GET, "/v1/contacts?customerId=\(customerID)", nil), (.GET, "/v1/quotes?customerId=\(customerID)", nil)] as [(HTTPMethod, String, String?)] {
                let answer = try await s.send(method, path, token: alice, json: body)
                #expect(answer.status == 404, "\(path): \(answer.text)")
            }
            #expect(try await s.engine.store.headPosition() == head)
        }
    }
}
