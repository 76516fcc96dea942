import CRMDomain
import EventSourcing
import Foundation
import Testing

private func instant(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
}

private let customer = UUID(uuidString: "00000000-0000-0000-0000-00000000c001")!
private let otherCustomer = UUID(uuidString: "00000000-0000-0000-0000-00000000c002")!
private let appointmentID = UUID(uuidString: "00000000-0000-0000-0000-0000000a0001")!
private let contractID = UUID(uuidString: "00000000-0000-0000-0000-0000000c7001")!
private let otherContractID = UUID(uuidString: "00000000-0000-0000-0000-0000000c7002")!
private let diaryItemID = UUID(uuidString: "00000000-0000-0000-0000-0000000d1001")!

private let settings: Settings.State = {
    var s = Settings.State()
    s.branchTimeZones = ["shanghai": "Asia/Shanghai", "berlin": "Europe/Berlin"]
    s.holidays = [
        Holiday(date: date("2026-10-01"), name: "National Day", branches: ["shanghai"]),
        Holiday(date: date("2026-12-25"), name: "Christmas"),
    ]
    return s
}()

private func with(_ kind: ReminderKind, lead days: Int) -> Settings.State {
    var s = settings
    s.reminderLeadDays[kind] = days
    return s
}

/// A dispatch command's parts, or nil for any other command.
private struct Dispatch: Equatable {
    var taskID: UUID
    var details: WorkTask.Details
    var assignee: String
}

private func dispatches(_ commands: [WorkTask.Command]) -> [Dispatch] {
    commands.compactMap {
        if case .dispatch(let id, let details, let assignee) = $0 { return Dispatch(taskID: id, details: details, assignee: assignee) }
        Issue.record("reminders are plain dispatches")
        return nil
    }
}

private func reminders(on day: String, _ sources: ReminderSources, settings: Settings.State = settings) -> [Dispatch] {
    dispatches(Reminders.commands(for: date(day), sources: sources, settings: settings))
}

private let birthday = ReminderSources(keyDates: [
    .init(customerID: customer, owner: "emp-7", branch: "shanghai", kind: .birthday, date: date("1980-11-25")),
])

