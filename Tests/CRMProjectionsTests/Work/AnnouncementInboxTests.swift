import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct AnnouncementInboxTests {
    let log = WorkTestLog()
    let projection = AnnouncementInbox()
    let sales = UUID.derived("unit", "sales")
    let managerRole = UUID.derived("role", "manager")
    let me = UUID.derived("employee", "7")
    let other = UUID.derived("employee", "8")

    var reader: AnnouncementReader { AnnouncementReader(employeeID: me, departments: [sales], branch: "north", roles: [managerRole]) }

    func publish(_ title: String, targets: AnnouncementTargets, atHours hours: Double = 0, expiresInHours: Double? = nil) throws -> UUID {
        let id = UUID.derived("announcement", title)
        try log.run(Announcement.self, id, .publish(announcementID: id, title: title, body: "\(title) body", targets: targets,
                                                     expiresAt: expiresInHours.map { WorkTestLog.at(hours: hours + $0) }),
                    at: WorkTestLog.at(hours: hours), actor: "emp-hr")
        return id
    }

    @Test func theInboxHoldsAnnouncementsForAnyOfTheReadersGroupsNewestFirstWithExpiryAtQueryTime() throws {
        let byDept = try publish("dept", targets: AnnouncementTargets(departments: [sales]), atHours: 1)
        let byBranch = try publish("branch", targets: AnnouncementTargets(branches: ["north"]), atHours: 2, expiresInHours: 5)
        let byRole = try publish("role", targets: AnnouncementTargets(roles: [managerRole], employees: [me]), atHours: 3)
        _ = try publish("elsewhere", targets: AnnouncementTargets(branches: ["south"], employees: [other]), atHours: 4)
        let views = try log.views(projection)

        let now = try AnnouncementInbox.inbox(for: reader, now: WorkTestLog.at(hours: 5), in: views)
        #expect(now.map(\.announcement.announcementID) == [byRole, byBranch, byDept])
        #expect(now.allSatisfy { $0.readAt == nil && $0.announcement.scope == .global })
        let later = try AnnouncementInbox.inbox(for: reader, now: WorkTestLog.at(hours: 7), in: views)
        #expect(later.map(\.announcement.announcementID) == [byRole, byDept])
        #expect(try AnnouncementInbox.inbox(for: reader, now: WorkTestLog.at(hours: 1.5), in: views).map(\.announcement.title) == ["dept"])
    }

    @Test func readReceiptsAreKeptPerEmployee() throws {
        let id = try publish("news", targets: AnnouncementTargets(branches: ["north"]))
        try log.run(Announcement.self, id, .markRead(reader), at: WorkTestLog.at(hours: 1), actor: "emp-7")
        let views = try log.views(projection)
        #expect(try AnnouncementInbox.inbox(for: reader, now: WorkTestLog.at(hours: 2), in: views).first?.readAt == WorkTestLog.at(hours: 1))
        let colleague = AnnouncementReader(employeeID: other, branch: "north")
        #expect(try AnnouncementInbox.unreadCount(for: colleague, now: WorkTestLog.at(hours: 2), in: views) == 1)
        #expect(try AnnouncementInbox.unreadCount(for: reader, now: WorkTestLog.at(hours: 2), in: views) == 0)
    }

    @Test func aWithdrawnAnnouncementLeavesEveryInbox() throws {
        let id = try publish("oops", targets: AnnouncementTargets(departments: [sales], branches: ["north"]))
        try log.run(Announcement.self, id, .markRead(reader), at: WorkTestLog.at(hours: 1), actor: "emp-7")
        try log.run(Announcement.self, id, .withdraw(reason: "wrong date"), at: WorkTestLog.at(hours: 2), actor: "emp-hr")
        let views = try log.views(projection)
        #expect(try AnnouncementInbox.inbox(for: reader, now: WorkTestLog.at(hours: 3), in: views).isEmpty)
        let leftover = views.tables.values.reduce(0) { $0 + $1.count }
        #expect(leftover == 0)
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let a = try publish("a", targets: AnnouncementTargets(branches: ["north"]))
        _ = try publish("b", targets: AnnouncementTargets(roles: [managerRole]), expiresInHours: 1)
        try log.run(Announcement.self, a, .markRead(reader), at: WorkTestLog.at(hours: 1), actor: "emp-7")
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
