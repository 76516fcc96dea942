import AsyncHTTPClient
import CRMDomain
import CRMEngine
@testable import CRMHTTP
@testable import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Every JSON answer writes ids in lower case, as the `Location`, stream names, write answers and employee
/// ids do: Foundation's encoder writes a `UUID` upper case, and a client comparing an id from one answer with
/// the same id from another found them unequal (the overdue and board task lists, search, the customer list,
/// a record's history, the customer 360, the events stream, an announcement's readers…). Ids are sent upper
/// case here (requests read either case) and all hold hex letters; a customer named by an upper-case UUID
/// text keeps its name as written (it is text, not an id).
@Suite(.serialized) struct LowerCaseIdsEverywhereTests {
    static let customer = "ABCDEF01-2345-4678-9ABC-DEF012345678"
    static let task = "FACEB00C-1234-4ABC-8DEF-0123456789AB"
    static let ticket = "BADC0FFE-E0DD-4F00-8BAD-F00DCAFEBABE"
    static let announcement = "C0FFEE00-AAAA-4BBB-8CCC-DDDDEEEEFFFF"
    /// A customer's name and a task's note that merely look like an id: text, written as it was sent.
    static let lookalike = "DEADBEEF-CAFE-4BAD-9ACE-0123456789AB"

    /// The UUIDs written with an upper-case hex letter in `text`, other than the look-alike user text.
    static func upperCaseIDs(in text: String) -> [String] {
        text.matches(of: /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/)
            .map { String(text[$0.range]) }
            .filter { id in id.contains { ("A"..."F").contains($0) } && id != lookalike }
    }

    /// `answer` is `status` and writes no id in upper case.
    @discardableResult
    static func lowerCase(_ answer: LiveServer.Answer, _ what: String, status: Int = 200,
                          sourceLocation: SourceLocation = #_sourceLocation) -> LiveServer.Answer {
        #expect(answer.status == status, "\(what): \(answer.status) \(answer.text.prefix(400))", sourceLocation: sourceLocation)
        #expect(upperCaseIDs(in: answer.text) == [], "\(what): \(answer.text.prefix(2000))", sourceLocation: sourceLocation)
        return answer
    }