@Suite("Reminders: key dates")
struct ReminderKeyDateTests {
    @Test func aBirthdayReminderGoesToTheOwnerLeadDaysAheadDueAtTheEndOfTheDayInTheBranchZone() {
        let found = reminders(on: "2026-11-22", birthday)  // default birthday lead: 3 days
        #expect(found == [Dispatch(
            taskID: UUID.derived("reminder", "birthday", customer.uuidString.lowercased(), "2026-11-25"),
            details: WorkTask.Details(title: "Birthday on 2026-11-25", customerID: customer, kind: .reminder,
                                      dueAt: instant("2026-11-25T15:59:59Z"), branch: "shanghai", reminderKind: .birthday),
            assignee: "emp-7")])
        #expect(reminders(on: "2026-11-21", birthday).isEmpty, "before the lead window")
        #expect(reminders(on: "2026-11-26", birthday).isEmpty, "after the occurrence")
    }

    @Test func everyDayOfTheLeadWindowYieldsTheSameReminderSoMissedDaysCatchUp() {
        let first = reminders(on: "2026-11-22", birthday)
        for day in ["2026-11-23", "2026-11-24", "2026-11-25"] {
            #expect(reminders(on: day, birthday) == first, "\(day)")
        }
    }

    @Test func leadDaysComeFromTheSettings() {
        let tenDays = with(.birthday, lead: 10)
        #expect(reminders(on: "2026-11-15", birthday, settings: tenDays).count == 1)
        #expect(reminders(on: "2026-11-14", birthday, settings: tenDays).isEmpty)
        let sameDay = with(.birthday, lead: 0)
        #expect(reminders(on: "2026-11-24", birthday, settings: sameDay).isEmpty)
        #expect(reminders(on: "2026-11-25", birthday, settings: sameDay).count == 1)
    }

    @Test func aFebruary29thBirthdayFallsOnThe28thInCommonYears() {
        let leap = ReminderSources(keyDates: [.init(customerID: customer, owner: "emp-7", branch: nil, kind: .birthday, date: date("2000-02-29"))])
        let sameDay = with(.birthday, lead: 0)
        let common = reminders(on: "2027-02-28", leap, settings: sameDay)
        #expect(common.map(\.taskID) == [Reminders.reminderID(kind: .birthday, sourceID: customer.uuidString.lowercased(), occurrence: date("2027-02-28"))])
        #expect(common.first?.details.dueAt == instant("2027-02-28T23:59:59Z"))
        #expect(reminders(on: "2027-03-01", leap, settings: sameDay).isEmpty)
        #expect(reminders(on: "2028-02-28", leap, settings: sameDay).isEmpty, "in a leap year it is on the 29th")
        #expect(reminders(on: "2028-02-29", leap, settings: sameDay).first?.details.title == "Birthday on 2028-02-29")
    }

    @Test func aFoundingAnniversaryCountsItsYearsAndUsesTheAnniversaryLead() {
        let founded = ReminderSources(keyDates: [.init(customerID: customer, owner: "emp-7", branch: "berlin", kind: .foundingAnniversary, date: date("2016-03-17"))])
        let found = reminders(on: "2026-03-10", founded)  // default anniversary lead: 7 days
        #expect(found.map(\.details.title) == ["Founding anniversary (10 years) on 2026-03-17"])
        #expect(found.first?.details.reminderKind == .anniversary)
        #expect(found.first?.details.dueAt == instant("2026-03-17T22:59:59Z"), "the day's last second in Berlin (UTC+1 in March)")
        #expect(reminders(on: "2026-03-09", founded).isEmpty)
    }

    @Test func keyDatesRecurAcrossTheYearEndButNotInTheirOwnYear() {
        #expect(Reminders.yearlyOccurrences(of: date("1990-01-02"), from: date("2026-12-31"), through: date("2027-01-03")) == [date("2027-01-02")])
        #expect(Reminders.yearlyOccurrences(of: date("2026-03-12"), from: date("2026-03-10"), through: date("2026-03-20")).isEmpty)
        #expect(Reminders.yearlyOccurrences(of: date("2026-03-12"), from: date("2027-03-10"), through: date("2027-03-20")) == [date("2027-03-12")])
        let newYear = ReminderSources(keyDates: [.init(customerID: customer, owner: "emp-7", branch: nil, kind: .birthday, date: date("1990-01-02"))])
        #expect(reminders(on: "2026-12-31", newYear).map(\.details.title) == ["Birthday on 2027-01-02"])
    }

    @Test func theSameCustomerDayInDifferentBranchZonesIsDueAtDifferentInstants() {
        let sources = ReminderSources(keyDates: [
            .init(customerID: customer, owner: "emp-7", branch: "shanghai", kind: .birthday, date: date("1980-11-25")),
            .init(customerID: otherCustomer, owner: "emp-8", branch: "berlin", kind: .birthday, date: date("1985-11-25")),
        ])
        let found = reminders(on: "2026-11-25", sources)
        #expect(found.map(\.details.dueAt) == [instant("2026-11-25T15:59:59Z"), instant("2026-11-25T22:59:59Z")], "ordered by due instant")
        #expect(found.map(\.assignee) == ["emp-7", "emp-8"])
    }
}

