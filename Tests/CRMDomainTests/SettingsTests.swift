import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Settings")
struct SettingsTests {
    @Test func settingABranchTimeZoneRecordsItAndGivesTheBranchItsCalendar() {
        var s = Scenario(Settings.self)
        let events = s.apply(.setBranchTimeZone(branch: "shanghai", timeZoneID: "Asia/Shanghai"))
        #expect(events == [.branchTimeZoneSet(BranchTimeZoneSet(branch: "shanghai", timeZoneID: "Asia/Shanghai"))])
        #expect(s.state.calendar(forBranch: "shanghai").timeZone.identifier == "Asia/Shanghai")
        #expect(s.state.calendar(forBranch: "elsewhere") == .utc)
    }

    @Test func anUnknownTimeZoneIsRefused() {
        let error = Scenario(Settings.self).whenRefused(.setBranchTimeZone(branch: "x", timeZoneID: "Mars/Olympus"))
        #expect(error?.code == .invalid)
        #expect(error?.field == "timeZoneID")
    }

    @Test func settingTheSameTimeZoneAgainRecordsNothing() {
        let s = Scenario(Settings.self, given: [.branchTimeZoneSet(BranchTimeZoneSet(branch: "b", timeZoneID: "UTC"))])
        #expect(s.when(.setBranchTimeZone(branch: "b", timeZoneID: "UTC")).isEmpty)
    }

    @Test func holidaysAreAddedOnceAndApplyToTheirBranches() {
        var s = Scenario(Settings.self)
        s.apply(.addHoliday(Holiday(date: date("2026-10-01"), name: "National Day", branches: ["shanghai"])))
        s.apply(.addHoliday(Holiday(date: date("2026-12-25"), name: "Christmas")))
        #expect(s.state.holidays(on: date("2026-10-01"), branch: "shanghai").count == 1)
        #expect(s.state.holidays(on: date("2026-10-01"), branch: "berlin").isEmpty)
        #expect(s.state.holidays(on: date("2026-12-25"), branch: "berlin").count == 1)
        #expect(s.whenRefused(.addHoliday(Holiday(date: date("2026-12-25"), name: "Christmas")))?.code == .alreadyExists)
        #expect(s.whenRefused(.addHoliday(Holiday(date: date("2026-12-26"), name: "  ")))?.code == .invalid)
    }

    @Test func removingAHolidayNeedsItToExist() {
        var s = Scenario(Settings.self)
        #expect(s.whenRefused(.removeHoliday(date: date("2026-01-01"), name: "New Year"))?.code == .notFound)
        s.apply(.addHoliday(Holiday(date: date("2026-01-01"), name: "New Year")))
        s.apply(.removeHoliday(date: date("2026-01-01"), name: "New Year"))
        #expect(s.state.holidays.isEmpty)
    }

    @Test func slaDeadlinesAreValidatedAndTheirPreviousValueIsRecorded() {
        var s = Scenario(Settings.self)
        let first = SLADeadline(kind: .complaint, severity: .high, responseMinutes: 60, resolutionMinutes: 480)
        s.apply(.setSLADeadline(first))
        let second = SLADeadline(kind: .complaint, severity: .high, responseMinutes: 30, resolutionMinutes: 240)
        let events = s.apply(.setSLADeadline(second))
        #expect(events == [.slaDeadlineSet(SLADeadlineSet(deadline: second, previous: first))])
        #expect(s.state.sla(kind: .complaint, severity: .high) == second)
        #expect(s.state.slaDeadlines.count == 1)
        #expect(s.when(.setSLADeadline(second)).isEmpty)
        #expect(s.whenRefused(.setSLADeadline(SLADeadline(kind: .praise, severity: .low, responseMinutes: 0, resolutionMinutes: 10)))?.field == "responseMinutes")
        #expect(s.whenRefused(.setSLADeadline(SLADeadline(kind: .praise, severity: .low, responseMinutes: 60, resolutionMinutes: 10)))?.field == "resolutionMinutes")
    }

    @Test func routingRulesPickTheFirstMatchAndFallBackToTheOwner() {
        var s = Scenario(Settings.self)
        s.apply(.replaceRoutingRules([
            RoutingRule(name: "gas north", branch: "north", productLine: "gas", assignee: "emp-gas"),
            RoutingRule(name: "key accounts", customerGroup: "key-account"),
            RoutingRule(name: "north default", branch: "north", assignee: "emp-north"),
        ]))
        let rules = s.state.routingRules
        #expect(rules.route(RoutingInput(branch: "north", productLine: "gas", customerOwner: "emp-own")) == "emp-gas")
        #expect(rules.route(RoutingInput(branch: "north", productLine: "water", customerGroup: "key-account", customerOwner: "emp-own")) == "emp-own")
        #expect(rules.route(RoutingInput(branch: "north", productLine: "water")) == "emp-north")
        #expect(rules.route(RoutingInput(branch: "south")) == nil)
        #expect(s.whenRefused(.replaceRoutingRules([RoutingRule(name: "a"), RoutingRule(name: "a")]))?.code == .invalid)
    }

    @Test func reminderLeadTimesDefaultAndCanBeChanged() {
        var s = Scenario(Settings.self)
        #expect(s.state.leadDays(.birthday) == 3)
        let events = s.apply(.setReminderLeadTime(kind: .birthday, days: 5))
        #expect(events == [.reminderLeadTimeSet(ReminderLeadTimeSet(kind: .birthday, days: 5, previousDays: nil))])
        #expect(s.state.leadDays(.birthday) == 5)
        #expect(s.whenRefused(.setReminderLeadTime(kind: .holiday, days: -1))?.code == .invalid)
    }

