import CRMDomain
import CRMEngine
import Foundation
import Testing

/// Service findings of the fourth exploratory round over HTTP: the sensitive-word list before its first
/// word, the read audit's window the wrong way round, a hidden board post's body.
@Suite(.serialized) struct ServiceRound4HTTPTests {
    @Test func theSensitiveWordListIsEmptyNotMissingBeforeItsFirstWord() async throws {
        try await LiveServer.with("sensitive-words-empty") { s in
            let (_, token) = try await s.hire("Staff", branch: "north", permissions: [Permission(module: .organisation, actions: [.query], scope: .all)])
            let empty = try await s.expect(.GET, "/v1/settings/sensitive-words")
            #expect((empty.json["words"] as? [Any])?.isEmpty == true && empty.header("ETag") == "\"0\"", "\(empty.text)")
            // Whoever may not query settings still gets 404.
            #expect(try await s.send(.GET, "/v1/settings/sensitive-words", token: token).status == 404)
            // The ETag serves as If-Match for the first word.
            try await s.expect(.POST, "/v1/settings/sensitive-words", #"{"word": "scam", "action": "flag"}"#, headers: [("If-Match", "\"0\"")])
            let one = try await s.expect(.GET, "/v1/settings/sensitive-words")
            #expect((one.json["words"] as? [Any])?.count == 1, "\(one.text)")
        }
    }

    @Test func theReadAuditRefusesAWindowWhoseStartIsAfterItsEnd() async throws {
        try await LiveServer.with("audit-window") { s in
            let refused = try await s.expect(.GET, "/v1/audit/reads?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", status: 400)
            #expect(text(refused.json["field"]) == "from", "\(refused.text)")
            try await s.expect(.GET, "/v1/audit/reads?from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z")
        }
    }

    @Test func aHiddenPostsBodyIsNullForReadersWhoMayNotModerate() async throws {
        try await LiveServer.with("board-hidden-http") { s in
            let (_, token) = try await s.hire("Reader", branch: "north", permissions: [Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all)])
            let thread = try await s.created("/v1/board/threads", #"{"title": "Canteen", "body": "Soup?"}"#)
            let post = UUID.derived("post", "scam")
            try await s.expect(.POST, "/v1/board/threads/\(thread)/replies", #"{"postId": "\#(post)", "body": "This is a SCAM"}"#)
            try await s.expect(.POST, "/v1/board/threads/\(thread)/hide", #"{"postId": "\#(post)", "reason": "rude"}"#)
            let seen = try await s.send(.GET, "/v1/board/threads/\(thread)", token: token)
            #expect(seen.status == 200 && !seen.text.contains("SCAM") && seen.text.contains("Soup?"), "\(seen.text)")
            #expect(try await s.expect(.GET, "/v1/board/threads/\(thread)").text.contains("This is a SCAM"))
        }
    }
}
