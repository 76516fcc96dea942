import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Two-layer maintenance")
struct MaintenanceTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let customerID = UUID.derived("test", "customer")
    static let ticketID = UUID.derived("test", "ticket")

    static var paired: MaintenanceEvent {
        .paired(MaintenancePaired(customerID: customerID, agent: "agent-1", manager: "manager-1", pairedAt: t0))
    }

    static func feedback(_ n: Int, _ direction: FeedbackDirection, giver: String, subject: String, rating: Int,
                         at: Date = t0) -> MaintenanceEvent {
        .feedbackGiven(MaintenanceFeedbackGiven(customerID: customerID, feedbackID: UUID.derived("fb", "\(n)"), direction: direction,
                                                giver: giver, subject: subject, rating: rating, comment: nil, about: nil, givenAt: at))
    }

    func scenario(_ events: [MaintenanceEvent]) -> Scenario<MaintenancePairing> {
        Scenario(MaintenancePairing.self, given: events, at: Self.t0)
    }

    @Test func thePairingStreamIdIsDerivedFromTheCustomer() {
        let id = MaintenancePairing.id(customerID: Self.customerID)
        #expect(id == MaintenancePairing.id(customerID: Self.customerID))
        #expect(id != MaintenancePairing.id(customerID: UUID.derived("test", "other")))
        #expect(id != Self.customerID)
        #expect(MaintenancePairing.stream(id).category == "pairing")
    }

    @Test func pairingRecordsTheAgentAndTheManager() {
        var s = scenario([])
        let events = s.apply(.pair(customerID: Self.customerID, agent: " agent-1 ", manager: "manager-1"))
        #expect(events == [Self.paired])
        #expect(s.state.isPaired)
        #expect(s.state.agent == "agent-1")
        #expect(s.state.manager == "manager-1")
        #expect(s.state.pairs.count == 1)
    }

    @Test func pairingIsRefusedWhenPairedOrWithBadInputs() {
        #expect(scenario([Self.paired]).whenRefused(.pair(customerID: Self.customerID, agent: "a", manager: "m"))?.code == .alreadyExists)
        let s = scenario([])
        #expect(s.whenRefused(.pair(customerID: Self.customerID, agent: " ", manager: "m"))?.field == "agent")
        #expect(s.whenRefused(.pair(customerID: Self.customerID, agent: "a", manager: ""))?.field == "manager")
        let same = s.whenRefused(.pair(customerID: Self.customerID, agent: "e", manager: "e"))
        #expect(same?.code == .invalid)
        #expect(same?.field == "manager")
    }

    @Test func aPairingBelongsToOneCustomer() {
        let unpaired: MaintenanceEvent = .unpaired(MaintenanceUnpaired(customerID: Self.customerID, agent: "agent-1",
                                                                       manager: "manager-1", reason: "r", unpairedAt: Self.t0))
        let s = scenario([Self.paired, unpaired])
        #expect(s.whenRefused(.pair(customerID: UUID.derived("x"), agent: "a", manager: "m"))?.field == "customerID")
        #expect(s.when(.pair(customerID: Self.customerID, agent: "a", manager: "m")).count == 1)
    }

    @Test func changingTheAgentRecordsOldAndNew() {
        var s = scenario([Self.paired])
        let events = s.apply(.changeAgent(newAgent: "agent-2", reason: "shift change"))
        #expect(events == [.agentChanged(MaintenanceAgentChanged(customerID: Self.customerID, oldAgent: "agent-1", newAgent: "agent-2",
                                                                 reason: "shift change", changedAt: Self.t0))])
        #expect(s.state.agent == "agent-2")
        #expect(s.state.pairs.map(\.agent) == ["agent-1", "agent-2"])
        #expect(s.state.pairs.first?.until == Self.t0)
        #expect(s.when(.changeAgent(newAgent: "agent-2", reason: nil)).isEmpty)
        #expect(s.whenRefused(.changeAgent(newAgent: "manager-1", reason: nil))?.field == "newAgent")
        #expect(s.whenRefused(.changeAgent(newAgent: "", reason: nil))?.field == "newAgent")
    }

    @Test func changingTheManagerRecordsOldAndNew() {
        var s = scenario([Self.paired])
        let events = s.apply(.changeManager(newManager: "manager-2", reason: nil))
        #expect(events == [.managerChanged(MaintenanceManagerChanged(customerID: Self.customerID, oldManager: "manager-1",
                                                                     newManager: "manager-2", reason: nil, changedAt: Self.t0))])
        #expect(s.state.manager == "manager-2")
        #expect(s.when(.changeManager(newManager: "manager-2", reason: "same")).isEmpty)
        #expect(s.whenRefused(.changeManager(newManager: "agent-1", reason: nil))?.field == "newManager")
    }

    @Test func changesNeedACurrentPair() {
        let none = scenario([])
        #expect(none.whenRefused(.changeAgent(newAgent: "a", reason: nil))?.code == .notFound)
        #expect(none.whenRefused(.unpair(reason: "r"))?.code == .notFound)
        var s = scenario([Self.paired])
        s.apply(.unpair(reason: "customer left"))
        #expect(s.whenRefused(.changeAgent(newAgent: "a", reason: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.changeManager(newManager: "m", reason: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.unpair(reason: "again"))?.code == .invalidTransition)
        #expect(s.whenRefused(.giveFeedback(feedbackID: UUID.derived("fb", "x"), direction: .agentRatesManager, giver: "agent-1",
                                            rating: 3, comment: nil, about: nil))?.code == .invalidTransition)
    }

    @Test func unpairingEndsThePairWithAReason() {
        var s = scenario([Self.paired])
        #expect(s.whenRefused(.unpair(reason: " "))?.field == "reason")
        let events = s.apply(.unpair(reason: "customer left"))
        #expect(events == [.unpaired(MaintenanceUnpaired(customerID: Self.customerID, agent: "agent-1", manager: "manager-1",
                                                         reason: "customer left", unpairedAt: Self.t0))])
        #expect(s.state.isPaired == false)
        #expect(s.state.pairs.last?.until == Self.t0)
    }

    @Test func theAgentRatesTheManagersFollowUp() {
        var s = scenario([Self.paired])
        let id = UUID.derived("fb", "1")
        let events = s.apply(.giveFeedback(feedbackID: id, direction: .agentRatesManager, giver: "agent-1", rating: 4,
                                           comment: "called back same day", about: Self.ticketID))
        #expect(events == [.feedbackGiven(MaintenanceFeedbackGiven(customerID: Self.customerID, feedbackID: id, direction: .agentRatesManager,
                                                                   giver: "agent-1", subject: "manager-1", rating: 4,
                                                                   comment: "called back same day", about: Self.ticketID, givenAt: Self.t0))])
        #expect(s.state.feedback.first?.subject == "manager-1")
    }

    @Test func theManagerRatesTheAgentsHandling() {
        let events = scenario([Self.paired]).when(.giveFeedback(feedbackID: UUID.derived("fb", "2"), direction: .managerRatesAgent,
                                                                giver: "manager-1", rating: 2, comment: nil, about: nil))
        guard case .feedbackGiven(let given)? = events.first else {
            Issue.record("expected feedback")
            return
        }
        #expect(given.subject == "agent-1")
        #expect(given.rating == 2)
    }

    @Test func onlyTheCurrentlyPairedEmployeesMayGiveFeedback() {
        var s = scenario([Self.paired])
        let stranger = s.whenRefused(.giveFeedback(feedbackID: UUID.derived("fb", "3"), direction: .agentRatesManager, giver: "agent-9",
                                                   rating: 5, comment: nil, about: nil))
        #expect(stranger?.code == .forbidden)
        #expect(stranger?.field == "giver")
        let wrongSide = s.whenRefused(.giveFeedback(feedbackID: UUID.derived("fb", "3"), direction: .managerRatesAgent, giver: "agent-1",
                                                    rating: 5, comment: nil, about: nil))
        #expect(wrongSide?.code == .forbidden)
        s.apply(.changeAgent(newAgent: "agent-2", reason: nil))
        let former = s.whenRefused(.giveFeedback(feedbackID: UUID.derived("fb", "3"), direction: .agentRatesManager, giver: "agent-1",
                                                 rating: 5, comment: nil, about: nil))
        #expect(former?.code == .forbidden)
    }

    @Test func ratingsMustBeFromOneToFive() {
        let s = scenario([Self.paired])
        for rating in [0, 6, -1] {
            let error = s.whenRefused(.giveFeedback(feedbackID: UUID.derived("fb", "r"), direction: .agentRatesManager, giver: "agent-1",
                                                    rating: rating, comment: nil, about: nil))
            #expect(error?.code == .invalid)
            #expect(error?.field == "rating")
        }
        #expect(s.when(.giveFeedback(feedbackID: UUID.derived("fb", "r"), direction: .agentRatesManager, giver: "agent-1",
                                     rating: 1, comment: nil, about: nil)).count == 1)
    }

    @Test func givingTheSameFeedbackAgainRecordsNothing() {
        let s = scenario([Self.paired, Self.feedback(1, .agentRatesManager, giver: "agent-1", subject: "manager-1", rating: 3)])
        #expect(s.when(.giveFeedback(feedbackID: UUID.derived("fb", "1"), direction: .agentRatesManager, giver: "agent-1",
                                     rating: 3, comment: nil, about: nil)).isEmpty)
    }

    @Test func feedbackIsSummarisedPerEmployeeWithAnExactAverage() {
        let state = MaintenancePairing.replay([
            Self.paired,
            Self.feedback(1, .agentRatesManager, giver: "agent-1", subject: "manager-1", rating: 4),
            Self.feedback(2, .agentRatesManager, giver: "agent-1", subject: "manager-1", rating: 5),
            Self.feedback(3, .agentRatesManager, giver: "agent-1", subject: "manager-1", rating: 5),
            Self.feedback(4, .managerRatesAgent, giver: "manager-1", subject: "agent-1", rating: 3),
        ])
        let summary = state.feedbackSummary()
        #expect(summary["manager-1"] == FeedbackSummary(employee: "manager-1", count: 3, averageRating: Decimal(string: "4.67") ?? 0))
        #expect(summary["agent-1"] == FeedbackSummary(employee: "agent-1", count: 1, averageRating: 3))
        #expect(state.feedbackSummary(direction: .managerRatesAgent).keys.sorted() == ["agent-1"])
    }

    @Test func feedbackFromManyCustomersIsSummarisedForAPeriod() {
        let entries = [
            MaintenanceFeedback(id: UUID.derived("a"), direction: .agentRatesManager, giver: "a1", subject: "m1", rating: 2,
                                comment: nil, about: nil, givenAt: Self.t0),
            MaintenanceFeedback(id: UUID.derived("b"), direction: .agentRatesManager, giver: "a2", subject: "m1", rating: 3,
                                comment: nil, about: nil, givenAt: Self.t0 + 10),
            MaintenanceFeedback(id: UUID.derived("c"), direction: .agentRatesManager, giver: "a2", subject: "m1", rating: 5,
                                comment: nil, about: nil, givenAt: Self.t0 + 100),
        ]
        #expect(entries.summaryByEmployee()["m1"]?.averageRating == Decimal(string: "3.33"))
        let period = entries.summaryByEmployee(period: Self.t0..<(Self.t0 + 100))
        #expect(period["m1"] == FeedbackSummary(employee: "m1", count: 2, averageRating: Decimal(string: "2.5") ?? 0))
        #expect([MaintenanceFeedback]().summaryByEmployee().isEmpty)
    }

    @Test func everyEventRoundTrips() throws {
        try expectRoundTrips([
            Self.paired,
            .agentChanged(MaintenanceAgentChanged(customerID: Self.customerID, oldAgent: "a", newAgent: "b", reason: "r", changedAt: Self.t0)),
            .managerChanged(MaintenanceManagerChanged(customerID: Self.customerID, oldManager: "m", newManager: "n", reason: nil, changedAt: Self.t0)),
            .unpaired(MaintenanceUnpaired(customerID: Self.customerID, agent: "a", manager: "m", reason: "r", unpairedAt: Self.t0)),
            .feedbackGiven(MaintenanceFeedbackGiven(customerID: Self.customerID, feedbackID: UUID.derived("fb"), direction: .managerRatesAgent,
                                                    giver: "m", subject: "a", rating: 5, comment: "good", about: Self.ticketID, givenAt: Self.t0)),
            Self.feedback(9, .agentRatesManager, giver: "a", subject: "m", rating: 1),
        ])
    }
}
