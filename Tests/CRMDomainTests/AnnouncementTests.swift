import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Announcements")
struct AnnouncementTests {
    let id = UUID.derived("announcement-1")
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let sales = UUID.derived("unit-sales")
    let managerRole = UUID.derived("role-manager")

    /// In the sales department, branch SH.
    var li: AnnouncementReader { AnnouncementReader(employeeID: UUID.derived("emp-li"), departments: [sales], branch: "SH") }
    /// In branch BJ, a manager.
    var wang: AnnouncementReader { AnnouncementReader(employeeID: UUID.derived("emp-wang"), departments: [UUID.derived("unit-ops")], branch: "BJ", roles: [managerRole]) }
    /// Named directly.
    var zhao: AnnouncementReader { AnnouncementReader(employeeID: UUID.derived("emp-zhao"), branch: "GZ") }
    /// In none of the groups.
    var chen: AnnouncementReader { AnnouncementReader(employeeID: UUID.derived("emp-chen"), departments: [UUID.derived("unit-it")], branch: "GZ") }

    var targets: AnnouncementTargets {
        AnnouncementTargets(departments: [sales], branches: ["BJ"], roles: [managerRole], employees: [zhao.employeeID])
    }

    func published(expiresIn seconds: TimeInterval? = 86_400) -> Scenario<Announcement> {
        var s = Scenario(Announcement.self, at: now, actor: "ceo")
        s.apply(.publish(announcementID: id, title: "Holiday schedule", body: "Offices close on 1 May.", targets: targets,
                         expiresAt: seconds.map { now.addingTimeInterval($0) }))
        return s
    }

    func later(_ s: Scenario<Announcement>, by seconds: TimeInterval) -> Scenario<Announcement> {
        var t = s
        t.context = CommandContext(now: now.addingTimeInterval(seconds), actor: "emp")
        return t
    }

    // MARK: publish

    @Test func managementPublishesToTargetGroups() {
        let s = published()
        #expect(s.state.title == "Holiday schedule")
        #expect(s.state.publishedAt == now)
        #expect(s.state.expiresAt == now.addingTimeInterval(86_400))
        #expect(s.state.targets == targets)
        guard case .published(let e) = Scenario(Announcement.self, at: now, actor: "ceo")
            .when(.publish(announcementID: id, title: "t", body: "b", targets: targets, expiresAt: nil)).first else {
            Issue.record("expected a publication"); return
        }
        #expect(e.publishedBy == "ceo")
        #expect(e.expiresAt == nil)
    }

    @Test func publishingNeedsATargetATitleABodyAndALaterExpiry() {
        let s = Scenario(Announcement.self, at: now)
        func refused(title: String = "t", body: String = "b", targets: AnnouncementTargets = AnnouncementTargets(branches: ["SH"]), expiresAt: Date? = nil) -> DomainError? {
            s.whenRefused(.publish(announcementID: id, title: title, body: body, targets: targets, expiresAt: expiresAt))
        }
        #expect(refused(targets: AnnouncementTargets())?.field == "targets")
        #expect(refused(targets: AnnouncementTargets(branches: ["  "]))?.field == "targets", "a blank branch is no target")
        #expect(refused(title: " ")?.field == "title")
        #expect(refused(body: "")?.field == "body")
        #expect(refused(expiresAt: now)?.field == "expiresAt")
        #expect(refused(expiresAt: now.addingTimeInterval(-1))?.field == "expiresAt")
        #expect(published().whenRefused(.publish(announcementID: id, title: "t", body: "b", targets: targets, expiresAt: nil))?.code == .alreadyExists)
    }

    @Test func repeatedTargetsAreRecordedOnce() {
        let events = Scenario(Announcement.self, at: now).when(.publish(announcementID: id, title: "t", body: "b",
            targets: AnnouncementTargets(branches: ["SH", "SH"], employees: [zhao.employeeID, zhao.employeeID]), expiresAt: nil))
        guard case .published(let e) = events.first else { Issue.record("expected a publication"); return }
        #expect(e.targets == AnnouncementTargets(branches: ["SH"], employees: [zhao.employeeID]))
    }

    // MARK: read receipts

    @Test func targetedEmployeesMarkItReadByAnyGroup() {
        var s = later(published(), by: 60)
        for reader in [li, wang, zhao] {
            let events = s.apply(.markRead(reader))
            #expect(events == [.read(AnnouncementRead(announcementID: id, employeeID: reader.employeeID, readAt: now.addingTimeInterval(60)))])
        }
        #expect(s.state.readBy.count == 3)
        let roleOnly = AnnouncementReader(employeeID: UUID.derived("emp-x"), branch: "CD", roles: [managerRole])
        #expect(s.when(.markRead(roleOnly)).count == 1, "by role alone")
    }

