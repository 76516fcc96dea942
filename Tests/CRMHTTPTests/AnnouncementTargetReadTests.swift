import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// GET /v1/announcements/{id} for an announcement's own targets (R-ORG-3): the staff it is aimed at read it by
/// id with its ETag — for the `If-Match` of marking it read — as they find it in their inbox; others get 404.
@Suite(.serialized) struct AnnouncementTargetReadTests {
    /// What ordinary staff hold: their own copies of the organisation's notices, read and marked read.
    static let staff = [Permission(module: .organisation, actions: [.query, .edit], scope: .own)]

    @Test func aTargetReadsTheAnnouncementByIdWithItsETagAndANonTargetGets404() async throws {
        try await LiveServer.with("announcement-target-read") { s in
            let (reader, readerToken) = try await s.hire("Reader", branch: "north", permissions: Self.staff)
            let (colleague, colleagueToken) = try await s.hire("Colleague", branch: "north", permissions: Self.staff)
            let (_, outsiderToken) = try await s.hire("Outsider", branch: "south", permissions: Self.staff)
            let notice = try await s.created("/v1/announcements", #"{"title": "Gas safety week", "body": "Check every meter.", "targets": {"branches": ["north"]}}"#)
            let head = try await s.engine.store.headPosition().rawValue

            let inbox = try await s.send(.GET, "/v1/announcements?consistentWith=\(head)", token: readerToken)
            #expect(inbox.status == 200 && (inbox.json["items"] as? [Any])?.count == 1, "\(inbox.text.prefix(300))")
            let read = try await s.send(.GET, "/v1/announcements/\(notice)", token: readerToken)
            #expect(read.status == 200, "\(read.text.prefix(300))")
            #expect(text(read.json["title"]) == "Gas safety week")
            let etag = try #require(read.header("ETag"))

            // The ETag serves as If-Match for marking one's copy read; a stale one is refused.
            let marked = try await s.send(.POST, "/v1/announcements/\(notice)/read", token: readerToken, json: "{}", headers: [("If-Match", etag)])
            #expect(marked.status == 200, "\(marked.text.prefix(300))")
            let stale = try await s.send(.POST, "/v1/announcements/\(notice)/read", token: colleagueToken, json: "{}", headers: [("If-Match", etag)])
            #expect(stale.status == 412, "\(stale.text.prefix(300))")
            let fresh = try #require(try await s.send(.GET, "/v1/announcements/\(notice)", token: colleagueToken).header("ETag"))
            #expect(fresh != etag)
            #expect(try await s.send(.POST, "/v1/announcements/\(notice)/read", token: colleagueToken, json: "{}", headers: [("If-Match", fresh)]).status == 200)

            // A target's copy shows their own read receipt, not the colleagues'; the administrator sees all.
            let own = try await s.send(.GET, "/v1/announcements/\(notice)", token: readerToken)
            #expect(own.text.lowercased().contains(reader.id.lowercased()) && !own.text.lowercased().contains(colleague.id.lowercased()), "\(own.text.prefix(400))")
            let whole = try await s.expect(.GET, "/v1/announcements/\(notice)")
            #expect(whole.text.lowercased().contains(reader.id.lowercased()) && whole.text.lowercased().contains(colleague.id.lowercased()), "\(whole.text.prefix(400))")

            // Not aimed at the outsider: 404, as an unknown id.
            #expect(try await s.send(.GET, "/v1/announcements/\(notice)", token: outsiderToken).status == 404)
            #expect(try await s.send(.GET, "/v1/announcements/\(UUID.derived("announcement", "none"))", token: readerToken).status == 404)
        }
    }

    @Test func aTargetWithoutTheRightToQueryItsOwnCopyStillGets404() async throws {
        try await LiveServer.with("announcement-target-no-right") { s in
            let (_, token) = try await s.hire("Unprivileged", branch: "north",
                                              permissions: [Permission(module: .tasks, actions: [.query], scope: .own)])
            let notice = try await s.created("/v1/announcements", #"{"title": "Shift change", "body": "Sundays.", "targets": {"branches": ["north"]}}"#)
            #expect(try await s.send(.GET, "/v1/announcements/\(notice)", token: token).status == 404)
        }
    }
}
