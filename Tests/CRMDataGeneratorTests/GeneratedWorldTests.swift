import CRMDataGenerator
import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Folds the generated streams of one aggregate type with its own `replay`.
func replayAll<A: Aggregate>(_ type: A.Type, from batches: [[StreamAppend]]) throws -> [StreamID: A.State] {
    let registry = try CRMEvents.registry()
    var events: [StreamID: [A.Event]] = [:]
    for append in batches.joined() where append.stream.category == A.category {
        for data in append.events {
            let payload = try data.payload.withUnsafeBytes { try registry.decode(data.type, schemaVersion: data.schemaVersion, from: $0) }
            if let event = A.Event(payload: payload) { events[append.stream, default: []].append(event) }
        }
    }
    return events.mapValues { A.replay($0) }
}

@Suite struct GeneratedWorldTests {
    @Test func everyCustomerHasABranchAndAnOwnerOfThatBranch() throws {
        let generator = HistoryGenerator(configuration(events: 8000))
        let all = try batches(generator.configuration)
        let customers = try replayAll(Customer.self, from: all)
        #expect(!customers.isEmpty)
        let staff = Dictionary(uniqueKeysWithValues: generator.world.staff.map { ($0.actor, $0) })
        for (_, customer) in customers {
            let branch = try #require(customer.branch)
            let owner = try #require(customer.owner.flatMap { staff[$0] })
            #expect(owner.branch == branch)
            #expect(owner.role == .accountManager)
        }
        #expect(customers.count == generator.world.customers.filter { $0.createdAt < generator.world.end }.count)
    }

    @Test func someTasksAreOverdueAtTheEndAndMostAreDone() throws {
        let generator = HistoryGenerator(configuration(events: 8000))
        let tasks = try replayAll(WorkTask.self, from: try batches(generator.configuration))
        let overdue = tasks.values.filter { $0.isOverdue(at: generator.world.end) }
        let completed = tasks.values.filter { $0.status == .completed }
        let late = completed.filter { task in
            guard let due = task.details?.dueAt, let done = task.completedAt else { return false }
            return done > due
        }
        #expect(!overdue.isEmpty)
        #expect(!late.isEmpty)
        #expect(completed.count > tasks.count / 2)
    }

    @Test("every account manager's announcement inbox shows at least one announcement (R-ORG-3)")
    func accountManagersSeeAnnouncements() throws {
        let generator = HistoryGenerator(configuration(events: 3000))
        let all = try batches(generator.configuration)
        let organisation = try #require(try replayAll(Organisation.self, from: all)[Organisation.streamID])
        let announcements = try replayAll(Announcement.self, from: all).values
        let end = generator.world.end.addingTimeInterval(-1)
        let accountManagers = generator.world.staff.filter { $0.role == .accountManager }
        #expect(!accountManagers.isEmpty)
        for person in accountManagers {
            // The reader as the engine resolves it (CRMEngine.announcementReader): departments up the unit
            // chain, branch, roles of the grants in force.
            let employee = try #require(organisation.employees[person.id])
            let roles = organisation.roleGrants.values.filter { $0.employeeID == person.id && $0.validity.contains(end) }.map(\.roleID)
            let reader = AnnouncementReader(employeeID: person.id, departments: employee.unitID.map { organisation.chain(from: $0).map(\.id) } ?? [],
                                            branch: employee.branch, roles: roles)
            let visible = announcements.filter { $0.isVisible(to: reader, at: end) }
            #expect(!visible.isEmpty, "no announcement targets account manager \(person.actor)")
            // The engine shows one's own copy of a (global) announcement with `query` in organisation over
            // `own`, and marking it read needs `edit` there.
            let permissions = organisation.effectivePermissions(of: person.id, at: end)
            #expect(permissions.allows(module: .organisation, action: .query, scope: .own, at: end))
            #expect(permissions.allows(module: .organisation, action: .edit, scope: .own, at: end))
            for announcement in visible {
                let read = try Announcement.decide(.markRead(reader), state: announcement, context: CommandContext(now: end, actor: person.actor))
                #expect(read.count == 1)
            }
        }
    }

    @Test func theWorldNamesStaffByBranchAndRole() {
        let world = HistoryGenerator(configuration(events: 2000)).world
        #expect(world.branches.map(\.name) == ["shanghai", "berlin", "new-york"])
        #expect(world.branch("berlin")?.timeZoneID == "Europe/Berlin")
        for branch in world.branches {
            #expect(world.staff(of: branch.name, role: .branchManager).count == 1)
            #expect(!world.staff(of: branch.name, role: .accountManager).isEmpty)
            #expect(!world.staff(of: branch.name, role: .serviceAgent).isEmpty)
        }
        #expect(world.administrator != nil)
        #expect(world.customers.allSatisfy { c in world.staff(of: c.branch, role: .accountManager).contains { $0.id == c.owner } })
    }

    @Test func theMixLooksLikeACRM() throws {
        var byCategory: [String: Int] = [:]
        try HistoryGenerator(configuration(events: 20_000)).forEachBatch { batch in
            for append in batch { byCategory[String(append.stream.category), default: 0] += append.events.count }
        }
        let total = byCategory.values.reduce(0, +)
        let top = ["task", "contactlog", "visit", "revenue"].reduce(0) { $0 + (byCategory[$1] ?? 0) }
        #expect(top * 10 >= total * 6, "\(byCategory)")
        for category in ["ticket", "opportunity", "quote", "customer", "contact", "organisation", "settings", "form", "product"] {
            #expect((byCategory[category] ?? 0) > 0, "no \(category) events")
        }
    }
}
