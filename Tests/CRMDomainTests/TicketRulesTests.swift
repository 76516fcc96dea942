import CRMDomain
import EventSourcing
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)
private let rulesTicketID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000A1")!
private let customerID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000A2")!
private let eventID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000E1")!

private func settings(_ chains: [TicketRuleChain]) -> Settings.State {
    Settings.replay(chains.map { .ticketRuleChainSet(TicketRuleChainSet(chain: $0)) })
}

private let complaintChain = TicketRuleChain(kind: .complaint, minimumSeverity: .normal, actions: [
    RuleAction(kind: .notifyOwner), RuleAction(kind: .queueLetter, template: "apology"),
])

/// A ticket just opened, with the event that opened it.
private func opened(kind: TicketKind = .complaint, severity: TicketSeverity = .normal) -> (TicketEvent, Ticket.State) {
    let events = Scenario(Ticket.self, at: t0).when(.open(
        id: rulesTicketID, channel: .email, kind: kind, severity: severity, customerID: customerID, subject: "Rude technician",
        description: nil, department: "call-center",
        sla: SLADeadline(kind: kind, severity: severity, responseMinutes: 60, resolutionMinutes: 480)))
    return (events.first ?? .closed(TicketClosed(ticketID: rulesTicketID, satisfaction: 1, closedAt: t0)), Ticket.replay(events))
}

private func followUpID(_ index: Int, event: UUID = eventID) -> UUID { UUID.derived("followup", event.uuidString, String(index)) }

