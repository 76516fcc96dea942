import CRMDomain
import EventSourcing
import Foundation
import Testing

/// An instant from an ISO 8601 UTC text such as `2026-03-10T16:30:00Z`.
private func instant(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
}

private let taskID = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!
private let customerID = UUID(uuidString: "00000000-0000-0000-0000-00000000c001")!
private let due = instant("2026-03-10T16:30:00Z")

private func details(_ title: String = "Call back about the meter", due: Date = due, branch: String? = "shanghai") -> WorkTask.Details {
    WorkTask.Details(title: title, note: "asked twice", customerID: customerID, kind: .followUp, dueAt: due, branch: branch)
}

private func dispatchedEvent(assignee: String = "emp-7", route: WorkTask.Route = .manual,
                             reference: WorkTask.ExternalReference? = nil) -> WorkTaskEvent {
    .dispatched(TaskDispatched(taskID: taskID, details: details(), assignee: assignee, route: route, externalReference: reference))
}

private let reference = WorkTask.ExternalReference(system: "billing", id: "BX-42")

@Suite("Tasks: dispatch")
struct WorkTaskDispatchTests {
    @Test func dispatchingRecordsTheTaskForItsAssignee() {
        var s = Scenario(WorkTask.self)
        let events = s.apply(.dispatch(taskID: taskID, details: details(), assignee: " emp-7 "))
        #expect(events == [dispatchedEvent()])
        #expect(s.state.exists)
        #expect(s.state.status == .dispatched)
        #expect(s.state.assignee == "emp-7")
        #expect(s.state.route == .manual)
        #expect(s.state.details?.dueAt == due)
        #expect(WorkTask.stream(taskID).rawValue == "task-00000000-0000-0000-0000-00000000a001")
    }

    @Test func dispatchTrimsTheTitleAndDropsAnEmptyNote() {
        var d = details("  Visit the site  ")
        d.note = "   "
        let events = Scenario(WorkTask.self).when(.dispatch(taskID: taskID, details: d, assignee: "emp-7"))
        guard case .dispatched(let e)? = events.first else { Issue.record("no dispatch"); return }
        #expect(e.details.title == "Visit the site")
        #expect(e.details.note == nil)
    }

    @Test func dispatchNeedsATitle() {
        let error = Scenario(WorkTask.self).whenRefused(.dispatch(taskID: taskID, details: details("  "), assignee: "emp-7"))
        #expect(error?.code == .invalid)
        #expect(error?.field == "title")
    }

    @Test func dispatchRefusesAnOverlongTitle() {
        let error = Scenario(WorkTask.self).whenRefused(.dispatch(taskID: taskID, details: details(String(repeating: "x", count: 201)), assignee: "emp-7"))
        #expect(error?.field == "title")
    }

    @Test func dispatchNeedsAnAssignee() {
        let error = Scenario(WorkTask.self).whenRefused(.dispatch(taskID: taskID, details: details(), assignee: ""))
        #expect(error?.code == .invalid)
        #expect(error?.field == "assignee")
    }

    @Test func dispatchingTheSameTaskAgainRecordsNothing() {
        let s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        #expect(s.when(.dispatch(taskID: taskID, details: details(), assignee: "emp-7")).isEmpty)
    }

