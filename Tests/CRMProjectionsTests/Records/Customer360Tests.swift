import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct Customer360Tests {
    let acme = UUID.derived("customer", "acme")
    let other = UUID.derived("customer", "other")
    let projection = Customer360Projection()

    func task(_ n: Int, due: Date) -> (UUID, TaskDispatched) {
        let id = UUID.derived("task", "\(n)")
        return (id, TaskDispatched(taskID: id, details: WorkTask.Details(title: "Call \(n)", customerID: acme, kind: .followUp, dueAt: due),
                                   assignee: "emp-\(n % 2 + 1)", route: .manual))
    }

    @Test func profileFollowsEditsStatusArchiveAndExternalKeys() throws {
        var log = TestLog()
        let stream = Customer.stream(acme)
        log.add(created(acme, name: "Acme Gas", custom: ["meters": .number(3)]), on: stream)
        log.add(CustomerEdited(customerID: acme, changes: [
            FieldChange(field: "name", old: .text("Acme Gas"), new: .text("Acme Energy")),
            FieldChange(field: "branch", old: .text("north"), new: .text("south")),
            FieldChange(field: "custom.tariff", old: nil, new: .option("business")),
            FieldChange(field: "custom.meters", old: .number(3), new: nil),
        ]), on: stream)
        log.add(CustomerActivated(customerID: acme), on: stream)
        log.add(CustomerExternalKeySet(customerID: acme, key: ExternalKey(system: "billing", key: "B-2"), previousKey: "B-1"), on: stream)
        log.add(CustomerArchived(customerID: acme, reason: "moved away"), on: stream)
        let views = try log.views(projection)
        let view = try #require(try Customer360Projection.customer(acme, in: views))
        #expect(view.profile.name == "Acme Energy")
        #expect(view.profile.status == .active)
        #expect(view.profile.isArchived)
        #expect(view.profile.externalKeys == [ExternalKey(system: "billing", key: "B-2")])
        #expect(view.profile.customFields == [CustomField(formGroup: "residential", field: "tariff", value: .option("business"))])
        #expect(view.scope == RecordScope(branch: "south", community: "c1", group: "residential", owners: ["emp-1"]))
        #expect(try Customer360Projection.customer(other, in: views) == nil)
    }

    @Test func hiddenCustomFieldsAreDroppedByTheViewersPermissions() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme", custom: ["income": .number(9000), "tariff": .option("home")]), on: Customer.stream(acme))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        let visible = view.hidingFields { !($0.formGroup == "residential" && $0.field == "income") }
        #expect(visible.profile.customFields.map(\.field) == ["tariff"])
        #expect(view.visible(to: EffectivePermissions(permissions: [], hiddenFields: [])).profile.customFields.isEmpty)
    }

    @Test func openTasksByDueThenRecentClosedNewestFirstWithOverdueAtQueryTime() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let (a, ta) = task(1, due: t0.addingTimeInterval(3 * day))
        let (b, tb) = task(2, due: t0.addingTimeInterval(1 * day))
        let (c, tc) = task(3, due: t0.addingTimeInterval(2 * day))
        for (id, t) in [(a, ta), (b, tb), (c, tc)] { log.add(t, on: WorkTask.stream(id)) }
        log.add(TaskRescheduled(taskID: a, previousDueAt: ta.details.dueAt, dueAt: t0.addingTimeInterval(0.5 * day)), on: WorkTask.stream(a))
        log.add(TaskCompleted(taskID: c, resultNote: "done", completedAt: t0.addingTimeInterval(day)), on: WorkTask.stream(c))
        log.add(TaskCancelled(taskID: b, reason: "duplicate"), on: WorkTask.stream(b))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openTasks.map(\.id) == [a])
        #expect(view.recentTasks.map(\.id) == [c, b])
        #expect(view.recentTasks.map(\.status) == ["completed", "cancelled"])
        #expect(view.overdueTasks(at: t0).isEmpty)
        #expect(view.overdueTasks(at: t0.addingTimeInterval(day)).map(\.id) == [a])
        #expect(view.openTasks[0].scope == RecordScope(branch: "north", community: "c1", group: "residential", owners: ["emp-1", "emp-2"]))
    }

    @Test func ticketsMoveBetweenOpenAndRecentAndKeepTheirSeverity() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let id = UUID.derived("ticket", "1")
        let stream = Ticket.stream(id)
        log.add(TicketOpened(ticketID: id, channel: .phone, kind: .faultRepair, severity: .normal, customerID: acme, subject: "No gas",
                             department: "repair", openedAt: t0, responseDueAt: t0, resolutionDueAt: t0), on: stream)
        log.add(TicketSeverityChanged(ticketID: id, oldSeverity: .normal, newSeverity: .critical, oldResponseDueAt: t0, newResponseDueAt: t0,
                                      oldResolutionDueAt: t0, newResolutionDueAt: t0, changedAt: t0), on: stream)
        log.add(TicketAssigned(ticketID: id, assignee: "emp-7", assignedAt: t0), on: stream)
        log.add(TicketWorkStarted(ticketID: id, assignee: "emp-7", startedAt: t0), on: stream)
        log.add(TicketResolved(ticketID: id, resolution: "fixed", resolvedAt: t0.addingTimeInterval(day)), on: stream)
        var view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openTickets.isEmpty)
        #expect(view.recentTickets.map(\.status) == ["resolved"])
        #expect(view.recentTickets.first?.detail == "critical")
        log.add(TicketReopened(ticketID: id, reason: "again", fromStatus: .resolved, reopenedAt: t0.addingTimeInterval(2 * day)), on: stream)
        view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openTickets.map(\.status) == ["assigned"])
        #expect(view.openTickets.first?.owner == "emp-7")
        #expect(view.recentTickets.isEmpty)
    }

    @Test func contactsPrimaryFirstAndAMovedContactLeavesItsOldCustomer() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        log.add(created(other, name: "Other"), on: Customer.stream(other))
        let zhang = UUID.derived("contact", "zhang"), li = UUID.derived("contact", "li")
        log.add(ContactCreated(contactID: zhang, customerID: acme, name: "Zhang", role: .primary), on: Contact.stream(zhang))
        log.add(ContactCreated(contactID: li, customerID: acme, name: "Anna Li", role: .other), on: Contact.stream(li))
        log.add(ContactEdited(contactID: li, changes: [FieldChange(field: "name", old: .text("Anna Li"), new: .text("Li Na"))]), on: Contact.stream(li))
        var views = try log.views(projection)
        var view = try #require(try Customer360Projection.customer(acme, in: views))
        #expect(view.contacts.map(\.title) == ["Zhang", "Li Na"])
        #expect(view.contacts.map(\.isPrimary) == [true, false])
        log.add(ContactMovedToCustomer(contactID: li, fromCustomerID: acme, toCustomerID: other), on: Contact.stream(li))
        log.add(ContactArchived(contactID: li), on: Contact.stream(li))
        views = try log.views(projection)
        view = try #require(try Customer360Projection.customer(acme, in: views))
        #expect(view.contacts.map(\.id) == [zhang])
        let moved = try #require(try Customer360Projection.customer(other, in: views))
        #expect(moved.contacts.map(\.title) == ["Li Na"])
        #expect(moved.contacts.map(\.status) == ["archived"])
    }

    @Test func recentActivityMixesVisitsAndContactLogNewestFirstAndDropsRetractedEntries() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        for n in 0..<25 {
            let id = UUID.derived("log", "\(n)")
            log.add(ContactLogged(entryID: id, customerID: acme, details: .init(channel: .phone, subject: "Call \(n)",
                                                                                 occurredAt: t0.addingTimeInterval(Double(n) * 3600))),
                    on: ContactLogEntry.stream(id))
        }
        let visit = UUID.derived("visit", "1")
        log.add(VisitPlanned(visitID: visit, customerID: acme, visitor: "emp-3", scheduledAt: t0.addingTimeInterval(30 * 3600), contacts: [],
                             agenda: "Meter check", place: "Site"), on: Visit.stream(visit))
        let last = UUID.derived("log", "24")
        log.add(ContactLogRetracted(entryID: last, reason: "wrong customer", retractedAt: t0), on: ContactLogEntry.stream(last))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.recentActivity.count == Customer360Projection.recentLimit)
        #expect(view.recentActivity.first?.id == visit)
        #expect(view.recentActivity.dropFirst().first?.title == "Call 23")
        #expect(view.recentActivity.first?.scope.owners == ["emp-1", "emp-3"])
    }

    @Test func aRecordedVisitKeepsItsPlannedHourOnItsPlannedDayAndIsAtNoonUTCOnAnother() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        // Planned for 2026-01-11 02:00 UTC: 2026-01-10 21:00 in New York, where it took place that evening.
        let sameDay = UUID.derived("visit", "same-day"), otherDay = UUID.derived("visit", "other-day")
        let planned = t0.addingTimeInterval(10 * day + 2 * 3600)
        for visit in [sameDay, otherDay] {
            log.add(VisitPlanned(visitID: visit, customerID: acme, visitor: "emp-3", scheduledAt: planned, contacts: [],
                                 agenda: "Meter check", place: "Site"), on: Visit.stream(visit))
        }
        log.add(VisitRecorded(visitID: sameDay, actual: .init(date: LocalDate("2026-01-10")!, place: "Site", summary: "Checked"),
                              recordedAt: planned), on: Visit.stream(sameDay))
        log.add(VisitRecorded(visitID: otherDay, actual: .init(date: LocalDate("2026-01-05")!, place: "Site", summary: "Early"),
                              recordedAt: planned), on: Visit.stream(otherDay))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        let at = Dictionary(uniqueKeysWithValues: view.recentActivity.map { ($0.id, $0.at) })
        #expect(at[sameDay] == planned)
        #expect(at[otherDay] == t0.addingTimeInterval(4 * day + 12 * 3600), "noon UTC of 2026-01-05, not its midnight")
        #expect(view.recentActivity.map(\.id) == [sameDay, otherDay])
    }

    @Test func salesRevenueAndLoyaltyAreSummarised() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let opp = UUID.derived("opp", "1")
        log.add(OpportunityOpened(opportunityID: opp, details: .init(customerID: acme, title: "Boiler", source: "web",
                                                                     expectedRevenue: Money(5000, .cny), closeDate: LocalDate("2026-03-01")!),
                                  pipeline: .default, stage: "opportunityFound", owner: "emp-2"), on: Opportunity.stream(opp))
        log.add(OpportunityStageChanged(opportunityID: opp, change: FieldChange(field: "stage", old: .option("opportunityFound"),
                                                                                new: .option("inSales"))), on: Opportunity.stream(opp))
        let lost = UUID.derived("opp", "2")
        log.add(OpportunityOpened(opportunityID: lost, details: .init(customerID: acme, title: "Solar", source: "web",
                                                                      expectedRevenue: Money(100, .usd), closeDate: LocalDate("2026-03-01")!),
                                  pipeline: .default, stage: "opportunityFound", owner: "emp-2"), on: Opportunity.stream(lost))
        log.add(OpportunityLost(opportunityID: lost, reason: "price", stage: "opportunityFound", closedAt: t0), on: Opportunity.stream(lost))
        let ledger = RevenueLedger.stream(RevenueLedger.id(customerID: acme))
        func entry(_ n: Int, _ amount: Decimal, _ currency: Currency) -> RevenueLedger.Entry {
            .init(id: UUID.derived("rev", "\(n)"), customerID: acme, chargeItem: "gas", businessLine: "retail",
                  date: LocalDate("2026-01-05")!, amount: Money(amount, currency))
        }
        log.add(RevenueEntryRecorded(entry: entry(1, 120.5, .cny), recordedBy: "emp-1", recordedAt: t0), on: ledger)
        log.add(RevenueEntryRecorded(entry: entry(2, 10, .usd), recordedBy: "emp-1", recordedAt: t0), on: ledger)
        log.add(RevenueEntryReversed(reversal: entry(3, -20.5, .cny), reason: "fix", reversedBy: "emp-1", reversedAt: t0), on: ledger)
        let loyalty = LoyaltyAccount.stream(acme)
        log.add(PointsAccrued(customerID: acme, lotID: UUID.derived("lot"), points: 50, source: .manual, sourceReference: "x",
                              reason: "welcome", earnedOn: LocalDate("2026-01-02")!), on: loyalty)
        log.add(PointsRedeemed(customerID: acme, redemptionID: UUID.derived("red"), points: 20, reason: "gift",
                               redeemedOn: LocalDate("2026-01-03")!, draws: []), on: loyalty)
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openOpportunities.map(\.detail) == ["inSales"])
        #expect(view.openOpportunities.first?.amount == Money(5000, .cny))
        #expect(view.closedOpportunities.map(\.id) == [lost])
        #expect(view.revenue == [Money(100, .cny), Money(10, .usd)])
        #expect(view.loyaltyBalance == 30)
    }

    @Test func mergedCustomerPointsToItsSurvivor() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        log.add(created(other, name: "Acme Ltd"), on: Customer.stream(other))
        log.add(CustomerMergedInto(customerID: other, survivorID: acme, releasedKeys: []), on: Customer.stream(other))
        log.add(CustomerAbsorbedDuplicate(customerID: acme, duplicateID: other, contactIDs: [], openWorkIDs: []), on: Customer.stream(acme))
        let views = try log.views(projection)
        let duplicate = try #require(try Customer360Projection.customer(other, in: views))
        #expect(duplicate.profile.status == .merged)
        #expect(duplicate.profile.mergedInto == acme)
        #expect(try Customer360Projection.customer(acme, in: views)?.profile.absorbed == [other])
    }

    @Test func listPagesByFoldedNameAndByIdAndFollowsRenames() throws {
        var log = TestLog()
        let names = ["delta", "Alpha", "charlie", "Ｂravo", "echo"]
        let ids = names.indices.map { UUID.derived("customer", "\($0)") }
        for (id, name) in zip(ids, names) { log.add(created(id, name: name, branch: name == "echo" ? "south" : "north"), on: Customer.stream(id)) }
        log.add(CustomerEdited(customerID: ids[4], changes: [FieldChange(field: "name", old: .text("echo"), new: .text("Able"))]),
                on: Customer.stream(ids[4]))
        let views = try log.views(projection)
        let first = try Customer360Projection.list(in: views, limit: 2)
        #expect(first.items.map(\.name) == ["Able", "Alpha"])
        let second = try Customer360Projection.list(in: views, after: first.cursor, limit: 10)
        #expect(second.items.map(\.name) == ["Ｂravo", "charlie", "delta"])
        let north = try Customer360Projection.list(in: views, limit: 10) { $0.scope.branch == "north" }
        #expect(north.items.count == 4)
        let byID = try Customer360Projection.list(in: views, order: .id, limit: 10)
        #expect(Set(byID.items.map(\.id)) == Set(ids))
        #expect(try Customer360Projection.customers(namedLike: "B", in: views).map(\.name) == ["Ｂravo"])
    }

    @Test func batchingDoesNotChangeTheRows() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        for n in 0..<7 {
            let (id, t) = task(n, due: t0.addingTimeInterval(Double(n) * day))
            log.add(t, on: WorkTask.stream(id))
            if n % 2 == 0 { log.add(TaskCompleted(taskID: id, resultNote: "ok", completedAt: t0), on: WorkTask.stream(id)) }
        }
        log.add(CustomerEdited(customerID: acme, changes: [FieldChange(field: "name", old: .text("Acme"), new: .text("Acme 2"))]),
                on: Customer.stream(acme))
        #expect(try log.views(projection).tables == log.views(projection, batches: 3).tables)
    }
}
