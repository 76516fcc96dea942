import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Logs written before employee ids were recorded in lower case may hold them in upper case: a command's
/// lower-case id names the same employee.
@Suite("Employee ids recorded in upper case by older logs")
struct LegacyEmployeeIDCaseTests {
    static let upper = "01A21D62-FCAA-4E3B-9C1D-6F0A8E2B7C11"
    static let lower = upper.lowercased()
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let taskID = UUID.derived("test", "legacy-task")
    static let customerID = UUID.derived("test", "legacy-customer")
    static let details = WorkTask.Details(title: "Call back", note: nil, customerID: nil, kind: .followUp, dueAt: t0)

    @Test func sameIDIgnoresTheCaseOfAUUIDOnly() {
        #expect(Employee.sameID(Self.upper, Self.lower))
        #expect(Employee.sameID(Self.lower, Optional(Self.upper)))
        #expect(!Employee.sameID("EMP-1", "emp-1"))
        #expect(!Employee.sameID(nil, Optional(Self.lower)))
    }

    @Test func aLowerCaseRepeatOfAnUpperCaseDispatchIsARepeat() {
        let recorded = WorkTaskEvent.dispatched(TaskDispatched(taskID: Self.taskID, details: Self.details, assignee: Self.upper, route: .manual))
        let s = Scenario(WorkTask.self, given: [recorded], at: Self.t0)
        #expect(s.when(.dispatch(taskID: Self.taskID, details: Self.details, assignee: Self.lower)).isEmpty)
        #expect(s.when(.reassign(to: Self.lower, reason: nil)).isEmpty)
        let imported = WorkTaskEvent.dispatched(TaskDispatched(taskID: Self.taskID, details: Self.details, assignee: Self.upper, route: .imported,
                                                               externalReference: WorkTask.ExternalReference(system: "billing", id: "BX-1")))
        let i = Scenario(WorkTask.self, given: [imported], at: Self.t0)
        #expect(i.when(.importExternal(taskID: Self.taskID, details: Self.details, reference: WorkTask.ExternalReference(system: "billing", id: "BX-1"),
                                       owner: Self.lower)).isEmpty)
    }

    @Test func aLowerCaseRepeatOfAnUpperCaseOpeningIsARepeat() {
        let id = UUID.derived("test", "legacy-opportunity")
        let details = Opportunity.Details(customerID: Self.customerID, title: "Meter upgrade", source: "referral",
                                          expectedRevenue: Money(100_000, .cny), closeDate: date("2026-06-30"))
        let opened = OpportunityEvent.opened(OpportunityOpened(opportunityID: id, details: details, pipeline: .default,
                                                               stage: "maintainingRelationship", owner: Self.upper))
        let s = Scenario(Opportunity.self, given: [opened], at: Self.t0)
        #expect(s.when(.open(opportunityID: id, details: details, pipeline: .default, stage: nil, owner: Self.lower)).isEmpty)
        #expect(s.when(.assignByManager(owner: Self.lower, reason: nil)).isEmpty)
    }

    @Test func thePairingsUpperCaseAgentGivesFeedbackAsTheirLowerCaseSelf() {
        let manager = "7B3C1D62-FCAA-4E3B-9C1D-6F0A8E2B7C22"
        let paired = MaintenanceEvent.paired(MaintenancePaired(customerID: Self.customerID, agent: Self.upper, manager: manager, pairedAt: Self.t0))
        let s = Scenario(MaintenancePairing.self, given: [paired], at: Self.t0)
        let events = s.when(.giveFeedback(feedbackID: UUID.derived("fb", "1"), direction: .agentRatesManager, giver: Self.lower,
                                          rating: 4, comment: nil, about: nil))
        #expect(events.count == 1)
        #expect(s.when(.changeAgent(newAgent: Self.lower, reason: nil)).isEmpty)
        #expect(s.whenRefused(.changeAgent(newAgent: manager.lowercased(), reason: nil))?.field == "newAgent")
    }
}