    @Test func dispatchingTheSameIDWithDifferentContentIsRefused() {
        let s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        let error = s.whenRefused(.dispatch(taskID: taskID, details: details("Something else"), assignee: "emp-7"))
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "taskID")
        #expect(s.whenRefused(.dispatch(taskID: taskID, details: details(), assignee: "emp-8"))?.code == .alreadyExists)
    }

    @Test func aRepeatedDispatchComparesWithTheOriginalEvenAfterLaterChanges() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        s.apply(.reschedule(dueAt: due.addingTimeInterval(86_400)))
        s.apply(.reassign(to: "emp-9"))
        s.apply(.complete(resultNote: "done"))
        #expect(s.when(.dispatch(taskID: taskID, details: details(), assignee: "emp-7")).isEmpty)
        #expect(s.state.status == .completed, "the repeat did not reopen the task")
    }

    @Test func dispatchByRulesTakesTheAssigneeOfTheFirstMatchingRule() {
        let rules = [
            RoutingRule(name: "gas", branch: "shanghai", productLine: "gas", assignee: "emp-gas"),
            RoutingRule(name: "shanghai", branch: "shanghai", assignee: "emp-sh"),
        ]
        var s = Scenario(WorkTask.self)
        let events = s.apply(.dispatchByRules(taskID: taskID, details: details(), input: RoutingInput(branch: "shanghai", productLine: "water"), rules: rules))
        #expect(events == [.dispatched(TaskDispatched(taskID: taskID, details: details(), assignee: "emp-sh", route: .rules))])
        #expect(s.state.route == .rules)
    }

    @Test func dispatchByRulesCanFallBackToTheCustomerOwner() {
        let rules = [RoutingRule(name: "key accounts", customerGroup: "key")]
        let events = Scenario(WorkTask.self).when(.dispatchByRules(taskID: taskID, details: details(),
                                                                    input: RoutingInput(customerGroup: "key", customerOwner: "emp-owner"), rules: rules))
        guard case .dispatched(let e)? = events.first else { Issue.record("no dispatch"); return }
        #expect(e.assignee == "emp-owner")
    }

    @Test func dispatchByRulesWithoutAMatchingRuleIsNotConfigured() {
        let s = Scenario(WorkTask.self)
        let rules = [RoutingRule(name: "north", branch: "north", assignee: "emp-n")]
        let error = s.whenRefused(.dispatchByRules(taskID: taskID, details: details(), input: RoutingInput(branch: "south"), rules: rules))
        #expect(error?.code == .notConfigured)
        #expect(s.whenRefused(.dispatchByRules(taskID: taskID, details: details(), input: RoutingInput(), rules: []))?.code == .notConfigured)
        // A rule naming the owner, for a customer without one, gives nobody either.
        let ownerRule = [RoutingRule(name: "owner")]
        #expect(s.whenRefused(.dispatchByRules(taskID: taskID, details: details(), input: RoutingInput(), rules: ownerRule))?.code == .notConfigured)
    }

    @Test func dispatchByRulesStillValidatesTheDetails() {
        let rules = [RoutingRule(name: "all", assignee: "emp-1")]
        let error = Scenario(WorkTask.self).whenRefused(.dispatchByRules(taskID: taskID, details: details(""), input: RoutingInput(), rules: rules))
        #expect(error?.field == "title")
    }

    @Test func importedTasksGoToTheOwnerAndKeepTheirExternalReference() {
        var s = Scenario(WorkTask.self)
        let events = s.apply(.importExternal(taskID: taskID, details: details(), reference: reference, owner: "emp-owner"))
        #expect(events == [dispatchedEvent(assignee: "emp-owner", route: .imported, reference: reference)])
        #expect(s.state.externalReference == reference)
        #expect(s.state.assignee == "emp-owner")
    }

    @Test func anImportNeedsSystemExternalIDAndOwner() {
        let s = Scenario(WorkTask.self)
        let noSystem = s.whenRefused(.importExternal(taskID: taskID, details: details(), reference: .init(system: " ", id: "1"), owner: "emp-1"))
        #expect(noSystem?.field == "system")
        let noID = s.whenRefused(.importExternal(taskID: taskID, details: details(), reference: .init(system: "billing", id: ""), owner: "emp-1"))
        #expect(noID?.field == "externalID")
        let noOwner = s.whenRefused(.importExternal(taskID: taskID, details: details(), reference: reference, owner: ""))
        #expect(noOwner?.field == "owner")
    }

    @Test func importingTheSameExternalTaskTwiceRecordsNothing() {
        let id = WorkTask.importedTaskID(system: "billing", externalID: "BX-42")
        #expect(id == WorkTask.importedTaskID(system: "billing", externalID: "BX-42"))
        #expect(id != WorkTask.importedTaskID(system: "billing", externalID: "BX-43"))
        var s = Scenario(WorkTask.self)
        #expect(s.apply(.importExternal(taskID: id, details: details(), reference: reference, owner: "emp-owner")).count == 1)
        #expect(s.when(.importExternal(taskID: id, details: details(), reference: reference, owner: "emp-owner")).isEmpty)
    }
}

