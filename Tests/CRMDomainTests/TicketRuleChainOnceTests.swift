import CRMDomain
import EventSourcing
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)
private let onceTicketID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000B1")!
private let onceCustomerID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000B2")!
private let onceEventID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000B3")!

private let chains = Settings.replay([
    TicketRuleChain(kind: .faultRepair, minimumSeverity: .normal, actions: [
        RuleAction(kind: .queueLetter, template: "fault-ack"),
        RuleAction(kind: .createTask, template: "Visit site", department: "field-service"),
    ]),
    TicketRuleChain(kind: .faultRepair, minimumSeverity: .high, actions: [
        RuleAction(kind: .createTask, template: "Call the customer", department: "management"),
    ]),
].map { .ticketRuleChainSet(TicketRuleChainSet(chain: $0)) })

private func sla(_ severity: TicketSeverity) -> SLADeadline {
    SLADeadline(kind: .faultRepair, severity: severity, responseMinutes: 60, resolutionMinutes: 480)
}

/// A fault ticket opened low and moved through `severities`: its events.
private func history(_ severities: [TicketSeverity]) -> [TicketEvent] {
    var s = Scenario(Ticket.self, at: t0)
    var events = s.apply(.open(id: onceTicketID, channel: .phone, kind: .faultRepair, severity: .low, customerID: onceCustomerID,
                               subject: "No water", description: nil, department: "service", sla: sla(.low)))
    for severity in severities { events += s.apply(.changeSeverity(to: severity, sla: sla(severity), reason: nil)) }
    return events
}

/// The chains that ran for a ticket with `events`, the settings `chains` in force at each.
private func chainsRun(_ events: some Sequence<TicketEvent>) -> Set<TicketSeverity> {
    TicketRules.chainsRun(by: events.map { (event: $0, settings: chains) }, kind: .faultRepair)
}

/// The follow-ups of the last of `events`, the chains that ran before it given.
private func followUpsOfLast(_ events: [TicketEvent]) -> [FollowUp] {
    guard let last = events.last else { return [] }
    return TicketRules.followUps(for: last, eventID: onceEventID, ticket: Ticket.replay(events), settings: chains,
                                 ran: chainsRun(events.dropLast()))
}

@Suite("Ticket rule chains run once per ticket")
struct TicketRuleChainOnceTests {
    @Test func aSeverityRaisedAgainToALevelReachedBeforeTriggersNothing() {
        #expect(followUpsOfLast(history([.normal])).map(\.action) == [
            .queueLetter(template: "fault-ack", customerID: onceCustomerID, ticketID: onceTicketID),
            .createTask(department: "field-service", subject: "Visit site", dueAt: nil, customerID: onceCustomerID, ticketID: onceTicketID),
        ])
        #expect(followUpsOfLast(history([.normal, .low, .normal])).isEmpty)
        #expect(followUpsOfLast(history([.high, .low, .normal])).isEmpty)
    }

    @Test func aRaisePastALevelReachedBeforeRunsOnlyTheChainsNewlyReachedUnderTheirFormerIds() {
        let once = followUpsOfLast(history([.normal, .low, .high]))
        #expect(once.map(\.action) == [
            .createTask(department: "management", subject: "Call the customer", dueAt: nil, customerID: onceCustomerID, ticketID: onceTicketID),
        ])
        // The id is the one the follow-up had when every newly reached chain ran: a replay over a log the
        // earlier rule wrote finds it recorded.
        let events = history([.normal, .low, .high])
        let earlierRule = TicketRules.followUps(for: events[events.count - 1], eventID: onceEventID, ticket: Ticket.replay(events), settings: chains)
        #expect(earlierRule.count == 3)
        #expect(once.map(\.id) == [earlierRule[2].id])
    }

    @Test func theChainsATicketRanCountWhereItWasOpenedAndMoved() {
        #expect(chainsRun([]).isEmpty)
        #expect(chainsRun(history([])).isEmpty, "opened low: no chain starts that low")
        #expect(chainsRun(history([.high, .low, .normal])) == [.normal, .high])
    }
}
