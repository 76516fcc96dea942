import CRMDomain
import EventSourcing
import Foundation
import Testing

/// SLA minutes and rule-chain task hours are bounded (at most ten years, a task due time positive), and a
/// branch time zone must be an IANA id: a refused command names the field and emits nothing
/// (``Scenario/whenRefused(_:sourceLocation:)`` records an issue when it does). Values recorded before the
/// bounds stay accepted when resent unchanged.
@Suite("Settings bounds")
struct SettingsBoundsTests {
    static func sla(_ response: Int, _ resolution: Int) -> SLADeadline {
        SLADeadline(kind: .praise, severity: .low, responseMinutes: response, resolutionMinutes: resolution)
    }

    static func chain(dueInHours: Int?) -> TicketRuleChain {
        TicketRuleChain(kind: .faultRepair, actions: [RuleAction(kind: .createTask, department: "x", dueInHours: dueInHours)])
    }

    @Test func slaMinutesBeyondTenYearsAreRefusedNamingTheField() {
        let s = Scenario(Settings.self)
        let tenYears = Settings.maximumDeadlineMinutes
        #expect(tenYears == 5_256_000)
        #expect(s.whenRefused(.setSLADeadline(Self.sla(60, 99_999_999_999_999)))?.field == "resolutionMinutes")
        #expect(s.whenRefused(.setSLADeadline(Self.sla(tenYears + 1, tenYears + 1)))?.field == "responseMinutes")
        #expect(s.whenRefused(.setSLADeadline(Self.sla(Int.max, Int.max)))?.code == .invalid)
        #expect(s.when(.setSLADeadline(Self.sla(tenYears, tenYears))).count == 1, "ten years is still accepted")
    }

    @Test func aRecordedOutOfRangeSLAResentUnchangedRecordsNothing() {
        let legacy = Self.sla(60, 99_999_999_999_999)
        let s = Scenario(Settings.self, given: [.slaDeadlineSet(SLADeadlineSet(deadline: legacy, previous: nil))])
        #expect(s.when(.setSLADeadline(legacy)).isEmpty)
        #expect(s.whenRefused(.setSLADeadline(Self.sla(61, 99_999_999_999_999)))?.field == "resolutionMinutes")
        #expect(s.when(.setSLADeadline(Self.sla(60, 600))).count == 1, "the legacy value can be corrected")
    }

    @Test func aTaskDueTimeMustBePositiveAndAtMostTenYears() {
        let s = Scenario(Settings.self)
        for hours in [99_999_999_999, Settings.maximumTaskDueHours + 1, 0, -5, Int.min] {
            let error = s.whenRefused(.setTicketRuleChain(Self.chain(dueInHours: hours)))
            #expect(error?.code == .invalid && error?.field == "dueInHours", "\(hours)")
        }
        #expect(s.when(.setTicketRuleChain(Self.chain(dueInHours: Settings.maximumTaskDueHours))).count == 1)
        #expect(s.when(.setTicketRuleChain(Self.chain(dueInHours: nil))).count == 1, "a task without a due time stays allowed")
    }

    @Test func aRecordedOutOfRangeTaskActionResentInItsChainIsKept() {
        let legacy = Self.chain(dueInHours: -5)
        let s = Scenario(Settings.self, given: [.ticketRuleChainSet(TicketRuleChainSet(chain: legacy))])
        #expect(s.when(.setTicketRuleChain(legacy)).isEmpty)
        var extended = legacy
        extended.actions.append(RuleAction(kind: .notifyOwner))
        #expect(s.when(.setTicketRuleChain(extended)).count == 1)
        #expect(s.whenRefused(.setTicketRuleChain(Self.chain(dueInHours: -6)))?.field == "dueInHours")
    }

    @Test func aBranchTimeZoneMustBeAnIANAId() {
        let s = Scenario(Settings.self)
        for zone in ["GMT+5", "EST", "GMT+0500", "asia/shanghai", "Mars/Olympus", ""] {
            let error = s.whenRefused(.setBranchTimeZone(branch: "berlin", timeZoneID: zone))
            #expect(error?.code == .invalid && error?.field == "timeZoneID", "\(zone)")
        }
        for zone in ["Europe/Berlin", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Etc/GMT-8", "UTC", "GMT"] {
            #expect(s.when(.setBranchTimeZone(branch: "berlin", timeZoneID: zone)).count == 1, "\(zone)")
        }
    }

    @Test func aRecordedNonIANATimeZoneStaysAcceptedOnReSet() {
        var s = Scenario(Settings.self, given: [.branchTimeZoneSet(BranchTimeZoneSet(branch: "berlin", timeZoneID: "EST"))])
        #expect(s.when(.setBranchTimeZone(branch: "berlin", timeZoneID: "EST")).isEmpty)
        #expect(s.when(.setBranchTimeZone(branch: "boston", timeZoneID: "EST")).count == 1)
        #expect(s.whenRefused(.setBranchTimeZone(branch: "berlin", timeZoneID: "GMT+5"))?.field == "timeZoneID")
        s.apply(.setBranchTimeZone(branch: "berlin", timeZoneID: "Europe/Berlin"))
        #expect(s.state.branchTimeZones["berlin"] == "Europe/Berlin")
    }
}
