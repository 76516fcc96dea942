import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The customer list's `after` cursor carries the last listed customer's id, never its name (cursors land
/// in URLs, browser history and proxy logs); the engine finds that customer's place by id: a renamed one
/// pages on from its new name's place, and one the caller may not see is refused exactly as an unknown one.
@Suite(.serialized) struct CursorPrivacyTests {
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

    /// A well-formed cursor of the unfiltered customer list naming `id`, as a client could write one: the id's
    /// bytes and the (public) check of form, FNV-1a as ``PageCursor`` computes it.
    func forged(_ id: UUID, list: String = "/v1/customers?") -> String {
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        var hash: UInt32 = 0x811C_9DC5
        for byte in Array("crm-cursor-2".utf8) + Array(list.utf8) + [0] + bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let check = [UInt8(truncatingIfNeeded: hash >> 24), UInt8(truncatingIfNeeded: hash >> 16), UInt8(truncatingIfNeeded: hash >> 8),
                     UInt8(truncatingIfNeeded: hash)]
        return Data(bytes + check).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func names(_ answer: LiveServer.Answer) -> [String] {
        ((answer.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["name"]) }
    }

    func customer(_ s: LiveServer, _ name: String, branch: String = "north") async throws -> String {
        try await s.created("/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "residential", "branch": "\#(branch)"}"#)
    }

    func head(_ s: LiveServer) async throws -> UInt64 { try await s.engine.store.headPosition().rawValue }

    @Test func theCustomerListCursorCarriesTheLastCustomersIdAndNoName() async throws {
        try await LiveServer.with("cursor-privacy-id") { s in
            let names = ["Ann Secretname", "Ben Hiddenname", "Cat Privatename"]
            var ids: [String: String] = [:]
            for name in names { ids[name] = try await customer(s, name) }
            var seen: [String] = []
            var next: String? = "/v1/customers?limit=1&consistentWith=\(try await head(s))"
            while let path = next, seen.count < 10 {
                let page = try await s.expect(.GET, path)
                let listed = self.names(page)
                seen += listed
                next = text(page.json["next"])
                guard let after = text(page.json["after"]) else { continue }
                let bytes = try #require(decoded(after), "\(after)")
                // The id's 16 bytes and a 4-byte check: no name, folded or not.
                #expect(bytes.count == 20, "\(bytes.count) bytes")
                let lastName = try #require(listed.last)
                let lastID = try #require(ids[lastName])
                #expect(Array(bytes.prefix(16)) == (try idBytes(lastID)))
                let readable = String(decoding: bytes, as: UTF8.self).lowercased()
                for name in names { #expect(!readable.contains(name.lowercased().split(separator: " ")[1]), "\(name) in the cursor") }
            }
            #expect(seen == names)
        }
    }

    @Test func aCursorOfARenamedCustomerPagesOnFromItsNewPlace() async throws {
        try await LiveServer.with("cursor-privacy-rename") { s in
            var ids: [String: String] = [:]
            for name in ["Ann", "Ben", "Cat", "Dan", "Eve"] { ids[name] = try await customer(s, name) }
            let first = try await s.expect(.GET, "/v1/customers?limit=2&consistentWith=\(try await head(s))")
            #expect(names(first) == ["Ann", "Ben"])
            let after = try #require(text(first.json["after"]))
            // Ben, the page's last, is renamed "Dora": the next page starts after Dora's place (Cat, passed, is
            // not listed again; the documented cost of a cursor that carries no name).
            try await s.expect(.PATCH, "/v1/customers/\(try #require(ids["Ben"]))", #"{"name": "Dora"}"#)
            let second = try await s.expect(.GET, "/v1/customers?limit=2&after=\(after)&consistentWith=\(try await head(s))")
            #expect(names(second) == ["Eve"], "\(second.text.prefix(300))")
            // Renamed to the front: the list from its new place on.
            try await s.expect(.PATCH, "/v1/customers/\(try #require(ids["Ben"]))", #"{"name": "Aaron"}"#)
            let again = try await s.expect(.GET, "/v1/customers?limit=2&after=\(after)&consistentWith=\(try await head(s))")
            #expect(names(again) == ["Ann", "Cat"], "\(again.text.prefix(300))")
        }
    }

    @Test func aCursorOfACustomerTheCallerMayNotSeeIsRefusedExactlyAsAnUnknownOne() async throws {
        try await LiveServer.with("cursor-privacy-scope") { s in
            let south = try await customer(s, "Aaa South", branch: "south")
            let ann = try await customer(s, "Ann")
            _ = try await customer(s, "Ben")
            _ = try await customer(s, "Cat")
            let alice = try await s.hire("Alice", branch: "north", permissions: [
                Permission(module: .customers, actions: Permission.Action.allCases, scope: .branch("north")),
            ]).token
            let first = try await s.send(.GET, "/v1/customers?limit=1&consistentWith=\(try await head(s))", token: alice)
            #expect(first.status == 200 && names(first) == ["Ann"], "\(first.text.prefix(300))")
            let annCursor = try #require(text(first.json["after"]))
            #expect(annCursor == forged(try #require(UUID(uuidString: ann))))
            #expect(names(try await s.send(.GET, "/v1/customers?limit=1&after=\(annCursor)", token: alice)) == ["Ben"])

            /// The problem answered, without its `instance`.
            func refused(_ cursor: String) async throws -> [String: String] {
                let answer = try await s.send(.GET, "/v1/customers?limit=1&after=\(cursor)", token: alice)
                #expect(answer.status == 400, "\(answer.status) \(answer.text.prefix(300))")
                #expect(text(answer.json["type"]) == "urn:crm:problem:invalid-field" && text(answer.json["field"]) == "after", "\(answer.text)")
                #expect(!answer.text.contains("South") && !answer.text.contains("Ann"), "\(answer.text)")
                return answer.json.compactMapValues(text).filter { $0.key != "instance" }
            }
            // Another branch's customer (the admin's own cursor for it) and an id no customer has: one answer.
            let adminFirst = try await s.expect(.GET, "/v1/customers?limit=1")
            #expect(names(adminFirst) == ["Aaa South"])
            let southCursor = try #require(text(adminFirst.json["after"]))
            #expect(southCursor == forged(try #require(UUID(uuidString: south))))
            let unknown = try await refused(forged(UUID()))
            #expect(try await refused(southCursor) == unknown)
            // Ann moved to the south branch: Alice's cursor leads on from a customer she no longer sees.
            try await s.expect(.PATCH, "/v1/customers/\(ann)", #"{"branch": "south"}"#)
            _ = try await s.send(.GET, "/v1/customers?limit=1&consistentWith=\(try await head(s))")
            #expect(try await refused(annCursor) == unknown)
            // The admin, who still sees Ann, pages on from her.
            #expect(names(try await s.expect(.GET, "/v1/customers?limit=1&after=\(annCursor)")) == ["Ben"])
        }
    }
}
