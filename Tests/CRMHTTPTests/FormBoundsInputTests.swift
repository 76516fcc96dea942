import CRMDomain
import CRMEngine
import Foundation
import Testing

/// A custom form field's `minimum` and `maximum` are read as every other decimal a body takes: a JSON number or
/// an exact decimal string (`"0"`, as `GET /v1/forms/{group}` answers them), anything else a 400 naming the
/// member, its value not repeated, nothing written. They had a more lenient reading of their own
/// (`" 5"`, `"+5"`, `".5"`, `"5."` were taken).
@Suite struct FormBoundsInputTests {
    static let refusedTexts = [" 5", "5 ", "+5", ".5", "5.", "5abc", "NaN", "0x10", "", "1,5"]

    @Test func aBoundThatIsNoExactDecimalStringIsRefusedNamingIt() async throws {
        try await LiveServer.with("form-bounds-text") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "sme"}"#, status: 201)
            let head = try await s.engine.store.headPosition()
            for bad in Self.refusedTexts {
                let added = try await s.send(.POST, "/v1/forms/sme/fields", json: """
                    {"name": "employees", "label": "Employees", "type": "number", "minimum": "\(bad)"}
                    """)
                #expect(added.status == 400 && text(added.json["field"]) == "minimum", "\(bad): \(added.text)")
                let defined = try await s.send(.POST, "/v1/forms", json: """
                    {"group": "retail", "fields": [{"name": "volume", "label": "Volume", "type": "money", "maximum": "\(bad)"}]}
                    """)
                #expect(defined.status == 400 && text(defined.json["field"]) == "fields[0].maximum", "\(bad): \(defined.text)")
            }
            for distinctive in ["5abc", "NaN", "0x10"] {
                let refused = try await s.send(.POST, "/v1/forms/sme/fields", json: """
                    {"name": "employees", "label": "Employees", "type": "number", "maximum": "\(distinctive)"}
                    """)
                #expect(refused.status == 400 && !refused.text.contains(distinctive), "the value is not repeated: \(refused.text)")
            }
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")

            // Exact decimal strings and numbers are taken, and read back as exact decimal strings.
            try await s.expect(.POST, "/v1/forms/sme/fields", #"{"name": "employees", "label": "Employees", "type": "number", "minimum": "-2.5", "maximum": 1000}"#)
            let form = try await s.expect(.GET, "/v1/forms/sme")
            let field = ((form.json["definition"] as? [String: Any])?["fields"] as? [[String: Any]])?.first
            #expect(text(field?["minimum"]) == "-2.5" && text(field?["maximum"]) == "1000", "\(form.text)")
        }
    }

    /// The same texts as an exchange rate (another `Decimal` member of a body) are taken or refused.
    @Test func aBoundTakesExactlyTheDecimalStringsAnExchangeRateTakes() async throws {
        try await LiveServer.with("form-bounds-alike") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "sme"}"#, status: 201)
            for (index, candidate) in (Self.refusedTexts + ["7", "7.25", "1e3", "0.5"]).enumerated() {
                let bound = try await s.send(.POST, "/v1/forms/sme/fields", json: """
                    {"name": "n\(index)", "label": "N\(index)", "type": "number", "minimum": "\(candidate)"}
                    """)
                let rate = try await s.send(.POST, "/v1/settings/exchange-rates", json: """
                    {"from": "USD", "to": "CNY", "rate": "\(candidate)", "validFrom": "2026-01-\(String(format: "%02d", index + 1))"}
                    """)
                #expect([200, 201].contains(bound.status) == [200, 201].contains(rate.status),
                        "\"\(candidate)\": bound \(bound.status) \(bound.text), rate \(rate.status) \(rate.text)")
                #expect(bound.status < 300 || bound.status == 400, "\"\(candidate)\": \(bound.text)")
            }
        }
    }
}
