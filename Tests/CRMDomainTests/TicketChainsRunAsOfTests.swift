import CRMDomain
import EventSourcing
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)
private let asOfTicketID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000D1")!
private let asOfCustomerID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000D2")!

private func sla(_ severity: TicketSeverity) -> SLADeadline {
    SLADeadline(kind: .faultRepair, severity: severity, responseMinutes: 60, resolutionMinutes: 480)
}

private let highChain = TicketRuleChain(kind: .faultRepair, minimumSeverity: .high, actions: [
    RuleAction(kind: .createTask, template: "Call the customer", department: "management"),
])
private let withChain = Settings.replay([.ticketRuleChainSet(TicketRuleChainSet(chain: highChain))])

/// Which chains ran for a ticket is judged with the settings in force at each earlier event: a chain the
/// settings did not hold then did not run, whatever the severity.
@Suite struct TicketChainsRunAsOfTests {
    @Test func aChainMissingFromTheSettingsAtTheTicketsEarlierEventsHasNotRun() throws {
        var s = Scenario(Ticket.self, at: t0)
        let opened = s.apply(.open(id: asOfTicketID, channel: .phone, kind: .faultRepair, severity: .high, customerID: asOfCustomerID,
                                   subject: "No water", description: nil, department: "service", sla: sla(.high)))
        let lowered = s.apply(.changeSeverity(to: .normal, sla: sla(.normal), reason: nil))
        let raised = s.apply(.changeSeverity(to: .high, sla: sla(.high), reason: nil))
        let raise = try #require(raised.first)
        // Opened high before the chain existed, raised again after it was added: it runs now.
        let earlier = (opened + lowered).map { (event: $0, settings: Settings.initialState) }
        let ran = TicketRules.chainsRun(by: earlier, kind: .faultRepair)
        #expect(ran.isEmpty)
        let followUps = TicketRules.followUps(for: raise, eventID: UUID(), ticket: s.state, settings: withChain, ran: ran)
        #expect(followUps.map(\.action) == [
            .createTask(department: "management", subject: "Call the customer", dueAt: nil, customerID: asOfCustomerID, ticketID: asOfTicketID),
        ])
        // Had the chain been in force at the opening, it ran then and runs no more.
        let ranThen = TicketRules.chainsRun(by: (opened + lowered).map { (event: $0, settings: withChain) }, kind: .faultRepair)
        #expect(ranThen == [.high])
        #expect(TicketRules.followUps(for: raise, eventID: UUID(), ticket: s.state, settings: withChain, ran: ranThen).isEmpty)
    }
}