@Suite("Tasks: lifecycle")
struct WorkTaskLifecycleTests {
    @Test func theAssigneeAcceptsADispatchedTask() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        #expect(s.apply(.accept) == [.accepted(TaskAccepted(taskID: taskID, assignee: "emp-7"))])
        #expect(s.state.status == .accepted)
        #expect(s.when(.accept).isEmpty, "accepting again changes nothing")
    }

    @Test func completingRecordsTheResultNoteAndTheTime() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent(), .accepted(TaskAccepted(taskID: taskID, assignee: "emp-7"))], at: instant("2026-03-10T09:00:00Z"))
        let events = s.apply(.complete(resultNote: " Customer satisfied "))
        #expect(events == [.completed(TaskCompleted(taskID: taskID, resultNote: "Customer satisfied", completedAt: instant("2026-03-10T09:00:00Z")))])
        #expect(s.state.status == .completed)
        #expect(s.state.resultNote == "Customer satisfied")
        #expect(s.state.completedAt == instant("2026-03-10T09:00:00Z"))
    }

    @Test func aDispatchedTaskCanBeCompletedWithoutAnExplicitAccept() {
        let events = Scenario(WorkTask.self, given: [dispatchedEvent()]).when(.complete(resultNote: "done"))
        #expect(events.count == 1)
    }

    @Test func completingNeedsAResultNote() {
        let error = Scenario(WorkTask.self, given: [dispatchedEvent()]).whenRefused(.complete(resultNote: "  "))
        #expect(error?.code == .invalid)
        #expect(error?.field == "resultNote")
    }

    @Test func completingAnImportedTaskQueuesTheWriteBack() {
        let at = instant("2026-03-11T02:00:00Z")
        let s = Scenario(WorkTask.self, given: [dispatchedEvent(assignee: "emp-owner", route: .imported, reference: reference)], at: at)
        let events = s.when(.complete(resultNote: "meter replaced"))
        #expect(events == [
            .completed(TaskCompleted(taskID: taskID, resultNote: "meter replaced", completedAt: at)),
            .completionQueuedForWriteBack(TaskCompletionQueuedForWriteBack(taskID: taskID, system: "billing", externalID: "BX-42",
                                                                           resultNote: "meter replaced", completedAt: at)),
        ])
    }

    @Test func closedTasksCannotBeCompletedAgain() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        s.apply(.complete(resultNote: "done"))
        #expect(s.whenRefused(.complete(resultNote: "again"))?.code == .invalidTransition)
        let cancelled = Scenario(WorkTask.self, given: [dispatchedEvent(), .cancelled(TaskCancelled(taskID: taskID, reason: "duplicate"))])
        #expect(cancelled.whenRefused(.complete(resultNote: "done"))?.code == .invalidTransition)
    }

    @Test func cancellingRecordsTheReason() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        #expect(s.apply(.cancel(reason: "customer moved away")) == [.cancelled(TaskCancelled(taskID: taskID, reason: "customer moved away"))])
        #expect(s.state.status == .cancelled)
        #expect(s.state.cancelReason == "customer moved away")
    }

    @Test func cancellingNeedsAReasonAndAnOpenTask() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        #expect(s.whenRefused(.cancel(reason: ""))?.field == "reason")
        s.apply(.complete(resultNote: "done"))
        #expect(s.whenRefused(.cancel(reason: "too late"))?.code == .invalidTransition)
    }

    @Test func acceptingAClosedTaskIsRefused() {
        let s = Scenario(WorkTask.self, given: [dispatchedEvent(), .cancelled(TaskCancelled(taskID: taskID, reason: "x"))])
        #expect(s.whenRefused(.accept)?.code == .invalidTransition)
    }

    @Test func reassigningTracesOldAndNewAssigneeAndAwaitsANewAccept() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent(), .accepted(TaskAccepted(taskID: taskID, assignee: "emp-7"))])
        let events = s.apply(.reassign(to: "emp-9", reason: "on leave"))
        #expect(events == [.reassigned(TaskReassigned(taskID: taskID, previousAssignee: "emp-7", assignee: "emp-9", reason: "on leave"))])
        #expect(s.state.assignee == "emp-9")
        #expect(s.state.status == .dispatched)
        #expect(s.when(.reassign(to: "emp-9")).isEmpty, "same assignee: nothing to record")
    }

    @Test func reassigningNeedsAnAssigneeAndAnOpenTask() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        #expect(s.whenRefused(.reassign(to: " "))?.field == "assignee")
        s.apply(.cancel(reason: "x"))
        #expect(s.whenRefused(.reassign(to: "emp-9"))?.code == .invalidTransition)
    }

    @Test func reschedulingTracesTheOldAndNewDueInstant() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        let later = due.addingTimeInterval(2 * 86_400)
        #expect(s.apply(.reschedule(dueAt: later, reason: "customer away")) == [
            .rescheduled(TaskRescheduled(taskID: taskID, previousDueAt: due, dueAt: later, reason: "customer away")),
        ])
        #expect(s.state.details?.dueAt == later)
        #expect(s.when(.reschedule(dueAt: later)).isEmpty, "same due instant: nothing to record")
    }

    @Test func reschedulingAClosedTaskIsRefused() {
        let s = Scenario(WorkTask.self, given: [dispatchedEvent(), .completed(TaskCompleted(taskID: taskID, resultNote: "ok", completedAt: due))])
        #expect(s.whenRefused(.reschedule(dueAt: due.addingTimeInterval(60)))?.code == .invalidTransition)
    }

    @Test func editingRecordsExactlyTheChangedFields() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        let events = s.apply(.edit(title: "Call back about the meter", note: "asked three times"))
        #expect(events == [.edited(TaskEdited(taskID: taskID, changes: [FieldChange(field: "note", old: .text("asked twice"), new: .text("asked three times"))]))])
        #expect(s.state.details?.note == "asked three times")
        let cleared = s.apply(.edit(title: "Call back", note: nil))
        #expect(cleared == [.edited(TaskEdited(taskID: taskID, changes: [
            FieldChange(field: "title", old: .text("Call back about the meter"), new: .text("Call back")),
            FieldChange(field: "note", old: .text("asked three times"), new: nil),
        ]))])
        #expect(s.state.details?.title == "Call back")
        #expect(s.state.details?.note == nil)
        #expect(s.when(.edit(title: "Call back", note: "")).isEmpty, "an edit that changes nothing records nothing")
    }

    @Test func editingNeedsATitleAndAnOpenTask() {
        var s = Scenario(WorkTask.self, given: [dispatchedEvent()])
        #expect(s.whenRefused(.edit(title: "", note: nil))?.field == "title")
        s.apply(.complete(resultNote: "done"))
        #expect(s.whenRefused(.edit(title: "New", note: nil))?.code == .invalidTransition)
    }

    @Test func everyLifecycleCommandOnAMissingTaskIsNotFound() {
        let s = Scenario(WorkTask.self)
        let commands: [WorkTask.Command] = [
            .accept, .complete(resultNote: "x"), .cancel(reason: "x"), .reassign(to: "emp-1"), .reschedule(dueAt: due), .edit(title: "x", note: nil),
        ]
        for command in commands {
            #expect(s.whenRefused(command)?.code == .notFound)
        }
    }
}

