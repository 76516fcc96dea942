import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A survey distribution may name up to `Survey.maximumRecipientsPerDistribution` recipients: its route takes
/// a body large enough for that many (the general 64 KiB would refuse one of about 640 KB long before), and
/// a body past even that is a 413 with nothing written.
@Suite struct SurveyDistributionBodyTests {
    /// `count` partner recipients (partners are not looked up), each entry followed by `padding` spaces.
    static func recipients(_ count: Int, padding: Int = 0, offset: Int = 0) -> String {
        let gap = "," + String(repeating: " ", count: padding)
        let entries = (0..<count).map { i in
            String(format: #"{"kind": "partner", "id": "00000000-0000-4000-8000-%012d"}"#, i + offset)
        }
        return #"{"recipients": ["# + entries.joined(separator: gap) + "]}"
    }

    static func survey(_ s: LiveServer) async throws -> (id: String, version: () async throws -> UInt64) {
        let template = try await s.created("/v1/survey-templates", #"{"title": "Reach", "questions": [{"id": "q1", "prompt": "How was it?", "kind": "rating", "isRequired": true, "scale": 5}]}"#)
        let survey = try await s.created("/v1/surveys", #"{"templateId": "\#(template)"}"#)
        let stream = StreamID(category: "survey", id: survey.lowercased())
        return (survey, { try await s.engine.store.streamVersion(of: stream).rawValue })
    }

    @Test func aDistributionOfTheDomainsCapOfRecipientsIsAcceptedOverHTTP() async throws {
        try await LiveServer.with("distribution-cap") { s in
            let (survey, version) = try await Self.survey(s)
            let body = Self.recipients(Survey.maximumRecipientsPerDistribution)
            #expect(body.utf8.count > 64 * 1024)
            // With an Idempotency-Key too: the middleware that digests the body collects it under the route's limit.
            let answer = try await s.send(.POST, "/v1/surveys/\(survey)/distribute", json: body, headers: [("Idempotency-Key", "reach-all")])
            #expect(answer.status == 200, "\(answer.status) \(answer.text.prefix(300))")
            let written = try await version()
            let again = try await s.send(.POST, "/v1/surveys/\(survey)/distribute", json: Self.recipients(Survey.maximumRecipientsPerDistribution, offset: 20_000))
            #expect(again.status == 200, "\(again.status) \(again.text.prefix(300))")
            #expect(try await version() == written + 1)
        }
    }

    @Test func oneRecipientOverTheCapIsRefusedByTheDomainRuleNotTheBodyLimit() async throws {
        try await LiveServer.with("distribution-over-cap") { s in
            let (survey, version) = try await Self.survey(s)
            let before = try await version()
            let answer = try await s.send(.POST, "/v1/surveys/\(survey)/distribute", json: Self.recipients(Survey.maximumRecipientsPerDistribution + 1))
            #expect(answer.status == 422 && text(answer.json["reason"]) == "invalid" && text(answer.json["field"]) == "recipients",
                    "\(answer.status) \(answer.text.prefix(300))")
            #expect(try await version() == before)
        }
    }

    @Test func aDistributionBodyPastTheRoutesLimitIs413WithNothingWritten() async throws {
        try await LiveServer.with("distribution-oversize") { s in
            let (survey, version) = try await Self.survey(s)
            let before = try await version()
            // Valid JSON naming the cap's recipients, but padded past the route's limit.
            let body = Self.recipients(Survey.maximumRecipientsPerDistribution, padding: 130)
            #expect(body.utf8.count > Survey.maximumRecipientsPerDistribution * 128 + 64 * 1024)
            for headers in [[], [("Idempotency-Key", "too-big")]] {
                let answer = try await s.send(.POST, "/v1/surveys/\(survey)/distribute", json: body, headers: headers)
                #expect(answer.status == 413 && text(answer.json["type"]) == "urn:crm:problem:payload-too-large", "\(answer.status) \(answer.text.prefix(300))")
                #expect(try await version() == before)
            }
        }
    }

    @Test func otherRoutesKeepTheGeneralBodyLimit() async throws {
        try await LiveServer.with("distribution-others") { s in
            let (survey, _) = try await Self.survey(s)
            let padded = #"{"recipient": {"kind": "partner", "id": "00000000-0000-4000-8000-000000000001"}, "answers": []"#
                + String(repeating: " ", count: 70_000) + "}"
            for headers in [[], [("Idempotency-Key", "padded")]] {
                let answer = try await s.send(.POST, "/v1/surveys/\(survey)/responses", json: padded, headers: headers)
                #expect(answer.status == 413, "\(answer.status) \(answer.text.prefix(300))")
            }
        }
    }
}