@Suite("Reminders: holidays, appointments, contracts")
struct ReminderSourceTests {
    @Test func holidaysGoToTheEmployeesOfTheBranchesTheyApplyTo() {
        let staff = ReminderSources(employees: [.init(id: "emp-sh", branch: "shanghai"), .init(id: "emp-be", branch: "berlin")])
        let national = reminders(on: "2026-09-26", staff)  // default holiday lead: 5 days
        #expect(national.map(\.assignee) == ["emp-sh"])
        #expect(national.first?.details.title == "Holiday: National Day on 2026-10-01")
        #expect(national.first?.details.dueAt == instant("2026-10-01T15:59:59Z"))
        #expect(national.first?.details.customerID == nil)
        #expect(reminders(on: "2026-09-25", staff).isEmpty)

        let christmas = reminders(on: "2026-12-24", staff)
        #expect(christmas.map(\.assignee) == ["emp-sh", "emp-be"])
        #expect(christmas.map(\.details.dueAt) == [instant("2026-12-25T15:59:59Z"), instant("2026-12-25T22:59:59Z")])
        #expect(Set(christmas.map(\.taskID)).count == 2, "one reminder per employee")
    }

    @Test func anAppointmentsDayIsReadInItsBranchZoneAndTheReminderIsDueWhenItStarts() {
        let start = instant("2026-03-10T17:00:00Z")  // 2026-03-11 01:00 in Shanghai
        func appointment(_ branch: String?) -> ReminderSources {
            ReminderSources(appointments: [.init(id: appointmentID, customerID: customer, owner: "emp-7", branch: branch, purpose: "install", start: start)])
        }
        let shanghai = appointment("shanghai")
        #expect(reminders(on: "2026-03-09", shanghai).isEmpty)  // default appointment lead: 1 day
        let found = reminders(on: "2026-03-10", shanghai)
        #expect(found.map(\.details.title) == ["Appointment (install) on 2026-03-11"])
        #expect(found.first?.details.dueAt == start)
        #expect(found.first?.taskID == Reminders.reminderID(kind: .appointment, sourceID: appointmentID.uuidString.lowercased(), occurrence: date("2026-03-11")))
        #expect(reminders(on: "2026-03-11", shanghai) == found)

        let utc = appointment(nil)
        #expect(reminders(on: "2026-03-09", utc).map(\.details.title) == ["Appointment (install) on 2026-03-10"])
        #expect(reminders(on: "2026-03-11", utc).isEmpty)
    }

    @Test func contractExpiriesAreRemindedWithTheirLeadTime() {
        let contract = ReminderSources(contractExpiries: [.init(contractID: contractID, customerID: customer, owner: "emp-7", branch: "berlin", expiry: date("2026-12-31"))])
        let found = reminders(on: "2026-12-01", contract)  // default contract lead: 30 days
        #expect(found.map(\.details.title) == ["Contract expires on 2026-12-31"])
        #expect(found.first?.details.dueAt == instant("2026-12-31T22:59:59Z"))
        #expect(found.first?.details.reminderKind == .contractExpiry)
        #expect(reminders(on: "2026-11-30", contract).isEmpty)
        #expect(reminders(on: "2026-11-30", contract, settings: with(.contractExpiry, lead: 31)).count == 1)
    }

    @Test func sourcesWithoutAnOwnerAreSkippedAndDuplicatesCollapse() {
        let keyDate = ReminderSources.KeyDate(customerID: customer, owner: "emp-7", branch: nil, kind: .birthday, date: date("1980-11-25"))
        var orphan = keyDate
        orphan.customerID = otherCustomer
        orphan.owner = " "
        let sources = ReminderSources(keyDates: [keyDate, keyDate, orphan])
        #expect(reminders(on: "2026-11-25", sources).map(\.assignee) == ["emp-7"])
    }

    @Test func longAppointmentPurposesStillGiveAValidTitle() {
        let sources = ReminderSources(appointments: [.init(id: appointmentID, customerID: customer, owner: "emp-7", branch: nil,
                                                           purpose: String(repeating: "p", count: 300), start: instant("2026-03-10T09:00:00Z"))])
        let found = reminders(on: "2026-03-10", sources)
        #expect(found.first?.details.title.count == 200)
        #expect(found.allSatisfy { (try? WorkTask.decide(.dispatch(taskID: $0.taskID, details: $0.details, assignee: $0.assignee),
                                                         state: WorkTask.initialState, context: CommandContext(now: instant("2026-03-09T09:00:00Z"), actor: "system")))?.count == 1 })
    }
}

