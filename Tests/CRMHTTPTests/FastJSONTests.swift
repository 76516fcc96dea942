@testable import CRMHTTP
import CRMProjections
import Foundation
import Testing

/// The hand-written JSON and instant reading of the hot paths give exactly what Foundation gives.
@Suite struct FastJSONTests {
    /// A customer 360 with every kind of field: nils and values, awkward text, fractional and old instants,
    /// decimal amounts, custom values, a loyalty balance.
    private static let sample = #"""
    {"profile": {"id": "019AE994-68FB-7289-A9F9-47BE7B0FB268", "kind": "person", "name": "Jörg \"Jo\" Müller / A\\B",
      "group": "residential", "branch": "berlin", "owner": "emp-1", "status": "active", "isArchived": false,
      "birthday": "1980-02-29", "customFields": [{"formGroup": "residential", "field": "note", "value": {"kind": "number", "value": 12.5}},
        {"formGroup": "residential", "field": "ref", "value": {"kind": "id", "value": "019AE994-68FB-7289-A9F9-47BE7B0FB2FD"}}],
      "externalKeys": [{"system": "erp", "key": "K-1/2"}, {"system": "crm", "key": "Q\\\"1"}], "absorbed": ["019AE994-68FB-7289-A9F9-47BE7B0FB2FF"],
      "industry": "gas", "founded": "1999-12-31", "community": "north", "mergedInto": "019AE994-68FB-7289-A9F9-47BE7B0FB2FE",
      "installations": [], "appointments": []},
     "contacts": [{"kind": "contact", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB269", "title": "Tab\tNew\nline\u0001 😀 </x>",
       "status": "active", "detail": "primary", "scope": {"owners": []}}],
     "openTasks": [{"kind": "task", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26A", "title": "Call", "status": "dispatched",
       "at": 1767225600.75, "owner": "emp-2", "scope": {"branch": "berlin", "community": "north", "group": "residential", "owners": ["emp-1", "emp-2"]}}],
     "recentTasks": [{"kind": "task", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26B", "title": "Old", "status": "completed",
       "at": -86399.5, "scope": {"group": "residential", "owners": ["emp-1"]}}],
     "openTickets": [], "recentTickets": [], "recentActivity": [],
     "openOpportunities": [{"kind": "opportunity", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26C", "title": "Boiler", "status": "open",
       "detail": "found", "at": 1700000000, "day": "2026-09-22", "amount": {"amount": 15500, "currency": "EUR"},
       "owner": "emp-1", "scope": {"branch": "berlin", "owners": []}}],
     "closedOpportunities": [], "openQuotes": [{"kind": "quote", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26D", "title": "Q-1",
       "status": "draft", "amount": {"amount": -0.05, "currency": "USD"}, "scope": {"community": "c", "owners": []}}],
     "closedQuotes": [], "contracts": [], "endedContracts": [], "productsHeld": [],
     "revenue": [{"amount": 1234.56, "currency": "EUR"}, {"amount": 0, "currency": "USD"}], "loyaltyBalance": -7}
    """#

    /// ... with money amounts as exact decimal strings (``JSONOutput/moneyAsText(_:)``), as record answers write them.
    @Test func theCustomer360IsWrittenByteForByteAsTheEncoderWritesIt() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        var view = try decoder.decode(Customer360.self, from: Data(Self.sample.utf8))
        #expect(try Customer360JSON.encode(view) == JSONOutput.moneyAsText(try JSONOutput.encode(view)))
        #expect(String(decoding: try Customer360JSON.encode(view), as: UTF8.self).contains(#""revenue":[{"amount":"1234.56","currency":"EUR"},{"amount":"0","currency":"USD"}]"#))
        view.loyaltyBalance = nil
        view.revenue = []
        view.profile.customFields = []
        view.profile.externalKeys = []
        view.profile.absorbed = []
        (view.profile.industry, view.profile.founded, view.profile.mergedInto, view.profile.branch) = (nil, nil, nil, nil)
        #expect(String(decoding: try Customer360JSON.encode(view), as: UTF8.self) == String(decoding: try JSONOutput.moneyAsText(JSONOutput.encode(view)), as: UTF8.self))
    }

    @Test func wholeSecondInstantsAreReadAsFoundationReadsThem() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for text in ["2027-01-04T09:00:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z",
                     "2026-03-01T09:00:00+01:00", "2026-03-01T09:00:00-05:30", "0001-01-01T00:00:00Z", "2400-12-31T12:00:00Z"] {
            #expect(parseInstant(text) == formatter.date(from: text), "\(text)")
        }
        #expect(parseWholeSecondInstant("2027-01-04T09:00:00Z") != nil)
        for text in ["2026-02-29T00:00:00Z", "1582-12-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00.5Z", "x"] {
            #expect(parseWholeSecondInstant(text) == nil, "\(text)")
        }
        #expect(parseInstant("2026-01-01T00:00:00.5Z") == formatter.date(from: "2026-01-01T00:00:00Z")?.addingTimeInterval(0.5))
    }

    /// Foundation's reading of a body into ``JSONValue`` (what the server did before ``JSONParser``).
    private static func foundation(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func requestBodiesAreReadAsFoundationReadsThem() throws {
        let bodies = [
            #"{"title": "Load test follow-up", "dueAt": "2027-01-04T09:00:00Z", "assignee": "load-test", "kind": "followUp"}"#,
            #"{"a": [1, -2, 3.25, -0.5, 0, 1e3, 2E-2, 12345678901234567890.125, -0], "b": {"c": null, "d": true, "e": false}}"#,
            #"{"s": "quote \" backslash \\ slash \/ \b\f\n\r\t \u00e9 \u4e2d\u6587 \ud83d\ude00 plain é 中文 😀"}"#,
            " \n\t{ \"nested\" : [ [ ], { }, [ { \"x\" : [ 1 ] } ] ] } \r\n",
            #"{"money": {"amount": 1234.56, "currency": "EUR"}, "empty": "", "zero": 0.0}"#,
            "{}",
        ]
        for body in bodies {
            let expected = try #require(Self.foundation(body), "\(body)")
            #expect(try JSONParser.parse(Array(body.utf8)) == expected, "\(body)")
        }
        // Unlike Foundation (last value wins), a key named twice is refused, at any depth.
        #expect(throws: JSONParser.Malformed(offset: 9, duplicateKey: true)) { try JSONParser.parse(Array(#"{"k": 1, "k": 2}"#.utf8)) }
        #expect(throws: JSONParser.Malformed.self) { try JSONParser.parse(Array(#"{"a": [{"k": 1, "k": 1}]}"#.utf8)) }
        #expect(throws: Never.self) { try JSONParser.parse(Array(#"{"k": {"k": 1}, "j": [{"k": 2}, {"k": 3}]}"#.utf8)) }
    }

    @Test func malformedBodiesAreRefusedWhereFoundationRefusesThem() throws {
        let bodies = [
            "", " ", "{", "}", "{\"a\"}", "{\"a\": }", "{\"a\": 01}", "{\"a\": 1.}", "{\"a\": .5}",
            "{\"a\": -}", "{\"a\": 1e}", "{\"a\": +1}", "{\"a\": tru}", "{\"a\": nul}", "{\"a\": \"x}", "{\"a\": \"\\x\"}",
            "{\"a\": \"\\u12\"}", "{\"a\": \"\\ud800\"}", "{\"a\": \"\\udc00\"}", "{\"a\": \"tab\there\"}", "{a: 1}", "{'a': 1}",
            "{\"a\": 1} x", "{\"a\": 1}{}", "{\"a\" 1}", "{\"a\": [1 2]}", "{\"a\": NaN}", "{\"a\": Infinity}",
        ]
        for body in bodies {
            #expect(Self.foundation(body) == nil, "Foundation accepts \(body.debugDescription)")
            #expect(throws: JSONParser.Malformed.self, "\(body.debugDescription)") { try JSONParser.parse(Array(body.utf8)) }
        }
        // Trailing commas, which Foundation let through, are not JSON (RFC 8259) and are refused too.
        for body in ["{\"a\": 1,}", "{\"a\": [1,]}"] {
            #expect(throws: JSONParser.Malformed.self, "\(body.debugDescription)") { try JSONParser.parse(Array(body.utf8)) }
        }
        // Invalid UTF-8 inside a string.
        #expect(throws: JSONParser.Malformed.self) { try JSONParser.parse([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]) }
    }

    @Test func nestingBeyondTheLimitIsRefusedWithoutExhaustingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Malformed.self) { try JSONParser.parse(Array(("{\"a\": " + deep + "}").utf8)) }
        let allowed = String(repeating: "[", count: JSONParser.maxDepth - 1) + String(repeating: "]", count: JSONParser.maxDepth - 1)
        #expect(try JSONParser.parse(Array(("{\"a\": " + allowed + "}").utf8)) != .null)
    }

    @Test func aCommandAnswerIsWrittenByteForByteAsTheEncoderWritesIt() throws {
        let event = CommandAnswer.Event(id: UUID(), type: "TaskDispatched", version: 1, position: 30_060, recordedAt: Date(timeIntervalSince1970: 1_767_225_600.123456))
        var answer = CommandAnswer(id: UUID(), stream: "task-019ae994-68fb-7289-a9f9-47be7b0fb268", version: 3, position: 30_061, events: [
            event, CommandAnswer.Event(id: UUID(), type: "Quote\"Odd", version: 2, position: 30_061, recordedAt: Date(timeIntervalSince1970: -1.5)),
        ])
        #expect(String(decoding: answer.json(), as: UTF8.self) == String(decoding: try JSONOutput.encode(answer), as: UTF8.self))
        answer.id = nil
        answer.events = []
        #expect(String(decoding: answer.json(), as: UTF8.self) == String(decoding: try JSONOutput.encode(answer), as: UTF8.self))
    }
}
