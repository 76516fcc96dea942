import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// Domain commands the requirements audit found no adapter exposing, now routes like the other commands:
/// the feedback review (R-ORG-3), ticket hand-over and severity (R-TSK-6, R-SRV-1), tasks and opportunities
/// routed by the settings' rules (R-TSK-1, R-SAL-2), workflow definitions listed (R-ORG-5), the RFM
/// partition as documented (R-ANA-3) and tasks imported from external systems (R-TSK-5).
@Suite(.serialized) struct AdapterGapsTests {
    static let customer = #"{"kind": "person", "name": "Wang Fang", "group": "residential", "branch": "A"}"#
    static let template = #"{"name": "Weekly report", "department": "Service", "fields": [{"name": "visits", "type": "number", "options": [], "required": true}]}"#

    static func values(_ visits: Int) -> String { #"[{"field": "visits", "value": {"kind": "number", "value": \#(visits)}}]"# }

    /// What every command route refuses: another branch's record is a 404 (nothing written), a stale
    /// `If-Match` a 412, `bad` a 400 naming `field`, and an unknown member a 400 naming it.
    static func refusals(_ s: LiveServer, _ path: String, _ json: String, foreign: String, stale: String, bad: String, field: String,
                         sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let head = try await s.engine.store.headPosition()
        let foreignAnswer = try await s.send(.POST, path, token: foreign, json: json)
        #expect(foreignAnswer.status == 404, "\(path): \(foreignAnswer.status) \(foreignAnswer.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(try await s.engine.store.headPosition() == head, "\(path): nothing written", sourceLocation: sourceLocation)
        try await s.expect(.POST, path, json, status: 412, headers: [("If-Match", stale)], sourceLocation: sourceLocation)
        try await ReviewFindingsTests.refused(s, path, method: .POST, bad, field: field, sourceLocation: sourceLocation)
        let unknown = String(json.dropLast()) + (json.contains(":") ? ", " : "") + #""colour": "red"}"#
        try await ReviewFindingsTests.refused(s, path, method: .POST, unknown, field: "colour", sourceLocation: sourceLocation)
    }

    /// A report table's row as header → cell.
    static func rows(_ answer: LiveServer.Answer) -> [[String: String]] {
        let header = answer.json["header"] as? [String] ?? []
        return (answer.json["rows"] as? [[Any]] ?? []).map { cells in
            Dictionary(zip(header, cells.map { text($0) ?? "" }), uniquingKeysWith: { a, _ in a })
        }
    }

    /// A form is reviewed over HTTP: its review starts by itself (the default feedback review workflow), it
    /// is returned with a reason, amended by its submitter, reviewed again and approved from the reviewer's
    /// approvals inbox; another form is returned. The feedback report counts one reviewed and one returned.
    @Test func aFeedbackFormIsReturnedAmendedAndReviewedAndTheReportCountsIt() async throws {
        try await LiveServer.with("feedback-review") { s in
            let (_, other) = try await s.hire("Bo", branch: "B", permissions: ScopeOverHTTPTests.rights("B"))
            // Sue submits and amends; the administrator is the reviewer (a submitter may not review their own form).
            let (sue, sueToken) = try await s.hire("Sue", branch: "A", permissions: ScopeOverHTTPTests.rights("A"))
            let me = s.admin.id
            func submit(_ visits: Int) async throws -> String {
                let answer = try await s.send(.POST, "/v1/feedback-forms", token: sueToken,
                                              json: #"{"template": \#(Self.template), "reporter": "\#(sue.id)", "reviewer": "\#(me)", "branch": "A", "values": \#(Self.values(visits))}"#)
                #expect(answer.status == 201, "\(answer.text.prefix(300))")
                return text(answer.json["id"]) ?? ""
            }
            /// The form once the reactor has handled the log so far (the review it starts, or the outcome it records).
            func settled(_ path: String) async throws -> LiveServer.Answer {
                try await s.engine.reactionsSettled(upTo: try await s.engine.store.headPosition(), timeout: .seconds(120))
                try await s.engine.reactionsSettled(upTo: try await s.engine.store.headPosition(), timeout: .seconds(120))
                return try await s.expect(.GET, path)
            }
            let form = try await submit(12)
            let path = "/v1/feedback-forms/\(form)"
            // Only a returned form can be amended.
            #expect(try await s.send(.POST, path + "/amend", token: sueToken, json: #"{"values": \#(Self.values(13))}"#).status == 422)
            let started = try await settled(path)
            #expect(text(started.json["status"]) == "inReview", "\(started.text.prefix(300))")
            let workflow = try #require(text(started.json["workflowID"]), "\(started.text.prefix(300))")
            let inbox = try await s.expect(.GET, "/v1/approvals?consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect(inbox.text.lowercased().contains(workflow.lowercased()), "the review waits in the reviewer's inbox: \(inbox.text.prefix(400))")
            try await s.expect(.POST, path + "/start-review", #"{"workflowId": "\#(workflow)"}"#)  // the same review again: nothing new
            try await s.expect(.POST, path + "/start-review", #"{"workflowId": "\#(UUID().uuidString)"}"#, status: 400)  // no instance about the form
            try await s.expect(.POST, path + "/start-review", "{}", status: 400)  // an id is required
            try await Self.refusals(s, path + "/return", #"{"workflowId": "\#(workflow)", "reason": "count the calls too"}"#, foreign: other,
                                    stale: #""1""#,
                                    bad: #"{"workflowId": "\#(workflow)", "reason": 7}"#, field: "reason")
            try await s.expect(.POST, path + "/reviewed", #"{"workflowId": "\#(UUID().uuidString)"}"#, status: 422)  // another workflow
            // Returned through the workflow, as the reviewer.
            try await s.expect(.POST, "/v1/approvals/\(workflow)/send-back", #"{"reason": "count the calls too"}"#)
            let returned = try await settled(path)
            #expect(text(returned.json["status"]) == "returned", "\(returned.text.prefix(400))")
            let amended = try await s.send(.POST, path + "/amend", token: sueToken, json: #"{"values": \#(Self.values(15))}"#,
                                           headers: [("If-Match", try #require(returned.header("ETag")))])
            #expect(amended.status == 200, "\(amended.text.prefix(300))")
            // Reviewed again: a new workflow, decided under another id is refused.
            let again = try await settled(path)
            let second = try #require(text(again.json["workflowID"]), "\(again.text.prefix(300))")
            #expect(text(again.json["status"]) == "inReview" && second != workflow, "\(again.text.prefix(300))")
            try await s.expect(.POST, path + "/reviewed", #"{"workflowId": "\#(workflow)"}"#, status: 422)  // the returned review's
            try await s.expect(.POST, "/v1/approvals/\(second)/approve", #"{"comment": "fine"}"#, headers: [("Idempotency-Key", "reviewed-1")])
            let replay = try await s.expect(.POST, "/v1/approvals/\(second)/approve", #"{"comment": "fine"}"#, headers: [("Idempotency-Key", "reviewed-1")])
            #expect(replay.header("Idempotent-Replayed") == "true")
            let state = try await settled(path)
            #expect(text(state.json["status"]) == "reviewed" && text(state.json["returnReason"]) == "count the calls too", "\(state.text.prefix(400))")

            let other2 = try await submit(3)
            let workflow2 = try #require(text(try await settled("/v1/feedback-forms/\(other2)").json["workflowID"]))
            try await s.expect(.POST, "/v1/feedback-forms/\(other2)/return", #"{"workflowId": "\#(workflow2)", "reason": "incomplete"}"#)

            var totals: [String: String] = [:]
            for _ in 0..<50 {
                let report = try await s.expect(.GET, "/v1/reports/tables/feedback?from=2026-01")
                totals = Self.rows(report).first { $0["field"] == "" } ?? [:]
                if totals["reviewed"] == "1" && totals["returned"] == "1" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(totals["branch"] == "A" && totals["count"] == "2" && totals["reviewed"] == "1" && totals["returned"] == "1" && totals["open"] == "0",
                    "\(totals)")
        }
    }

    /// A ticket is handed over to another department (open and unassigned there) and its severity raised
    /// (deadlines from the settings' SLA); the domain's refusals are 422s.
    @Test func aTicketIsHandedOverAndItsSeverityRaisedOverHTTP() async throws {
        try await LiveServer.with("ticket-handover") { s in
            let (_, other) = try await s.hire("Bo", branch: "B", permissions: ScopeOverHTTPTests.rights("B"))
            for (severity, hours) in [("high", 8), ("critical", 2)] {
                try await s.expect(.POST, "/v1/settings/sla", #"{"kind": "faultRepair", "severity": "\#(severity)", "responseMinutes": 30, "resolutionMinutes": \#(hours * 60)}"#)
            }
            let customer = try await s.created("/v1/customers", Self.customer)
            let ticket = try await s.created("/v1/tickets", #"{"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\#(customer)", "subject": "No water", "department": "service"}"#)
            let path = "/v1/tickets/\(ticket)"
            let assigned = try await s.expect(.POST, path + "/assign", #"{"assignee": "\#(s.admin.id)"}"#)
            let before = try await s.expect(.GET, path)

            try await Self.refusals(s, path + "/handover", #"{"department": "field-service", "reason": "needs a technician"}"#, foreign: other,
                                    stale: #""1""#, bad: #"{"department": ["field-service"]}"#, field: "department")
            try await s.expect(.POST, path + "/handover", #"{"department": "service"}"#, status: 422)  // already there
            let handed = try await s.expect(.POST, path + "/handover", #"{"department": "field-service", "reason": "needs a technician"}"#,
                                            headers: [("If-Match", try #require(assigned.header("ETag")))])
            #expect((handed.json["events"] as? [[String: Any]])?.first.flatMap { text($0["type"]) } == "TicketHandedOver", "\(handed.text)")
            let after = try await s.expect(.GET, path)
            #expect(text(after.json["department"]) == "field-service" && text(after.json["status"]) == "open" && text(after.json["assignee"]) == nil,
                    "\(after.text.prefix(400))")

            try await Self.refusals(s, path + "/severity", #"{"severity": "critical"}"#, foreign: other, stale: try #require(assigned.header("ETag")),
                                    bad: #"{"severity": "huge"}"#, field: "severity")
            try await s.expect(.POST, path + "/severity", #"{"severity": "low"}"#, status: 422)  // no SLA for low
            try await s.expect(.POST, path + "/severity", #"{"severity": "critical", "reason": "hospital"}"#, headers: [("If-Match", try #require(handed.header("ETag")))])
            let raised = try await s.expect(.GET, path)
            #expect(text(raised.json["severity"]) == "critical", "\(raised.text.prefix(400))")
            #expect(text(raised.json["resolutionDueAt"]) != text(before.json["resolutionDueAt"]), "\(raised.text.prefix(400))")
            try await s.expect(.POST, path + "/severity", #"{"severity": "critical"}"#)  // unchanged: nothing new
        }
    }

    /// `GET /v1/workflow-definitions` pages the definitions (the bootstrap's quote approval and one defined
    /// here); someone without settings rights over all data sees none of them.
    @Test func workflowDefinitionsAreListedAPageAtATime() async throws {
        try await LiveServer.with("workflow-list") { s in
            let (_, other) = try await s.hire("Bo", branch: "B", permissions: ScopeOverHTTPTests.rights("B"))
            // Every kind's default is recorded at bootstrap: a further definition names its own id.
            let own = UUID.derived("workflowdef", "material-check").uuidString.lowercased()
            let defined = try await s.created("/v1/workflow-definitions", #"{"id": "\#(own)", "name": "Material approval", "kind": "materialRequest", "steps": [{"name": "Check", "approverRole": "Administrator", "deadlineHours": 24, "reminderLeadHours": 4, "escalateTo": {"kind": "role", "id": "Administrator"}}]}"#)
            #expect(defined.lowercased() == own)
            let quote = WorkflowDefinition.defaultID(for: .quote).uuidString.lowercased()
            func ids(_ answer: LiveServer.Answer) -> [String] {
                (answer.json["items"] as? [[String: Any]] ?? []).compactMap { (($0["versions"] as? [[String: Any]])?.first).flatMap { text($0["definitionID"])?.lowercased() } }
            }
            let all = try await s.expect(.GET, "/v1/workflow-definitions")
            #expect(ids(all).count >= 2 && ids(all).contains(quote) && ids(all).contains(defined.lowercased()), "\(all.text.prefix(400))")
            // One at a time along the `next` links: the same definitions in the same order.
            var walked: [String] = []
            var next: String? = "/v1/workflow-definitions?limit=1"
            while let path = next, walked.count < 20 {
                let page = try await s.expect(.GET, path)
                #expect(ids(page).count == 1, "\(page.text.prefix(300))")
                walked += ids(page)
                next = text(page.json["next"])
            }
            #expect(walked == ids(all))
            try await ReviewFindingsTests.refused(s, "/v1/workflow-definitions?limit=1&after=\(UUID().uuidString)", field: "after")
            let foreign = try await s.send(.GET, "/v1/workflow-definitions", token: other)
            #expect(foreign.status == 200 && ids(foreign).isEmpty, "\(foreign.text.prefix(300))")
            #expect(try await s.send(.GET, "/v1/workflow-definitions/\(defined)", token: other).status == 404)
            try await s.expect(.GET, "/v1/workflow-definitions/\(defined)")
        }
    }

    /// The RFM partition takes the documented `branch` (and the analysis' own `perBranch`); anything else is a
    /// 400 naming what is accepted.
    @Test func theRFMPartitionAcceptsBranchAsDocumented() async throws {
        try await LiveServer.with("rfm-partition") { s in
            for value in ["global", "branch", "perBranch"] {
                try await s.expect(.GET, "/v1/reports/rfm?partition=\(value)")
            }
            try await ReviewFindingsTests.refused(s, "/v1/reports/rfm?partition=community", field: "partition")
            let answer = try await s.send(.GET, "/v1/reports/rfm?partition=community")
            #expect(text(answer.json["detail"])?.contains("global or branch") == true, "\(answer.text)")
        }
    }

    /// A task imported from an external system goes to the owner given, marked imported with its reference;
    /// importing the same external id again addresses the same task: identical content records nothing (201,
    /// no events), different content is a 409; nothing else is written.
    @Test func importingTheSameExternalTaskTwiceCreatesOneTask() async throws {
        try await LiveServer.with("task-import") { s in
            let (_, other) = try await s.hire("Bo", branch: "B", permissions: ScopeOverHTTPTests.rights("B"))
            let customer = try await s.created("/v1/customers", Self.customer)
            let body = #"{"system": "billing", "externalId": "INV-7", "title": "Check the meter", "customerId": "\#(customer)", "dueAt": "2026-01-05T09:00:00Z", "owner": "\#(s.admin.id)"}"#
            let first = try await s.expect(.POST, "/v1/tasks/import", body, status: 201)
            let id = try #require(text(first.json["id"]))
            #expect(id.lowercased() == WorkTask.importedTaskID(system: "billing", externalID: "INV-7").uuidString.lowercased())
            #expect(first.header("Location") == "/v1/tasks/\(id.lowercased())")
            let head = try await s.engine.store.headPosition()
            let again = try await s.expect(.POST, "/v1/tasks/import", body, status: 201)
            #expect(text(again.json["id"])?.lowercased() == id.lowercased() && (again.json["events"] as? [Any])?.isEmpty == true, "\(again.text)")
            #expect(try await s.engine.store.headPosition() == head)
            try await s.expect(.POST, "/v1/tasks/import", body.replacingOccurrences(of: "Check the meter", with: "Read the meter"), status: 409)
            #expect(try await s.engine.store.headPosition() == head)
            let task = try await s.expect(.GET, "/v1/tasks/\(id)")
            #expect(text(task.json["route"]) == "imported" && text(task.json["assignee"]) == s.admin.id, "\(task.text.prefix(400))")
            #expect(text((task.json["externalReference"] as? [String: Any])?["id"]) == "INV-7", "\(task.text.prefix(400))")

            // Refusals: another branch's customer (nothing written), a stale version, bad and unknown members.
            let foreign = try await s.send(.POST, "/v1/tasks/import", token: other, json: body.replacingOccurrences(of: "INV-7", with: "INV-8"))
            #expect(foreign.status == 403 || foreign.status == 404, "\(foreign.text)")
            #expect(try await s.engine.store.headPosition() == head)
            try await s.expect(.POST, "/v1/tasks/import", body, status: 412, headers: [("If-Match", #""7""#)])
            try await ReviewFindingsTests.refused(s, "/v1/tasks/import", method: .POST, body.replacingOccurrences(of: #""system": "billing""#, with: #""system": 1"#), field: "system")
            try await ReviewFindingsTests.refused(s, "/v1/tasks/import", method: .POST, body.replacingOccurrences(of: #", "externalId": "INV-7""#, with: ""), field: "externalId")
            try await ReviewFindingsTests.refused(s, "/v1/tasks/import", method: .POST, String(body.dropLast()) + #", "id": "\#(UUID().uuidString)"}"#, field: "id")
            #expect(try await s.engine.store.headPosition() == head)
        }
    }

    /// Without an assignee or owner, a task or an opportunity goes where the routing rules say; when no rule
    /// matches, a 422 naming the field and nothing written.
    @Test
    func withoutAnAssigneeTheRoutingRulesChoose() async throws {
        try await LiveServer.with("routing-rules") { s in
            let (rita, _) = try await s.hire("Rita", branch: "A", permissions: ScopeOverHTTPTests.rights("A"))
            try await s.expect(.POST, "/v1/settings/routing-rules", #"{"rules": [{"name": "branch A", "branch": "A", "assignee": "\#(rita.id)"}]}"#)
            let customer = try await s.created("/v1/customers", Self.customer)
            let task = try await s.created("/v1/tasks", #"{"title": "Call back", "customerId": "\#(customer)", "dueAt": "2026-01-05T09:00:00Z"}"#)
            let dispatched = try await s.expect(.GET, "/v1/tasks/\(task)")
            #expect(text(dispatched.json["assignee"]) == rita.id && text(dispatched.json["route"]) == "rules", "\(dispatched.text.prefix(400))")
            let opportunity = try await s.created("/v1/opportunities", #"{"customerId": "\#(customer)", "title": "Boiler", "source": "visit", "expectedRevenue": {"amount": 5000, "currency": "CNY"}, "closeDate": "2026-03-31"}"#)
            #expect(text(try await s.expect(.GET, "/v1/opportunities/\(opportunity)").json["owner"]) == rita.id)
        }
    }

    @Test func withoutAnAssigneeAndNoMatchingRuleNothingIsWritten() async throws {
        try await LiveServer.with("routing-none") { s in
            let (rita, _) = try await s.hire("Rita", branch: "A", permissions: ScopeOverHTTPTests.rights("A"))
            try await s.expect(.POST, "/v1/settings/routing-rules", #"{"rules": [{"name": "branch Z", "branch": "Z", "assignee": "\#(rita.id)"}]}"#)
            let customer = try await s.created("/v1/customers", Self.customer)
            let head = try await s.engine.store.headPosition()
            let task = try await s.send(.POST, "/v1/tasks", json: #"{"title": "Call back", "customerId": "\#(customer)", "dueAt": "2026-01-05T09:00:00Z"}"#)
            #expect(task.status == 422 && text(task.json["field"]) == "assignee", "\(task.text)")
            let opportunity = try await s.send(.POST, "/v1/opportunities", json: #"{"customerId": "\#(customer)", "title": "Boiler", "source": "visit", "expectedRevenue": {"amount": 5000, "currency": "CNY"}, "closeDate": "2026-03-31"}"#)
            #expect(opportunity.status == 422 && text(opportunity.json["field"]) == "owner", "\(opportunity.text)")
            #expect(try await s.engine.store.headPosition() == head)
            // Naming the assignee still dispatches directly.
            _ = try await s.created("/v1/tasks", #"{"title": "Call back", "customerId": "\#(customer)", "dueAt": "2026-01-05T09:00:00Z", "assignee": "\#(rita.id)", "productLine": "gas"}"#)
        }
    }
}