    @Test func ticketRuleChainsMatchKindAndMinimumSeverity() {
        var s = Scenario(Settings.self)
        let chain = TicketRuleChain(kind: .complaint, minimumSeverity: .normal, actions: [
            RuleAction(kind: .notifyOwner), RuleAction(kind: .queueLetter, template: "apology"),
        ])
        s.apply(.setTicketRuleChain(chain))
        #expect(s.state.ruleActions(kind: .complaint, severity: .high).map(\.kind) == [.notifyOwner, .queueLetter])
        #expect(s.state.ruleActions(kind: .complaint, severity: .low).isEmpty)
        #expect(s.state.ruleActions(kind: .praise, severity: .critical).isEmpty)
        #expect(s.whenRefused(.setTicketRuleChain(TicketRuleChain(kind: .praise, actions: [])))?.field == "actions")
        #expect(s.whenRefused(.setTicketRuleChain(TicketRuleChain(kind: .praise, actions: [RuleAction(kind: .queueLetter)])))?.field == "template")
        #expect(s.whenRefused(.setTicketRuleChain(TicketRuleChain(kind: .praise, actions: [RuleAction(kind: .createTask)])))?.field == "department")
        s.apply(.removeTicketRuleChain(kind: .complaint, minimumSeverity: .normal))
        #expect(s.state.ticketRuleChains.isEmpty)
        #expect(s.whenRefused(.removeTicketRuleChain(kind: .complaint, minimumSeverity: .normal))?.code == .notFound)
    }

    @Test func everySettingsEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            SettingsEvent.branchTimeZoneSet(BranchTimeZoneSet(branch: "b", timeZoneID: "Asia/Shanghai")),
            .holidayAdded(HolidayAdded(holiday: Holiday(date: date("2026-10-01"), name: "国庆节", branches: ["sh"]))),
            .holidayRemoved(HolidayRemoved(date: date("2026-10-01"), name: "国庆节")),
            .slaDeadlineSet(SLADeadlineSet(deadline: SLADeadline(kind: .faultRepair, severity: .critical, responseMinutes: 15, resolutionMinutes: 240), previous: nil)),
            .routingRulesReplaced(RoutingRulesReplaced(rules: [RoutingRule(name: "r", branch: "b", assignee: nil)])),
            .reminderLeadTimeSet(ReminderLeadTimeSet(kind: .contractExpiry, days: 45, previousDays: 30)),
            .ticketRuleChainSet(TicketRuleChainSet(chain: TicketRuleChain(kind: .complaint, actions: [RuleAction(kind: .createTask, template: "call back", department: "sales", dueInHours: 24)]))),
            .ticketRuleChainRemoved(TicketRuleChainRemoved(kind: .complaint, minimumSeverity: .low)),
        ])
    }
}

@Suite("Local dates and calendars")
struct LocalCalendarTests {
    @Test func aTaskDueTodayDependsOnTheBranchTimeZoneAroundMidnight() throws {
        // 2026-03-10 16:30 UTC is already 2026-03-11 00:30 in Shanghai.
        let instant = Date(timeIntervalSince1970: 1_773_160_200)
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        #expect(LocalCalendar.utc.localDate(of: instant) == date("2026-03-10"))
        #expect(shanghai.localDate(of: instant) == date("2026-03-11"))
        #expect(shanghai.startOfDay(date("2026-03-11")) == Date(timeIntervalSince1970: 1_773_158_400))
    }

    @Test func localDatesParseValidateAndStep() {
        #expect(LocalDate("2026-02-29") == nil)
        #expect(LocalDate("2028-02-29") != nil)
        #expect(LocalDate("2026-13-01") == nil)
        #expect(LocalDate("26-01-01") == nil)
        #expect(date("2026-12-31").adding(days: 1) == date("2027-01-01"))
        #expect(date("2026-03-01").adding(days: -1) == date("2026-02-28"))
        #expect(date("2026-01-01").days(until: date("2026-03-01")) == 59)
        #expect(date("2028-02-29").anniversary(in: 2027) == date("2027-02-28"))
        #expect(date("2026-05-17").description == "2026-05-17")
    }

    @Test func fieldValuesRoundTripThroughJSONAndBinary() throws {
        let values: [FieldValue] = [
            .text("x"), .number(Decimal(string: "3.14")!), .money(Money(Decimal(string: "12.50")!, .cny)),
            .date(date("2026-01-02")), .bool(true), .option("gold"), .id(UUID()), .list(["a", "b"]),
        ]
        for value in values {
            let binary = try BinaryPayloadEncoder.encode(value)
            #expect(try BinaryPayloadDecoder.decode(FieldValue.self, from: binary) == value)
            let json = try JSONEncoder().encode(value)
            #expect(try JSONDecoder().decode(FieldValue.self, from: json) == value)
        }
    }
}

@Suite("Derived ids")
struct DerivedIDTests {
    @Test func derivedIDsAreReproducibleAndDistinct() {
        let a = UUID.derived("reminder", "birthday", "c-1", "2026-11-25")
        #expect(a == UUID.derived("reminder", "birthday", "c-1", "2026-11-25"))
        #expect(a != UUID.derived("reminder", "birthday", "c-1", "2026-11-26"))
        #expect(UUID.derived("ab", "c") != UUID.derived("a", "bc"), "parts are separated")
        #expect(a.uuid.6 >> 4 == 8)
        var seen = Set<UUID>()
        for i in 0..<10_000 { seen.insert(UUID.derived("x", String(i))) }
        #expect(seen.count == 10_000)
    }
}