@Suite("Ticket rule chains")
struct TicketRulesTests {
    @Test func aComplaintNotifiesTheOwnerAndQueuesAnApologyLetter() {
        let (event, ticket) = opened()
        let followUps = TicketRules.followUps(for: event, eventID: eventID, ticket: ticket, settings: settings([complaintChain]))
        #expect(followUps == [
            FollowUp(id: followUpID(0), action: .notifyOwner(customerID: customerID, ticketID: rulesTicketID, subject: "Rude technician")),
            FollowUp(id: followUpID(1), action: .queueLetter(template: "apology", customerID: customerID, ticketID: rulesTicketID)),
        ])
    }

    @Test func runningTheRulesAgainGivesTheSameIdsSoAReplayNeverDuplicates() {
        let (event, ticket) = opened()
        let rules = settings([complaintChain])
        let first = TicketRules.followUps(for: event, eventID: eventID, ticket: ticket, settings: rules)
        let again = TicketRules.followUps(for: event, eventID: eventID, ticket: ticket, settings: rules)
        #expect(first == again)
        let otherEvent = TicketRules.followUps(for: event, eventID: UUID.derived("another event"), ticket: ticket, settings: rules)
        #expect(Set(first.map(\.id)).isDisjoint(with: otherEvent.map(\.id)))
        #expect(Set(first.map(\.id)).count == first.count)
    }

    @Test func aTicketBelowTheChainsMinimumSeverityOrOfAnotherKindTriggersNothing() {
        let rules = settings([complaintChain])
        let (lowEvent, lowTicket) = opened(severity: .low)
        #expect(TicketRules.followUps(for: lowEvent, eventID: eventID, ticket: lowTicket, settings: rules).isEmpty)
        let (praiseEvent, praiseTicket) = opened(kind: .praise, severity: .high)
        #expect(TicketRules.followUps(for: praiseEvent, eventID: eventID, ticket: praiseTicket, settings: rules).isEmpty)
    }

    @Test func aTaskActionIsDueTheConfiguredHoursAfterTheEvent() {
        let chain = TicketRuleChain(kind: .faultRepair, actions: [
            RuleAction(kind: .createTask, template: "Send a technician", department: "field-service", dueInHours: 4),
            RuleAction(kind: .createTask, department: "quality"),
        ])
        let (event, ticket) = opened(kind: .faultRepair)
        let followUps = TicketRules.followUps(for: event, eventID: eventID, ticket: ticket, settings: settings([chain]))
        #expect(followUps.map(\.action) == [
            .createTask(department: "field-service", subject: "Send a technician", dueAt: t0.addingTimeInterval(4 * 3600), customerID: customerID, ticketID: rulesTicketID),
            .createTask(department: "quality", subject: "Rude technician", dueAt: nil, customerID: customerID, ticketID: rulesTicketID),
        ])
    }

    @Test func anEscalateActionRaisesTheSeverityOneStepAndNeverPastCritical() {
        let chain = TicketRuleChain(kind: .faultRepair, actions: [RuleAction(kind: .escalate)])
        let (event, ticket) = opened(kind: .faultRepair, severity: .high)
        #expect(TicketRules.followUps(for: event, eventID: eventID, ticket: ticket, settings: settings([chain])).map(\.action)
                == [.escalate(ticketID: rulesTicketID, from: .high, to: .critical)])
        let (critical, criticalTicket) = opened(kind: .faultRepair, severity: .critical)
        #expect(TicketRules.followUps(for: critical, eventID: eventID, ticket: criticalTicket, settings: settings([chain])).isEmpty)
    }

    @Test func aRaisedSeverityTriggersOnlyTheChainsItNewlyReachesAndNoFurtherEscalation() throws {
        let chains = [
            complaintChain,
            TicketRuleChain(kind: .complaint, minimumSeverity: .high, actions: [
                RuleAction(kind: .createTask, template: "Call the customer", department: "management", dueInHours: 2),
                RuleAction(kind: .escalate),
            ]),
        ]
        var s = Scenario(Ticket.self, given: [opened().0], at: t0.addingTimeInterval(600))
        let raised = s.apply(.changeSeverity(to: .high, sla: SLADeadline(kind: .complaint, severity: .high, responseMinutes: 30, resolutionMinutes: 240), reason: nil))
        let event = try #require(raised.first)
        let followUps = TicketRules.followUps(for: event, eventID: eventID, ticket: s.state, settings: settings(chains))
        #expect(followUps == [
            FollowUp(id: followUpID(0), action: .createTask(department: "management", subject: "Call the customer",
                                                           dueAt: t0.addingTimeInterval(600 + 2 * 3600), customerID: customerID, ticketID: rulesTicketID)),
        ])
    }

    @Test func loweringTheSeverityOrOtherEventsTriggerNothing() {
        let rules = settings([complaintChain, TicketRuleChain(kind: .complaint, minimumSeverity: .low, actions: [RuleAction(kind: .notifyOwner)])])
        var s = Scenario(Ticket.self, given: [opened(severity: .high).0], at: t0)
        let lowered = s.apply(.changeSeverity(to: .low, sla: SLADeadline(kind: .complaint, severity: .low, responseMinutes: 60, resolutionMinutes: 600), reason: nil))
        for event in lowered {
            #expect(TicketRules.followUps(for: event, eventID: eventID, ticket: s.state, settings: rules).isEmpty)
        }
        let assigned = s.apply(.assign(assignee: "emp-1"))
        #expect(!assigned.isEmpty)
        for event in assigned {
            #expect(TicketRules.followUps(for: event, eventID: eventID, ticket: s.state, settings: rules).isEmpty)
        }
    }

    @Test func anUnopenedTicketTriggersNothing() {
        let (event, _) = opened()
        #expect(TicketRules.followUps(for: event, eventID: eventID, ticket: Ticket.initialState, settings: settings([complaintChain])).isEmpty)
    }

    @Test func aReactorRunningLateWithANewerStateDerivesTheSameFollowUps() {
        let chain = TicketRuleChain(kind: .faultRepair, actions: [RuleAction(kind: .escalate), RuleAction(kind: .createTask, department: "ops", dueInHours: 1)])
        let (event, ticket) = opened(kind: .faultRepair, severity: .high)
        let rules = settings([chain])
        let atOnce = TicketRules.followUps(for: event, eventID: eventID, ticket: ticket, settings: rules)
        var later = Scenario(Ticket.self, given: [event], at: t0.addingTimeInterval(7200))
        later.apply(.changeSeverity(to: .critical, sla: SLADeadline(kind: .faultRepair, severity: .critical, responseMinutes: 5, resolutionMinutes: 60), reason: nil))
        #expect(later.state.severity == .critical)
        #expect(TicketRules.followUps(for: event, eventID: eventID, ticket: later.state, settings: rules) == atOnce)
        #expect(atOnce.count == 2)
    }
}
