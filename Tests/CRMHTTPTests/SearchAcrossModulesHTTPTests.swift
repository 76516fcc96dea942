import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// `/v1/search` over research data, the contact log and visits (R-ANA-6), and `/v1/activity?contactId=`,
/// against the real server.
@Suite(.serialized) struct SearchAcrossModulesHTTPTests {
    @Test func searchFindsASurveyResponseAndLoggedContactsAndActivityNarrowsToAContact() async throws {
        try await LiveServer.with("search-across") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Peony Court", "group": "retail", "branch": "head-office"}"#)
            let other = try await s.created("/v1/customers", #"{"kind": "person", "name": "Peony Hall", "group": "retail", "branch": "head-office"}"#)
            let contact = try await s.created("/v1/contacts", #"{"customerId": "\#(customer)", "name": "Qian Yu", "role": "primary"}"#)
            let withContact = try await s.created("/v1/contact-log", #"""
                {"customerId": "\#(customer)", "contactId": "\#(contact)", "channel": "phone", "subject": "Gas smell report", "occurredAt": "2025-12-01T10:00:00Z"}
                """#)
            _ = try await s.created("/v1/contact-log", #"{"customerId": "\#(customer)", "channel": "email", "subject": "Invoice copy", "occurredAt": "2025-12-02T10:00:00Z"}"#)
            let customerID = try #require(UUID(uuidString: customer)), survey = UUID.derived("survey", "http")
            try await s.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Safety check", questions: [
                SurveyQuestion(id: "q1", prompt: "Safe?", kind: .rating, isRequired: true, scale: 5),
            ])), as: s.admin)
            try await s.engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(customerID)]), as: s.admin)
            try await s.engine.execute(Survey.self, id: survey, .respond(responseID: UUID.derived("response", "http"), recipient: .customer(customerID),
                                                                         answers: [.rating("q1", 5)]), as: s.admin)
            let head = try await s.engine.store.headPosition().rawValue

            let found = try await s.expect(.GET, "/v1/search?q=peony%20court&consistentWith=\(head)")
            let items = (found.json["items"] as? [[String: Any]]) ?? []
            let kinds = Set(items.compactMap { text($0["kind"]) })
            #expect(kinds == ["customer", "contact", "contactLog", "survey", "surveyResponse"], "\(found.text.prefix(600))")
            let response = try #require(items.first { text($0["kind"]) == "surveyResponse" })
            #expect(text(response["title"]) == "Safety check" && text(response["parentID"])?.lowercased() == survey.lowercasedString)
            let bySubject = try await s.expect(.GET, "/v1/search?q=smell&consistentWith=\(head)")
            #expect(((bySubject.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["id"])?.lowercased() } == [withContact.lowercased()])

            let narrowed = try await s.expect(.GET, "/v1/activity?customerId=\(customer)&contactId=\(contact)&consistentWith=\(head)")
            let entries = (narrowed.json["items"] as? [[String: Any]]) ?? []
            #expect(entries.compactMap { text($0["subject"]) } == ["Gas smell report"], "\(narrowed.text.prefix(600))")
            #expect((entries.first?["contacts"] as? [String])?.map { $0.lowercased() } == [contact.lowercased()])
            let all = try await s.expect(.GET, "/v1/activity?customerId=\(customer)&consistentWith=\(head)")
            #expect(((all.json["items"] as? [[String: Any]]) ?? []).count == 2)
            let none = try await s.expect(.GET, "/v1/activity?customerId=\(other)&contactId=\(contact)&consistentWith=\(head)")
            #expect(((none.json["items"] as? [[String: Any]]) ?? []).isEmpty)
            let bad = try await s.send(.GET, "/v1/activity?customerId=\(customer)&contactId=nope")
            #expect(bad.status == 400 && text(bad.json["field"]) == "contactId", "\(bad.text)")
        }
    }
}
