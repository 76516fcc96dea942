import CRMDomain
import CRMEngine
@testable import CRMHTTP
import EventSourcing
import Foundation
import Testing

/// The encoder every JSON answer goes through (``LowercasedUUIDs``) changes nothing but the ids' case; the
/// routes themselves are checked by ``LowerCaseIdsEverywhereTests``.
@Suite struct LowerCaseIdsTests {
    /// Everything but the ids' case is written as the plain encoder writes it: instants, decimals, optionals,
    /// enums, arrays, dictionaries and nested values, at any depth.
    @Test func onlyTheCaseOfTheIdsDiffersFromThePlainEncoding() throws {
        enum Kind: String, Codable { case a, b }
        enum Choice: Codable { case id(UUID), none }
        struct Inner: Codable { var id: UUID; var ids: [UUID?]; var at: Date; var amount: Decimal; var kind: Kind }
        struct Outer: Codable {
            var id: UUID
            var missing: UUID?
            var present: UUID?
            var inner: Inner
            var byName: [String: UUID]
            var choices: [Choice]
            var nested: [[Inner]]
            var text: String
        }
        let id = UUID.derived("lower", "case")
        let inner = Inner(id: id, ids: [id, nil], at: Date(timeIntervalSince1970: 1_767_225_600), amount: Decimal(string: "12.50") ?? 0, kind: .b)
        let value = Outer(id: id, missing: nil, present: id, inner: inner, byName: ["x": id], choices: [.id(id), .none],
                          nested: [[inner]], text: id.uuidString)
        let plain = String(decoding: try JSONOutput.encoder().encode(value), as: UTF8.self)
        let lowered = String(decoding: try JSONOutput.encoder().encode(LowercasedUUIDs(value)), as: UTF8.self)
        // Every id lowercased, but a text that merely looks like one stays as it is.
        let expected = plain.replacingOccurrences(of: "\"\(id.uuidString)\"", with: "\"\(id.lowercasedString)\"")
            .replacingOccurrences(of: "\"text\":\"\(id.lowercasedString)\"", with: "\"text\":\"\(id.uuidString)\"")
        #expect(lowered == expected)
        #expect(plain != lowered && plain.contains(id.uuidString))
        #expect(String(decoding: try JSONOutput.encoder().encode(LowercasedUUIDs(id)), as: UTF8.self) == "\"\(id.lowercasedString)\"")
    }
}