@Suite("Tasks: overdue and due today")
struct WorkTaskDueTests {
    @Test func aTaskIsOverdueAtAndAfterItsDueInstantButNotBefore() {
        let state = WorkTask.replay([dispatchedEvent()])
        #expect(!state.isOverdue(at: due.addingTimeInterval(-1)))
        #expect(state.isOverdue(at: due))
        #expect(state.isOverdue(at: due.addingTimeInterval(86_400 * 30)))
    }

    @Test func completedAndCancelledTasksAreNeverOverdue() {
        let completed = WorkTask.replay([dispatchedEvent(), .completed(TaskCompleted(taskID: taskID, resultNote: "ok", completedAt: due))])
        let cancelled = WorkTask.replay([dispatchedEvent(), .cancelled(TaskCancelled(taskID: taskID, reason: "x"))])
        let later = due.addingTimeInterval(86_400)
        #expect(!completed.isOverdue(at: later))
        #expect(!cancelled.isOverdue(at: later))
        #expect(!WorkTask.initialState.isOverdue(at: later), "no task, nothing overdue")
    }

    @Test func reschedulingMovesTheOverdueMoment() {
        let later = due.addingTimeInterval(3600)
        let state = WorkTask.replay([dispatchedEvent(), .rescheduled(TaskRescheduled(taskID: taskID, previousDueAt: due, dueAt: later))])
        #expect(!state.isOverdue(at: due))
        #expect(state.isOverdue(at: later))
    }

