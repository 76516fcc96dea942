import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Found by exploratory testing: a hand-made campaign target list and its messages name only customers the
/// caller may see; an announcement not for its reader is "not found" as an unknown one; the board's
/// sensitive words are not hidden by invisible characters.
@Suite struct CampaignTargetsAndStaffTests {
    struct World {
        let f: EngineFixture
        /// Pia: campaigns over her own only (the administrator plans hers), customers of branch A only.
        let planner: Principal
        let campaign: UUID, visible: UUID, hidden: UUID, unknown: UUID
    }

    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let planner = try await f.hire("Pia", branch: "A", permissions: [
            Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own),
            Permission(module: .customers, actions: [.query], scope: .branch("A")),
        ])
        let visible = try await f.customer("Berlin Bakery", branch: "A")
        let hidden = try await f.customer("Shanghai Steel", branch: "B")
        let campaign = UUID.derived("campaign", label)
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring", objective: "Renewals", owner: planner.id,
                                                                     budget: Money(5_000, .cny), start: try EngineFixture.day("2026-03-01"),
                                                                     end: try EngineFixture.day("2026-03-31")), as: f.admin)
        return World(f: f, planner: planner, campaign: campaign, visible: visible, hidden: hidden,
                     unknown: UUID(uuidString: "0e5b6f3e-0000-4000-8000-0000000000ff") ?? UUID.derived("customer", "nobody"))
    }

    static func list(_ label: String, _ customers: [UUID]) -> Campaign.Command {
        .selectTargets(Campaign.TargetList(id: UUID.derived("list", label), criteria: "hand", customerIDs: customers))
    }

    /// Also: an unknown customer and a hidden one get the same answer, which names neither; someone who may
    /// only read the campaign is refused for that, whatever customers they name.
    @Test func aHandTargetListNamingAHiddenOrUnknownCustomerIsRefusedNamingCustomerIDsAndWritesNothing() async throws {
        let w = try await world("campaign-hand-targets")
        let reader = try await w.f.hire("Rex", branch: "A", permissions: [
            Permission(module: .campaigns, actions: [.query], scope: .all), Permission(module: .customers, actions: [.query], scope: .all),
        ])
        let head = try await w.f.engine.store.headPosition()
        var messages: [String] = []
        for (label, customers) in [("hidden", [w.visible, w.hidden]), ("unknown", [w.visible, w.unknown])] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await w.f.engine.execute(Campaign.self, id: w.campaign, Self.list(label, customers), as: w.planner)
            }
            #expect(error?.code == .invalid && error?.field == "customerIDs", "\(label): \(String(describing: error))")
            messages.append(error?.message ?? "")
        }
        #expect(messages[0] == messages[1], "\(messages)")
        #expect(!messages[0].contains(w.hidden.uuidString) && !messages[0].lowercased().contains(w.hidden.lowercasedString))
        let tooMany = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Campaign.self, id: w.campaign,
                                         Self.list("many", (0...CRMEngine.maxSelectedTargets).map { UUID.derived("c", "\($0)") }), as: w.planner)
        }
        #expect(tooMany?.code == .invalid && tooMany?.field == "customerIDs")
        let readOnly = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Campaign.self, id: w.campaign, Self.list("reader", [w.unknown]), as: reader)
        }
        #expect(readOnly?.code == .forbidden, "\(String(describing: readOnly))")
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        // Customers the planner may see; the administrator (all data) may name any existing one.
        try await w.f.engine.execute(Campaign.self, id: w.campaign, Self.list("own", [w.visible]), as: w.planner)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, Self.list("all", [w.visible, w.hidden]), as: w.f.admin)
        let unknownByAdmin = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Campaign.self, id: w.campaign, Self.list("admin-unknown", [w.unknown]), as: w.f.admin)
        }
        #expect(unknownByAdmin?.code == .invalid && unknownByAdmin?.field == "customerIDs")
        #expect(try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state.targetLists.map(\.customerIDs) == [[w.visible], [w.visible, w.hidden]])
        await w.f.close()
    }

    /// A message goes only to a customer of the target list whom the caller may see; a repeat stays a repeat.
    @Test func aMessageIsRecordedOnlyToATargetTheCallerMaySee() async throws {
        let w = try await world("campaign-messages")
        let listID = UUID.derived("list", "all")
        try await w.f.engine.execute(Campaign.self, id: w.campaign, Self.list("all", [w.visible, w.hidden]), as: w.f.admin)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .submitFeasibility(study: "Feasible"), as: w.planner)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .approve(note: nil), as: w.f.admin)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .start, as: w.planner)
        func message(_ label: String, to customer: UUID) -> Campaign.Command {
            .recordMessage(id: UUID.derived("message", label), listID: listID, customerID: customer, kind: .greeting, channel: "sms")
        }
        // The reactions to the approval and start write what they write first: "nothing written" is then ours.
        try await WorkflowSubjectTests.settled(w.f, after: try await w.f.engine.store.headPosition())
        let head = try await w.f.engine.store.headPosition()
        let hidden = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Campaign.self, id: w.campaign, message("hidden", to: w.hidden), as: w.planner)
        }
        #expect(hidden?.code == .invalid && hidden?.field == "customerID", "\(String(describing: hidden))")
        let offList = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Campaign.self, id: w.campaign, message("unknown", to: w.unknown), as: w.planner)
        }
        #expect(offList?.field == "customerID", "\(String(describing: offList))")
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        try await w.f.engine.execute(Campaign.self, id: w.campaign, message("visible", to: w.visible), as: w.planner)
        let repeated = try await w.f.engine.execute(Campaign.self, id: w.campaign, message("visible", to: w.visible), as: w.planner)
        #expect(repeated.events.isEmpty)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, message("by-admin", to: w.hidden), as: w.f.admin)
        #expect(try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state.messages.map(\.customerID) == [w.visible, w.hidden])
        await w.f.close()
    }

    /// Marking as read an announcement aimed at another branch answers as an unknown id does.
    @Test func markingReadAnAnnouncementNotForTheReaderIsNotFoundAsAnUnknownOne() async throws {
        let f = try await EngineFixture.make("announcement-not-for-reader")
        let reader = try await f.hire("Ana", branch: "A", permissions: [Permission(module: .organisation, actions: [.query, .edit], scope: .own)])
        let employee = try #require(reader.employeeID)
        var ids: [String: UUID] = [:]
        for branch in ["A", "B"] {
            let id = UUID.derived("announcement", branch)
            ids[branch] = id
            try await f.engine.execute(Announcement.self, id: id, .publish(announcementID: id, title: "Notice \(branch)", body: "Closed on Friday",
                                                                          targets: AnnouncementTargets(branches: [branch]), expiresAt: nil), as: f.admin)
        }
        func refusal(_ id: UUID) async -> EngineError? {
            await #expect(throws: EngineError.self) {
                try await f.engine.execute(Announcement.self, id: id, .markRead(AnnouncementReader(employeeID: employee)), as: reader)
            }
        }
        let head = try await f.engine.store.headPosition()
        let other = await refusal(try #require(ids["B"]))
        let unknown = await refusal(UUID.derived("announcement", "none"))
        #expect(other?.code == unknown?.code && other?.field == unknown?.field && other?.message == unknown?.message, "\(String(describing: other)) / \(String(describing: unknown))")
        #expect(other?.domain?.code == .notFound, "\(String(describing: other))")
        #expect(try await f.engine.store.headPosition() == head)
        try await f.engine.execute(Announcement.self, id: try #require(ids["A"]), .markRead(AnnouncementReader(employeeID: employee)), as: reader)
        await f.close()
    }

    /// A blocked word with a zero width space or a soft hyphen inside is still blocked, naming the field.
    @Test func aBlockedWordWithInvisibleCharactersIsRefusedNamingItsField() async throws {
        let f = try await EngineFixture.make("board-invisible-words")
        let poster = try await f.hire("Bo", branch: "A", permissions: [Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all)])
        try await f.engine.execute(SensitiveWordList.self, id: UUID.derived("wordlist", "x"), .add(SensitiveWord(word: "badword", action: .block)), as: f.admin)
        let head = try await f.engine.store.headPosition()
        for (label, title, body, field) in [("zwsp", "Lunch", "bad\u{200B}word", "body"), ("soft hyphen", "Lunch", "bad\u{AD}word", "body"),
                                            ("title", "bad\u{AD}word", "Soup?", "title")] {
            let id = UUID.derived("thread", label)
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(BoardThread.self, id: id, .start(threadID: id, title: title, BoardThread.Draft(
                    postID: UUID.derived("post", label), author: "x", authorName: "x", body: body), words: []), as: poster)
            }
            #expect(error?.domain?.code == .forbidden && error?.field == field, "\(label): \(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }
}
