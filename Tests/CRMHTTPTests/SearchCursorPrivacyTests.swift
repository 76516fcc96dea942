import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// `/v1/search`'s `after` cursor names the page's last hit by kind, id and score (and a survey response's
/// customer), never by its title — a customer's or contact's name, a ticket's or contact's subject (cursors
/// land in URLs, browser history and proxy logs). The engine rebuilds that hit's place from the index: a
/// retitled hit pages on from its new place, and one the caller may not see is refused exactly as an unknown one.
@Suite(.serialized) struct SearchCursorPrivacyTests {
    /// A cursor text's bytes (base64url without padding), nil when it is not base64url.
    func decoded(_ cursor: String) -> [UInt8]? {
        var s = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }

    func idBytes(_ id: String) throws -> [UInt8] {
        let uuid = try #require(UUID(uuidString: id))
        return withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }

    /// A well-formed search cursor for `q` naming a customer hit `id` with `score`, as a client could write
    /// one: kind code 1, the id, the score (sign-flipped big-endian) and the (public) check of form.
    func forged(customer id: UUID, score: Int64 = 2, q: String = "zebra") -> String {
        let bytes = [1] + withUnsafeBytes(of: id.uuid) { Array($0) } + withUnsafeBytes(of: (UInt64(bitPattern: score) ^ (1 << 63)).bigEndian) { Array($0) }
        var hash: UInt32 = 0x811C_9DC5
        for byte in Array("crm-cursor-2".utf8) + Array("/v1/search?q=\(q)&".utf8) + [0] + bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let check = [UInt8(truncatingIfNeeded: hash >> 24), UInt8(truncatingIfNeeded: hash >> 16), UInt8(truncatingIfNeeded: hash >> 8),
                     UInt8(truncatingIfNeeded: hash)]
        return Data(bytes + check).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func items(_ answer: LiveServer.Answer) -> [[String: Any]] { (answer.json["items"] as? [[String: Any]]) ?? [] }
    func titles(_ answer: LiveServer.Answer) -> [String] { items(answer).compactMap { text($0["title"]) } }

    func customer(_ s: LiveServer, _ name: String, branch: String = "north") async throws -> String {
        try await s.created("/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "residential", "branch": "\#(branch)"}"#)
    }

    func head(_ s: LiveServer) async throws -> UInt64 { try await s.engine.store.headPosition().rawValue }

    @Test func theSearchCursorNamesTheLastHitByKindIdAndScoreAndCarriesNoTitle() async throws {
        try await LiveServer.with("search-cursor-kinds") { s in
            // A customer, its contact, a contact log entry and a survey response: every kind of place a cursor names.
            let customer = try await customer(s, "Peony Secretcourt")
            _ = try await s.created("/v1/contacts", #"{"customerId": "\#(customer)", "name": "Qian Hiddenname", "role": "primary"}"#)
            _ = try await s.created("/v1/contact-log", #"""
                {"customerId": "\#(customer)", "channel": "phone", "subject": "Gas privatesmell report", "occurredAt": "2025-12-01T10:00:00Z"}
                """#)
            let customerID = try #require(UUID(uuidString: customer)), survey = UUID.derived("survey", "cursor-privacy")
            try await s.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Safety innercheck", questions: [
                SurveyQuestion(id: "q1", prompt: "Safe?", kind: .rating, isRequired: true, scale: 5),
            ])), as: s.admin)
            try await s.engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(customerID)]), as: s.admin)
            try await s.engine.execute(Survey.self, id: survey, .respond(responseID: UUID.derived("response", "cursor-privacy"),
                                                                         recipient: .customer(customerID), answers: [.rating("q1", 5)]), as: s.admin)
            let whole = items(try await s.expect(.GET, "/v1/search?q=peony%20secretcourt&consistentWith=\(try await head(s))"))
            #expect(Set(whole.compactMap { text($0["kind"]) }) == ["customer", "contact", "contactLog", "survey", "surveyResponse"])

            var walked: [[String: Any]] = []
            var next: String? = "/v1/search?q=peony%20secretcourt&limit=1"
            while let path = next, walked.count < 10 {
                let page = try await s.expect(.GET, path)
                walked += items(page)
                next = text(page.json["next"])
                guard let after = text(page.json["after"]), let last = items(page).last else { continue }
                let bytes = try #require(decoded(after), "\(after)")
                // Kind code, id, score, (a response's customer), a 4-byte check: no title, folded or not.
                let kind = text(last["kind"])
                #expect(bytes.count == (kind == "surveyResponse" ? 45 : 29), "\(kind ?? "?"): \(bytes.count) bytes")
                #expect(Array(bytes[1..<17]) == (try idBytes(try #require(text(last["id"])))))
                let readable = String(decoding: bytes, as: UTF8.self).lowercased()
                for word in ["peony", "secretcourt", "hiddenname", "privatesmell", "innercheck"] {
                    #expect(!readable.contains(word), "\(word) in the cursor of a \(kind ?? "?")")
                }
            }
            // Every hit once, in the order of the unpaged search.
            #expect(walked.compactMap { text($0["id"]) } == whole.compactMap { text($0["id"]) })
        }
    }

    @Test func aSearchCursorOfARetitledHitPagesOnFromItsNewPlace() async throws {
        try await LiveServer.with("search-cursor-rename") { s in
            var ids: [String: String] = [:]
            for name in ["Ann", "Ben", "Cat", "Dan", "Eve"] { ids[name] = try await customer(s, "Zebra \(name)") }
            let first = try await s.expect(.GET, "/v1/search?q=zebra&limit=2&consistentWith=\(try await head(s))")
            #expect(titles(first) == ["Zebra Ann", "Zebra Ben"])
            let after = try #require(text(first.json["after"]))
            // Nothing changed: the next page starts right after Ben.
            #expect(titles(try await s.expect(.GET, "/v1/search?q=zebra&limit=2&after=\(after)")) == ["Zebra Cat", "Zebra Dan"])
            // Ben, the page's last, is renamed "Zebra Dora": the next page starts after Dora's place.
            try await s.expect(.PATCH, "/v1/customers/\(try #require(ids["Ben"]))", #"{"name": "Zebra Dora"}"#)
            let second = try await s.expect(.GET, "/v1/search?q=zebra&limit=2&after=\(after)&consistentWith=\(try await head(s))")
            #expect(titles(second) == ["Zebra Eve"], "\(second.text.prefix(300))")
        }
    }

    @Test func aSearchCursorOfAHitTheCallerMayNotSeeIsRefusedExactlyAsAnUnknownOne() async throws {
        try await LiveServer.with("search-cursor-scope") { s in
            let south = try await customer(s, "Zebra Aaa", branch: "south")
            let ann = try await customer(s, "Zebra Ann")
            _ = try await customer(s, "Zebra Ben")
            _ = try await customer(s, "Zebra Cat")
            let alice = try await s.hire("Alice", branch: "north", permissions: [
                Permission(module: .customers, actions: Permission.Action.allCases, scope: .branch("north")),
            ]).token
            let first = try await s.send(.GET, "/v1/search?q=zebra&limit=1&consistentWith=\(try await head(s))", token: alice)
            #expect(first.status == 200 && titles(first) == ["Zebra Ann"], "\(first.text.prefix(300))")
            let annCursor = try #require(text(first.json["after"]))
            #expect(annCursor == forged(customer: try #require(UUID(uuidString: ann))))
            #expect(titles(try await s.send(.GET, "/v1/search?q=zebra&limit=1&after=\(annCursor)", token: alice)) == ["Zebra Ben"])

            /// The problem answered, without its `instance`.
            func refused(_ cursor: String) async throws -> [String: String] {
                let answer = try await s.send(.GET, "/v1/search?q=zebra&limit=1&after=\(cursor)", token: alice)
                #expect(answer.status == 400, "\(answer.status) \(answer.text.prefix(300))")
                #expect(text(answer.json["type"]) == "urn:crm:problem:invalid-field" && text(answer.json["field"]) == "after", "\(answer.text)")
                #expect(!answer.text.contains("Zebra"), "\(answer.text)")
                return answer.json.compactMapValues(text).filter { $0.key != "instance" }
            }
            // Another branch's customer (the admin's own cursor for it) and an id no record has: one answer.
            let adminFirst = try await s.expect(.GET, "/v1/search?q=zebra&limit=1")
            #expect(titles(adminFirst) == ["Zebra Aaa"])
            let southCursor = try #require(text(adminFirst.json["after"]))
            #expect(southCursor == forged(customer: try #require(UUID(uuidString: south))))
            let unknown = try await refused(forged(customer: UUID()))
            #expect(try await refused(southCursor) == unknown)
            // Ann moved to the south branch: Alice's cursor leads on from a hit she no longer sees.
            try await s.expect(.PATCH, "/v1/customers/\(ann)", #"{"branch": "south"}"#)
            _ = try await s.send(.GET, "/v1/search?q=zebra&limit=1&consistentWith=\(try await head(s))")
            #expect(try await refused(annCursor) == unknown)
            // The admin, who still sees Ann, pages on from her.
            #expect(titles(try await s.expect(.GET, "/v1/search?q=zebra&limit=1&after=\(annCursor)")) == ["Zebra Ben"])
        }
    }
}