    /// Due 2026-03-10T16:30Z = 2026-03-11 00:30 in Shanghai (UTC+8).
    @Test func justBeforeShanghaiMidnightTheTaskIsDueTodayInUTCButTomorrowInShanghai() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let state = WorkTask.replay([dispatchedEvent()])
        let now = instant("2026-03-10T15:50:00Z")  // 23:50 on 2026-03-10 in Shanghai
        #expect(state.isDueToday(at: now, calendar: .utc))
        #expect(!state.isDueToday(at: now, calendar: shanghai))
    }

    @Test func afterUTCMidnightTheTaskIsDueTodayInShanghaiButWasYesterdayInUTC() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let state = WorkTask.replay([dispatchedEvent()])
        let now = instant("2026-03-11T00:10:00Z")  // 08:10 on 2026-03-11 in Shanghai
        #expect(state.isDueToday(at: now, calendar: shanghai))
        #expect(!state.isDueToday(at: now, calendar: .utc))
        #expect(state.isOverdue(at: now), "and it is overdue in either reading")
    }

    @Test func atShanghaiMidnightTheTaskIsDueTodayInBothZones() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let state = WorkTask.replay([dispatchedEvent()])
        let now = instant("2026-03-10T16:00:00Z")  // 00:00 on 2026-03-11 in Shanghai, 16:00 on 2026-03-10 in UTC
        #expect(state.isDueToday(at: now, calendar: shanghai))
        #expect(state.isDueToday(at: now, calendar: .utc))
        #expect(!state.isOverdue(at: now))
    }

    @Test func theBranchCalendarFromTheSettingsDecidesToday() {
        var settings = Settings.State()
        settings.branchTimeZones["shanghai"] = "Asia/Shanghai"
        let state = WorkTask.replay([dispatchedEvent()])
        let calendar = settings.calendar(forBranch: state.details?.branch)
        #expect(!state.isDueToday(at: instant("2026-03-10T15:59:00Z"), calendar: calendar))
        #expect(state.isDueToday(at: instant("2026-03-10T16:00:00Z"), calendar: calendar))
    }

    @Test func closedTasksAreNotDueToday() {
        let state = WorkTask.replay([dispatchedEvent(), .completed(TaskCompleted(taskID: taskID, resultNote: "ok", completedAt: due))])
        #expect(!state.isDueToday(at: due, calendar: .utc))
    }

    @Test func everyTaskEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            dispatchedEvent(),
            dispatchedEvent(assignee: "emp-owner", route: .imported, reference: reference),
            .dispatched(TaskDispatched(taskID: taskID, details: WorkTask.Details(title: "生日提醒", kind: .reminder, dueAt: due, reminderKind: .birthday),
                                       assignee: "emp-1", route: .rules)),
            .accepted(TaskAccepted(taskID: taskID, assignee: "emp-7")),
            .completed(TaskCompleted(taskID: taskID, resultNote: "ok", completedAt: due)),
            .cancelled(TaskCancelled(taskID: taskID, reason: "duplicate")),
            .reassigned(TaskReassigned(taskID: taskID, previousAssignee: "emp-7", assignee: "emp-9", reason: nil)),
            .rescheduled(TaskRescheduled(taskID: taskID, previousDueAt: due, dueAt: due.addingTimeInterval(90), reason: "later")),
            .edited(TaskEdited(taskID: taskID, changes: [FieldChange(field: "note", old: nil, new: .text("n"))])),
            .completionQueuedForWriteBack(TaskCompletionQueuedForWriteBack(taskID: taskID, system: "billing", externalID: "BX-42",
                                                                           resultNote: "ok", completedAt: due)),
        ])
    }
}
