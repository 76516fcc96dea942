import CRMDomain
import CRMEngine
import Foundation
import Testing

/// Customer forms over HTTP: one form per folded group name, clashing field names refused, and a field
/// read from `GET /v1/forms/{group}` sent back as it was answered.
@Suite(.serialized) struct CustomerFormFindingsHTTPTests {
    @Test func aGroupSpelledLikeAnotherInCaseWidthOrSpacesIsAlreadyDefined() async throws {
        try await LiveServer.with("form-groups") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "sme"}"#, status: 201)
            for group in ["SME", "ｓｍｅ", " sme "] {
                let again = try await s.send(.POST, "/v1/forms", json: #"{"group": "\#(group)"}"#)
                #expect(again.status == 409, "\(group): \(again.text)")
            }
            // Only one definition was recorded, and a group of another name is still welcome.
            #expect(try await s.engine.customerGroups().names == ["sme"])
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "大客户"}"#, status: 201)
            // A group named in other letters than ASCII is read by its name, percent-encoded in the path.
            let read = try await s.send(.GET, "/v1/forms/%E5%A4%A7%E5%AE%A2%E6%88%B7")
            #expect(read.status == 200, "\(read.text)")
            #expect(read.text.contains("大客户"), "\(read.text)")
        }
    }

    @Test func aFieldClashingWithAnotherCaseInsensitivelyIsRefused() async throws {
        try await LiveServer.with("form-fields") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "sme", "fields": [{"name": "employees", "label": "Employees", "type": "number", "required": false, "options": []}]}"#, status: 201)
            let upper = try await s.send(.POST, "/v1/forms/sme/fields", json: #"{"name": "Employees", "label": "Staff", "type": "number", "required": false, "options": []}"#)
            #expect(upper.status == 409, "\(upper.text)")
            let labelled = try await s.send(.POST, "/v1/forms/sme/fields", json: #"{"name": "headcount", "label": "employees", "type": "number", "required": false, "options": []}"#)
            #expect(labelled.status == 422, "\(labelled.text)")
            #expect(text(labelled.json["field"]) == "label", "\(labelled.text)")
        }
    }

    @Test func aFieldIsAcceptedAsTheFormAnswersIt() async throws {
        try await LiveServer.with("form-bounds") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "sme"}"#, status: 201)
            try await s.expect(.POST, "/v1/forms/sme/fields", #"{"name": "employees", "label": "Employees", "type": "number", "required": false, "minimum": "0", "maximum": 500, "options": []}"#)
            let form = try await s.expect(.GET, "/v1/forms/sme")
            let fields = (form.json["definition"] as? [String: Any])?["fields"] as? [[String: Any]]
            let field = try #require(fields?.first)
            #expect(text(field["minimum"]) == "0", "\(form.text)")
            // The field as answered, with a new label, is a valid change.
            var changed = field
            changed["label"] = "Staff count"
            let body = String(decoding: try JSONSerialization.data(withJSONObject: changed), as: UTF8.self)
            try await s.expect(.POST, "/v1/forms/sme/fields/change", body)
        }
    }
}