@Suite("Reminders: diaries and idempotency")
struct ReminderDiaryTests {
    private static func diary(_ events: [DiaryEvent], employee: String = "emp-7", branch: String? = "shanghai") -> ReminderSources.EmployeeDiary {
        ReminderSources.EmployeeDiary(employee: .init(id: employee, branch: branch), diary: Diary.replay(events))
    }

    private static let item = Diary.Item(id: diaryItemID, date: date("2026-03-12"), time: TimeOfDay("09:30"),
                                         note: "Bring the new tariff sheet\nand the signed form", customerID: customer)

    @Test func diaryItemsAreRemindedOnTheirDayAtTheirTimeInTheBranchZone() {
        let sources = ReminderSources(diaries: [Self.diary([.itemAdded(DiaryItemAdded(item: Self.item))])])
        #expect(reminders(on: "2026-03-11", sources).isEmpty)  // default diary lead: 0 days
        let found = reminders(on: "2026-03-12", sources)
        #expect(found == [Dispatch(
            taskID: Reminders.reminderID(kind: .diary, sourceID: diaryItemID.uuidString.lowercased(), occurrence: date("2026-03-12")),
            details: WorkTask.Details(title: "Bring the new tariff sheet", note: "Bring the new tariff sheet\nand the signed form",
                                      customerID: customer, kind: .reminder, dueAt: instant("2026-03-12T01:30:00Z"),
                                      branch: "shanghai", reminderKind: .diary),
            assignee: "emp-7")])
        #expect(reminders(on: "2026-03-11", sources, settings: with(.diary, lead: 1)) == found)
    }

    @Test func anUntimedDiaryItemIsDueAtTheEndOfItsDay() {
        var untimed = Self.item
        untimed.time = nil
        let sources = ReminderSources(diaries: [Self.diary([.itemAdded(DiaryItemAdded(item: untimed))], branch: nil)])
        #expect(reminders(on: "2026-03-12", sources).first?.details.dueAt == instant("2026-03-12T23:59:59Z"))
    }

    @Test func aSubscriptionAddsAReminderWithItsOwnLeadForTheSubscribersOwnRecordsOnly() {
        let sources = ReminderSources(
            contractExpiries: [
                .init(contractID: contractID, customerID: customer, owner: "emp-7", branch: "berlin", expiry: date("2027-01-29")),
                .init(contractID: otherContractID, customerID: otherCustomer, owner: "emp-8", branch: "berlin", expiry: date("2027-01-29")),
            ],
            diaries: [Self.diary([.subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .contractExpiry, leadDays: 60)))])]
        )
        // 59 days ahead: outside the standard 30-day window, inside the subscription's 60 days.
        let found = reminders(on: "2026-12-01", sources)
        #expect(found == [Dispatch(
            taskID: Reminders.reminderID(kind: .subscription, sourceID: "emp-7/contractExpiry/\(contractID.uuidString.lowercased())",
                                         occurrence: date("2027-01-29")),
            details: WorkTask.Details(title: "Subscribed: Contract expires on 2027-01-29", customerID: customer, kind: .reminder,
                                      dueAt: instant("2027-01-29T22:59:59Z"), branch: "berlin", reminderKind: .subscription),
            assignee: "emp-7")])
        #expect(reminders(on: "2026-11-30", sources) == found, "exactly 60 days ahead")
        #expect(reminders(on: "2026-11-29", sources).isEmpty)
    }

    @Test func aSubscriptionWithoutItsOwnLeadUsesTheSubscriptionSettingAndComesBesideTheStandardReminder() {
        let sources = ReminderSources(
            keyDates: [.init(customerID: customer, owner: "emp-7", branch: nil, kind: .birthday, date: date("1980-11-25"))],
            diaries: [Self.diary([.subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .birthday)))], branch: nil)]
        )
        let sameDay = with(.birthday, lead: 0)  // subscription lead stays at its default, 1 day
        #expect(reminders(on: "2026-11-24", sources, settings: sameDay).map(\.details.reminderKind) == [.subscription])
        let onTheDay = reminders(on: "2026-11-25", sources, settings: sameDay)
        #expect(Set(onTheDay.compactMap(\.details.reminderKind)) == [.birthday, .subscription])
        #expect(Set(onTheDay.map(\.taskID)).count == 2)
        var noSubscriptionLead = sameDay
        noSubscriptionLead.reminderLeadDays[.subscription] = 0
        #expect(reminders(on: "2026-11-24", sources, settings: noSubscriptionLead).isEmpty)
    }

    @Test func aHolidaySubscriptionUsesTheSubscribersBranch() {
        let sources = ReminderSources(diaries: [
            Self.diary([.subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .holiday, leadDays: 20)))], employee: "emp-sh", branch: "shanghai"),
            Self.diary([.subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .holiday, leadDays: 20)))], employee: "emp-be", branch: "berlin"),
        ])
        let found = reminders(on: "2026-09-15", sources)
        #expect(found.map(\.assignee) == ["emp-sh"])
        #expect(found.first?.details.title == "Subscribed: Holiday: National Day on 2026-10-01")
    }

    @Test func generatingTheSameDayTwiceRecordsNothingTheSecondTime() throws {
        let sources = ReminderSources(
            keyDates: [.init(customerID: customer, owner: "emp-7", branch: "shanghai", kind: .birthday, date: date("1980-12-26"))],
            appointments: [.init(id: appointmentID, customerID: customer, owner: "emp-7", branch: "berlin", purpose: "move", start: instant("2026-12-25T08:00:00Z"))],
            contractExpiries: [.init(contractID: contractID, customerID: customer, owner: "emp-8", branch: nil, expiry: date("2027-01-10"))],
            employees: [.init(id: "emp-7", branch: "shanghai"), .init(id: "emp-8", branch: "berlin")],
            diaries: [Self.diary([
                .itemAdded(DiaryItemAdded(item: Diary.Item(id: diaryItemID, date: date("2026-12-24"), note: "Order cards"))),
                .subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .appointment, leadDays: 3))),
            ])]
        )
        let day = date("2026-12-24")
        let context = CommandContext(now: instant("2026-12-24T00:05:00Z"), actor: "system")
        let first = Reminders.commands(for: day, sources: sources, settings: settings)
        #expect(dispatches(first).compactMap(\.details.reminderKind).sorted { $0.rawValue < $1.rawValue }
                == [.appointment, .birthday, .contractExpiry, .diary, .holiday, .holiday, .subscription])

        var tasks: [UUID: WorkTask.State] = [:]
        var recorded = 0
        for command in first {
            guard case .dispatch(let id, _, _) = command else { continue }
            let (events, state) = try WorkTask.execute(command, state: tasks[id] ?? WorkTask.initialState, context: context)
            recorded += events.count
            tasks[id] = state
        }
        #expect(recorded == first.count)
        #expect(tasks.count == first.count, "every reminder has its own task id")

        // Someone completes one reminder meanwhile; the second run must still record nothing at all.
        if let someID = tasks.keys.first, let state = tasks[someID] {
            tasks[someID] = try WorkTask.execute(.complete(resultNote: "done"), state: state, context: context).state
        }
        let second = Reminders.commands(for: day, sources: sources, settings: settings)
        #expect(dispatches(second) == dispatches(first))
        for command in second {
            guard case .dispatch(let id, _, _) = command else { continue }
            let events = try WorkTask.decide(command, state: tasks[id] ?? WorkTask.initialState, context: context)
            #expect(events.isEmpty)
        }
    }
}