    @Test func readingTwiceRecordsNothing() {
        var s = later(published(), by: 60)
        s.apply(.markRead(li))
        #expect(s.when(.markRead(li)).isEmpty)
        #expect(s.state.readBy[li.employeeID] == now.addingTimeInterval(60), "the first reading stands")
    }

    /// One it is not for does not exist for the reader: the same answer as an unknown id, withdrawn or
    /// expired as well, so the answer tells nothing of announcements for others.
    @Test func anEmployeeOutsideTheTargetsCannotMarkItReadAndIsToldItIsNotFound() {
        let unknown = Scenario(Announcement.self).whenRefused(.markRead(chen))
        var withdrawn = published()
        withdrawn.apply(.withdraw(reason: "wrong date"))
        for (label, error) in [("published", published().whenRefused(.markRead(chen))), ("withdrawn", withdrawn.whenRefused(.markRead(chen))),
                               ("expired", later(published(), by: 90_000).whenRefused(.markRead(chen)))] {
            #expect(error?.code == .notFound && error?.field == nil, "\(label): \(String(describing: error))")
            #expect(error == unknown, "\(label)")
        }
    }

    @Test func readingAfterExpiryIsRefused() {
        #expect(later(published(), by: 86_400).whenRefused(.markRead(li))?.code == .invalidTransition, "at the expiry instant")
        #expect(later(published(), by: 90_000).whenRefused(.markRead(li))?.code == .invalidTransition)
        #expect(later(published(expiresIn: nil), by: 10_000_000).when(.markRead(li)).count == 1, "no expiry")
    }

    @Test func readingAWithdrawnOrMissingAnnouncementIsRefused() {
        var s = published()
        s.apply(.withdraw(reason: "wrong date"))
        #expect(s.whenRefused(.markRead(li))?.code == .invalidTransition)
        #expect(Scenario(Announcement.self).whenRefused(.markRead(li))?.code == .notFound)
    }

    // MARK: withdraw

    @Test func withdrawingNeedsAReasonAndIsIdempotent() {
        var s = published()
        #expect(s.whenRefused(.withdraw(reason: " "))?.field == "reason")
        let events = s.apply(.withdraw(reason: "wrong date"))
        #expect(events == [.withdrawn(AnnouncementWithdrawn(announcementID: id, reason: "wrong date", withdrawnBy: "ceo", withdrawnAt: now))])
        #expect(s.state.isWithdrawn)
        #expect(s.state.withdrawalReason == "wrong date")
        #expect(s.when(.withdraw(reason: "again")).isEmpty)
        #expect(Scenario(Announcement.self).whenRefused(.withdraw(reason: "x"))?.code == .notFound)
    }

    // MARK: pure views

    @Test func visibilityFollowsTargetsPublicationExpiryAndWithdrawal() {
        var s = published()
        #expect(s.state.isVisible(to: li, at: now))
        #expect(s.state.isVisible(to: wang, at: now.addingTimeInterval(3600)))
        #expect(!s.state.isVisible(to: chen, at: now), "not targeted")
        #expect(!s.state.isVisible(to: li, at: now.addingTimeInterval(-1)), "before publication")
        #expect(!s.state.isVisible(to: li, at: now.addingTimeInterval(86_400)), "expired")
        #expect(!Announcement.initialState.isVisible(to: li, at: now), "never published")
        s.apply(.withdraw(reason: "wrong date"))
        #expect(!s.state.isVisible(to: li, at: now))
    }

    @Test func unreadByListsTargetedEmployeesWhoHaveNotRead() {
        var s = published()
        #expect(s.state.unreadBy(employees: [li, chen, wang, zhao]) == [li.employeeID, wang.employeeID, zhao.employeeID])
        s.apply(.markRead(wang))
        #expect(s.state.unreadBy(employees: [li, chen, wang, zhao]) == [li.employeeID, zhao.employeeID])
        #expect(Announcement.initialState.unreadBy(employees: [li]).isEmpty)
    }

    // MARK: events

    @Test func announcementEventsRoundTrip() throws {
        try expectRoundTrips([
            AnnouncementEvent.published(AnnouncementPublished(announcementID: id, title: "放假通知", body: "五一放假", targets: targets,
                                                              publishedBy: "ceo", publishedAt: now, expiresAt: now.addingTimeInterval(60))),
            .published(AnnouncementPublished(announcementID: id, title: "t", body: "b", targets: AnnouncementTargets(employees: [li.employeeID]),
                                             publishedBy: "ceo", publishedAt: now, expiresAt: nil)),
            .read(AnnouncementRead(announcementID: id, employeeID: li.employeeID, readAt: now)),
            .withdrawn(AnnouncementWithdrawn(announcementID: id, reason: "r", withdrawnBy: "ceo", withdrawnAt: now)),
        ])
    }
}
