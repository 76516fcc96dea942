import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

@Suite(.serialized) struct ScopeOverHTTPTests {
    static func rights(_ branch: String) -> [Permission] {
        Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch(branch)) }
    }

    /// An employee with every right over branch A gets 404 — not 403 — for branch B's customer, on reads
    /// and writes alike, and writes nothing; branch B's employee reads it.
    @Test func anEmployeeOfBranchAGets404ForBranchBsCustomer() async throws {
        try await LiveServer.with("scope") { s in
            let (_, alice) = try await s.hire("Alice", branch: "A", permissions: Self.rights("A"))
            let (_, bob) = try await s.hire("Bob", branch: "B", permissions: Self.rights("B"))
            let created = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Customer of B", "group": "residential", "branch": "B"}"#)
            let id = try #require(text(created.json["id"]))
            let head = try await s.engine.store.headPosition()

            for path in ["/v1/customers/\(id)", "/v1/customers/\(id)/history", "/v1/records/customer-\(id.lowercased())/history",
                         "/v1/customers/\(id)?asOf=\(head.rawValue)"] {
                let answer = try await s.send(.GET, path, token: alice)
                #expect(answer.status == 404, "\(path): \(answer.text)")
                #expect(text(answer.json["type"]) == "urn:crm:problem:not-found")
            }
            let edit = try await s.send(.PATCH, "/v1/customers/\(id)", token: alice, json: #"{"name": "Mine now"}"#)
            #expect(edit.status == 404, "\(edit.text)")
            let task = try await s.send(.POST, "/v1/tasks", token: alice, json: """
                {"title": "Peek", "customerId": "\(id)", "dueAt": "2026-01-02T09:00:00Z", "assignee": "x"}
                """)
            #expect(task.status == 403 || task.status == 404, "\(task.text)")
            #expect(try await s.engine.store.headPosition() == head)
            let list = try await s.send(.GET, "/v1/customers?consistentWith=\(head.rawValue)", token: alice)
            #expect((list.json["items"] as? [[String: Any]])?.isEmpty == true)
            let search = try await s.send(.GET, "/v1/search?q=Customer&consistentWith=\(head.rawValue)", token: alice)
            #expect((search.json["items"] as? [[String: Any]])?.isEmpty == true)

            let bobs = try await s.send(.GET, "/v1/customers/\(id)", token: bob)
            #expect(bobs.status == 200, "\(bobs.text)")
        }
    }

    /// The customer 360 document an administrator's read left in the server's cache is never answered to
    /// someone who may see less of it; and the cache follows changes of the customer's related records.
    @Test func aCachedCustomer360IsNeitherServedToSomeoneWhoSeesLessNorStale() async throws {
        try await LiveServer.with("scope-cache") { s in
            let (_, clerk) = try await s.hire("Clerk", branch: "A", permissions: Self.rights("A").filter { $0.module != .tasks })
            let id = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#)
            let dispatched = try await s.expect(.POST, "/v1/tasks", """
                {"title": "Call back", "customerId": "\(id)", "kind": "followUp", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\(s.admin.id)"}
                """, status: 201)
            let taskID = try #require(text(dispatched.json["id"]))
            func openTasks(_ answer: LiveServer.Answer) -> [String] {
                (answer.json["openTasks"] as? [[String: Any]] ?? []).compactMap { text($0["id"])?.lowercased() }
            }
            let path = "/v1/customers/\(id)?consistentWith=\(text(dispatched.json["position"]) ?? "")"
            for _ in 0..<2 { #expect(openTasks(try await s.expect(.GET, path)) == [taskID.lowercased()]) }
            let clerks = try await s.send(.GET, path, token: clerk)
            #expect(clerks.status == 200, "\(clerks.text)")
            #expect(openTasks(clerks).isEmpty && !clerks.text.contains(taskID.uppercased()), "\(clerks.text)")

            let completed = try await s.expect(.POST, "/v1/tasks/\(taskID)/complete", #"{"resultNote": "done"}"#)
            let after = try await s.expect(.GET, "/v1/customers/\(id)?consistentWith=\(text(completed.json["position"]) ?? "")")
            #expect(openTasks(after).isEmpty)
            #expect((after.json["recentTasks"] as? [[String: Any]])?.compactMap { text($0["id"])?.lowercased() } == [taskID.lowercased()])
        }
    }

    /// X-Forwarded-For is believed only from a trusted proxy: the client IP recorded with the event.
    @Test func theClientIPIsThePeerUnlessATrustedProxyForwards() async throws {
        for (trusted, expected) in [(Set<String>(), "127.0.0.1"), (Set(["127.0.0.1"]), "203.0.113.9")] {
            try await LiveServer.with("ip", trustedProxies: trusted) { s in
                let created = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Ip Test", "group": "g"}"#,
                                               headers: [("X-Forwarded-For", "203.0.113.9")])
                let id = try #require(text(created.json["id"]))
                let event = try #require(try await s.engine.store.readStream(StreamID("customer-\(id.lowercased())"), from: .first, direction: .forward, limit: 1).first)
                #expect(event.metadata.clientIP == expected)
            }
        }
    }
}

/// Random and mutated JSON bodies against the write endpoints: the server stays up, answers every request
/// with a status below 500, and the log grows only by events of requests that were accepted.
@Suite(.serialized) struct RobustnessTests {
    static var count: Int { ProcessInfo.processInfo.environment["CRM_STRESS"] == nil ? 2_000 : 10_000 }

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    }

    static let valueSamples: [String] = [
        "null", "true", "false", "0", "-1", "1e308", "1e400", "3.14", "\"\"", "\"   \"", "\"x\"", "\"2026-01-02T09:00:00Z\"",
        "\"1980-05-04\"", "\"0190a1b2-0000-7000-8000-000000000001\"", "\"person\"", "\"faultRepair\"", "\"\\u0000\"", "\"北京燃气\"",
        "[]", "[1,2]", "{}", "{\"kind\":\"text\",\"value\":\"v\"}", "\"" + String(repeating: "y", count: 600) + "\"",
    ]

    static func mutate(_ text: String, _ g: inout Generator) -> String {
        var bytes = Array(text.utf8)
        switch g.next() % 5 {
        case 0 where !bytes.isEmpty: bytes.remove(at: Int(g.next() % UInt64(bytes.count)))
        case 1 where !bytes.isEmpty: bytes[Int(g.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: g.next())
        case 2: bytes.insert(g.pick(Array("{}[]\",:\\0e-".utf8)), at: Int(g.next() % UInt64(bytes.count + 1)))
        case 3 where bytes.count > 2: bytes = Array(bytes.prefix(Int(g.next() % UInt64(bytes.count))))
        default: bytes += Array(",\"extra\":1}".utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func randomAndMutatedBodiesNeverCrashTheServerNorWriteInvalidEvents() async throws {
        // Without the reactor, every event is a request's own, so each can be counted against its answer.
        try await LiveServer.with("robust", reactions: []) { s in
            let customer = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Seed", "group": "g"}"#)
            let customerID = try #require(text(customer.json["id"]))
            let task = try await s.send(.POST, "/v1/tasks", json: """
                {"title": "Seed task", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\(s.admin.id)"}
                """)
            let taskID = try #require(text(task.json["id"]))
            let contact = try await s.send(.POST, "/v1/contacts", json: #"{"customerId": "\#(customerID)", "name": "Seed contact"}"#)
            let contactID = try #require(text(contact.json["id"]))
            let campaign = try await s.send(.POST, "/v1/campaigns", json: """
                {"name": "Seed", "objective": "o", "owner": "\(s.admin.id)", "budget": {"amount": 1, "currency": "CNY"}, "start": "2026-01-10", "end": "2026-02-28"}
                """)
            let campaignID = try #require(text(campaign.json["id"]))
            let money = #"{"amount": 12.5, "currency": "CNY"}"#
            let line = #"{"productID": "0190a1b2-0000-7000-8000-0000000000aa", "productName": "P", "quantity": 2, "unitPrice": \#(money), "discountPercent": 0}"#
            let endpoints: [(HTTPMethod, String, [String: String])] = [
                (.POST, "/v1/customers", ["kind": "\"person\"", "name": "\"N\"", "group": "\"g\"", "birthday": "\"1980-05-04\"", "branch": "\"A\""]),
                (.PATCH, "/v1/customers/\(customerID)", ["name": "\"M\"", "industry": "null", "owner": "\"o\""]),
                (.POST, "/v1/tasks", ["title": "\"T\"", "dueAt": "\"2026-01-02T09:00:00Z\"", "assignee": "\"a\"", "customerId": "\"\(customerID)\""]),
                (.POST, "/v1/tasks/\(taskID)/accept", [:]),
                (.POST, "/v1/tickets", ["channel": "\"phone\"", "kind": "\"faultRepair\"", "severity": "\"high\"", "customerId": "\"\(customerID)\"",
                                        "subject": "\"S\"", "department": "\"d\""]),
                (.POST, "/v1/contacts", ["customerId": "\"\(customerID)\"", "name": "\"C\"", "role": "\"backup\"", "email": "\"a@b.cn\""]),
                (.PATCH, "/v1/contacts/\(contactID)", ["title": "\"T\"", "phone": "null"]),
                (.POST, "/v1/visits", ["customerId": "\"\(customerID)\"", "visitor": "\"v\"", "scheduledAt": "\"2026-01-02T09:00:00Z\"",
                                       "agenda": "\"A\"", "place": "\"P\"", "contacts": "[\"\(contactID)\"]"]),
                (.POST, "/v1/opportunities", ["customerId": "\"\(customerID)\"", "title": "\"O\"", "source": "\"s\"", "expectedRevenue": money,
                                              "closeDate": "\"2026-03-01\"", "owner": "\"o\""]),
                (.POST, "/v1/quotes", ["customerId": "\"\(customerID)\"", "customerCode": "\"SEED\"", "sequence": "1", "authorRole": "\"Administrator\"",
                                       "draft": #"{"lines": [\#(line)], "discountPercent": 0}"#]),
                (.POST, "/v1/settings/discount-limits", ["role": "\"r\"", "maxPercent": "5"]),
                (.POST, "/v1/campaigns/\(campaignID)/costs", ["id": "\"0190a1b2-0000-7000-8000-0000000000bb\"", "description": "\"d\"", "amount": money,
                                                             "date": "\"2026-01-12\""]),
                (.POST, "/v1/employees", ["name": "\"E\"", "position": "\"p\"", "branch": "\"A\"", "hiredOn": "\"2025-01-01\""]),
                (.POST, "/v1/revenue/entries", ["customerId": "\"\(customerID)\"", "chargeItem": "\"fee\"", "businessLine": "\"gas\"",
                                                "date": "\"2025-12-01\"", "amount": money]),
            ]
            var g = Generator(state: 0x5EED)
            var accepted = 0
            var acceptedEvents = 0
            let start = try await s.engine.store.headPosition()
            for _ in 0..<Self.count {
                let (method, path, template) = g.pick(endpoints)
                var fields = template
                for key in fields.keys where g.chance(30) { fields[key] = g.pick(Self.valueSamples) }
                if g.chance(20), let key = fields.keys.sorted().first { fields.removeValue(forKey: key) }
                if g.chance(10) { fields["unknown"] = g.pick(Self.valueSamples) }
                var body = "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
                if g.chance(30) { body = Self.mutate(body, &g) }
                let before = try await s.engine.store.headPosition()
                let answer = try await s.send(method, path, json: body)
                #expect(answer.status < 500, "\(method) \(path) \(body.prefix(200)) → \(answer.status) \(answer.text.prefix(200))")
                let after = try await s.engine.store.headPosition()
                if (200..<300).contains(answer.status) {
                    accepted += 1
                    acceptedEvents += Int(after.rawValue - before.rawValue)
                } else {
                    #expect(after == before, "a refused request wrote events: \(method) \(path) \(body.prefix(200))")
                    #expect(answer.header("Content-Type") == "application/problem+json")
                }
            }
            let end = try await s.engine.store.headPosition()
            #expect(Int(end.rawValue - start.rawValue) == acceptedEvents)
            #expect(accepted > 0)
            // Every event recorded decodes with the registry: the log holds only valid events.
            for event in try await s.engine.store.readAll(from: start.next, direction: .forward, limit: 1_000_000) {
                _ = try event.payload.withUnsafeBytes { try s.engine.registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
            }
            #expect(try await s.send(.GET, "/health", authenticated: false).status == 200)
        }
    }
}