    @Test func everyAnswerWritesItsIdsInLowerCase() async throws {
        try await LiveServer.with("lower-case-everywhere") { s in
            let admin = try #require(s.admin.employeeID)
            try await s.expect(.POST, "/v1/settings/sla", #"{"kind": "faultRepair", "severity": "high", "responseMinutes": 60, "resolutionMinutes": 480}"#)

            // Writes: the answer, its Location and its stream name the record in lower case.
            let created = Self.lowerCase(try await s.send(.POST, "/v1/customers", json: """
                {"id": "\(Self.customer)", "kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}
                """), "POST /v1/customers", status: 201)
            let customer = Self.customer.lowercased()
            #expect(text(created.json["id"]) == customer && created.header("Location") == "/v1/customers/\(customer)", "\(created.text)")
            #expect(text(created.json["stream"]) == "customer-\(customer)")
            let firstPosition = try #require(text(created.json["position"]))
            Self.lowerCase(try await s.send(.POST, "/v1/customers", json: """
                {"kind": "person", "name": "\(Self.lookalike)", "group": "residential", "branch": "A"}
                """), "POST /v1/customers (look-alike name)", status: 201)
            Self.lowerCase(try await s.send(.POST, "/v1/customers/\(Self.customer)/external-keys", json: #"{"system": "billing", "key": "A-17"}"#),
                           "POST external key")
            Self.lowerCase(try await s.send(.POST, "/v1/tasks", json: """
                {"id": "\(Self.task)", "title": "Call back", "note": "see \(Self.lookalike)", "customerId": "\(Self.customer)", "kind": "followUp",
                 "dueAt": "2026-01-01T06:00:00Z", "assignee": "\(admin.uuidString)"}
                """), "POST /v1/tasks", status: 201)
            Self.lowerCase(try await s.send(.POST, "/v1/tickets", json: """
                {"id": "\(Self.ticket)", "channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\(Self.customer)",
                 "subject": "Leak", "department": "service"}
                """), "POST /v1/tickets", status: 201)
            Self.lowerCase(try await s.send(.POST, "/v1/announcements", json: """
                {"id": "\(Self.announcement)", "title": "Gas safety week", "body": "Check every meter.", "targets": {"employees": ["\(admin.uuidString)"]}}
                """), "POST /v1/announcements", status: 201)
            let read = Self.lowerCase(try await s.send(.POST, "/v1/announcements/\(Self.announcement)/read", json: "{}"), "POST announcement read")
            let head = try #require(text(read.json["position"]))
            s.clock.advance(by: 2 * 86_400)

            // Lists and views.
            let overdue = Self.lowerCase(try await s.send(.GET, "/v1/tasks/overdue?consistentWith=\(head)"), "GET /v1/tasks/overdue")
            #expect(overdue.text.contains("\"\(Self.task.lowercased())\"") && overdue.text.contains("\"\(customer)\""), "\(overdue.text)")
            let board = Self.lowerCase(try await s.send(.GET, "/v1/tasks/board?assignee=\(admin.lowercasedString)&consistentWith=\(head)"),
                                       "GET /v1/tasks/board")
            #expect(board.text.contains("\"\(Self.task.lowercased())\""), "\(board.text)")
            let tickets = Self.lowerCase(try await s.send(.GET, "/v1/tickets?department=service&consistentWith=\(head)"), "GET /v1/tickets")
            #expect(tickets.text.contains("\"\(Self.ticket.lowercased())\""), "\(tickets.text)")
            let overdueTickets = Self.lowerCase(try await s.send(.GET, "/v1/tickets/overdue?consistentWith=\(head)"), "GET /v1/tickets/overdue")
            #expect(overdueTickets.text.contains("\"\(Self.ticket.lowercased())\""), "\(overdueTickets.text)")
            let search = Self.lowerCase(try await s.send(.GET, "/v1/search?q=Li%20Wei&consistentWith=\(head)"), "GET /v1/search")
            #expect(search.text.contains(customer), "\(search.text)")
            let list = Self.lowerCase(try await s.send(.GET, "/v1/customers?consistentWith=\(head)"), "GET /v1/customers")
            #expect(list.text.contains("\"\(customer)\""), "\(list.text)")
            // The look-alike name is text: written as it was sent, upper case.
            #expect(list.text.contains("\"\(Self.lookalike)\""), "\(list.text)")

            // Histories (a field change holding an id, the record's customer).
            let taskHistory = Self.lowerCase(try await s.send(.GET, "/v1/records/task-\(Self.task.lowercased())/history?consistentWith=\(head)"),
                                             "GET /v1/records/task-…/history")
            #expect(taskHistory.text.contains("\"\(customer)\""), "\(taskHistory.text)")
            Self.lowerCase(try await s.send(.GET, "/v1/records/customer-\(customer)/history?consistentWith=\(head)"), "GET /v1/records/customer-…/history")
            Self.lowerCase(try await s.send(.GET, "/v1/customers/\(Self.customer)/history?consistentWith=\(head)"), "GET /v1/customers/…/history")

            // The customer 360 (its own writer; twice: written, then from the cache), its past state, the lookup by key.
            for _ in 0..<2 {
                let view = Self.lowerCase(try await s.send(.GET, "/v1/customers/\(Self.customer)?consistentWith=\(head)"), "GET customer 360")
                #expect(view.text.contains("\"\(customer)\"") && view.text.contains("\"\(Self.task.lowercased())\""), "\(view.text)")
            }
            Self.lowerCase(try await s.send(.GET, "/v1/customers/\(Self.customer)?asOf=\(firstPosition)"), "GET customer asOf")
            let found = Self.lowerCase(try await s.send(.GET, "/v1/customers/lookup?externalKey=billing:A-17"), "GET /v1/customers/lookup")
            #expect(text(found.json["id"]) == customer, "\(found.text)")

            // Record states written by reflection: an announcement's readers are keyed by their ids.
            let notice = Self.lowerCase(try await s.send(.GET, "/v1/announcements/\(Self.announcement)"), "GET announcement")
            #expect(notice.text.contains("\"\(admin.lowercasedString)\""), "\(notice.text)")
            Self.lowerCase(try await s.send(.GET, "/v1/tasks/\(Self.task)"), "GET task")

            // Tokens: issued (its employee sent upper case) and listed.
            let issued = Self.lowerCase(try await s.send(.POST, "/v1/tokens", json: #"{"employeeId": "\#(admin.uuidString)", "name": "ci"}"#),
                                        "POST /v1/tokens", status: 201)
            #expect(text(issued.json["employeeId"]) == admin.lowercasedString, "\(issued.text)")
            let tokens = Self.lowerCase(try await s.send(.GET, "/v1/tokens?employee=\(admin.uuidString)"), "GET /v1/tokens")
            #expect(tokens.text.contains(admin.lowercasedString), "\(tokens.text)")

            // The events stream: the customer's first events (their `customerId`, their changes).
            let events = try await Self.eventData(s, from: firstPosition, count: 4)
            #expect(events.count == 4, "\(events)")
            for event in events { #expect(Self.upperCaseIDs(in: event) == [], "event: \(event)") }
            #expect(events.first?.contains("\"customerId\":\"\(customer)\"") == true, "\(events)")
        }
    }

    /// Only the ids' case changes: a customer 360 holding every kind of id (profile, related records,
    /// contacts, products, custom values) is written in lower case by its own writer, as by the encoder.
    @Test func theCustomer360WriterAndTheEncoderBothWriteIdsInLowerCase() throws {
        let id = try #require(UUID(uuidString: Self.customer))
        let other = try #require(UUID(uuidString: Self.task))
        var profile = CustomerProfile(
            id: id, kind: .person, name: Self.lookalike, group: "residential", industry: nil, branch: "b", community: nil, owner: nil, status: .active,
            isArchived: false, birthday: nil, founded: nil, customFields: [CustomField(formGroup: "residential", field: "ref", value: .id(other))],
            externalKeys: [], mergedInto: other, absorbed: [other])
        profile.installations = [Installation(id: other, address: "a", meterNumber: "M-1")]
        profile.appointments = [Appointment(id: other, kind: .install, at: Date(timeIntervalSince1970: 1_767_225_600), address: "b", note: nil)]
        let task = RelatedRecord(kind: .task, id: other, title: Self.lookalike, status: "open", detail: nil, at: nil, day: nil, amount: nil,
                                 owner: "e", scope: .global, contacts: [id], products: [RelatedRecord.Product(productID: other, name: "p", quantity: 1)])
        let view = Customer360(
            profile: profile, contacts: [], openTasks: [task], recentTasks: [], openTickets: [], recentTickets: [], recentActivity: [],
            openOpportunities: [], closedOpportunities: [], openQuotes: [], closedQuotes: [], contracts: [], endedContracts: [],
            productsHeld: [HeldProduct(productID: other, name: "p", quantity: 1, contracts: [other])], revenue: [], loyaltyBalance: nil)
        let written = String(decoding: try Customer360JSON.encode(view), as: UTF8.self)
        #expect(Self.upperCaseIDs(in: written) == [], "\(written)")
        #expect(written.contains("\"name\":\"\(Self.lookalike)\"") && written.contains("\"title\":\"\(Self.lookalike)\""), "\(written)")
        #expect(written == String(decoding: try JSONOutput.moneyAsText(JSONOutput.encode(view)), as: UTF8.self))
        // The plain encoder would have written them upper case.
        #expect(Self.upperCaseIDs(in: String(decoding: try JSONOutput.encoder().encode(view), as: UTF8.self)) != [])
    }

    /// The data lines of the first `count` events from `from` on the events stream.
    static func eventData(_ s: LiveServer, from: String, count: Int) async throws -> [String] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/v1/events?from=\(from)")
        request.headers.add(name: "Authorization", value: "Bearer \(s.adminToken)")
        let response = try await s.client.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var buffer = ""
        var data: [String] = []
        for try await chunk in response.body {
            buffer += String(buffer: chunk)
            while let end = buffer.range(of: "\n\n") {
                let block = buffer[..<end.lowerBound]
                buffer = String(buffer[end.upperBound...])
                data += block.split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
            }
            if data.count >= count { break }
        }
        return data
    }
}
