import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Logging
import Testing

@Suite struct ReactorTests {
    func configureChain(_ f: EngineFixture) async throws {
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .complaint, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setTicketRuleChain(TicketRuleChain(kind: .complaint, minimumSeverity: .high, actions: [
            RuleAction(kind: .notifyOwner),
            RuleAction(kind: .createTask, template: "Call the customer back", department: "quality", dueInHours: 4),
            RuleAction(kind: .queueLetter, template: "complaint-received"),
        ])), as: f.admin)
    }

    func openComplaint(_ f: EngineFixture, customer: UUID, _ n: Int) async throws -> EngineResult {
        let id = UUID.derived("ticket", "\(n)")
        return try await f.engine.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .complaint, severity: .high, customerID: customer,
                                                                   subject: "Rude installer", description: nil, department: "service", sla: nil), as: f.admin)
    }

    typealias EngineResult = CRMEngine.CommandResult

    @Test func aComplaintRunsItsRuleChainOnce() async throws {
        let f = try await EngineFixture.make("reactor")
        try await configureChain(f)
        let customer = try await f.customer("Li Wei", branch: "north", owner: f.admin.id)
        let opened = try await openComplaint(f, customer: customer, 1)
        try await f.engine.reactionsSettled(upTo: opened.position)
        let view = try await f.engine.customer(customer, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(Set(view.openTasks.map(\.title)) == ["Ticket: Rude installer", "Call the customer back"])
        let letters = try await f.engine.pendingOutbox(as: f.admin)
        #expect(letters.map(\.template) == ["complaint-received"])
        // Delivery acknowledged by an adapter takes it off the outbox.
        let ack = try await f.engine.acknowledgeDelivery(of: try #require(letters.first).itemID, receipt: "L-1", as: f.admin)
        try await f.engine.views.waitUntil(ack.position)
        #expect(try await f.engine.pendingOutbox(as: f.admin).isEmpty)
        await f.close()
    }

    @Test func aReactionReplayedAfterARestartProducesItsCommandsExactlyOnce() async throws {
        let f = try await EngineFixture.make("reactor-replay")
        try await configureChain(f)
        let customer = try await f.customer("Li Wei", branch: "north", owner: f.admin.id)
        var last = try await openComplaint(f, customer: customer, 1)
        last = try await openComplaint(f, customer: customer, 2)
        try await f.engine.reactionsSettled(upTo: last.position)
        let head = try await f.engine.store.headPosition()
        let tasksBefore = try await f.engine.customer(customer, as: f.admin, consistentWith: head).openTasks.count
        #expect(tasksBefore == 4)
        await f.closeEngine()
        // Lose the reactor's checkpoint, as if the process died before saving it: everything is replayed.
        try FileManager.default.removeItem(atPath: f.directory + "/reactor")
        let reopened = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock))
        try await reopened.reactionsSettled(upTo: head)
        #expect(try await reopened.store.headPosition() == head, "the replayed reactions wrote nothing new")
        #expect(try await reopened.customer(customer, as: f.admin).openTasks.count == tasksBefore)
        await reopened.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func aReactorFarBehindTheHeadSaysItIsCatchingUpAndWhenItHasCaughtUp() async throws {
        // A generated year appended straight to the log, then the reactor's checkpoint lost: as a copied or
        // restored log opens on a new node, the reactions of the whole history run.
        let (f, _) = try await EngineFixture.generated("reactor-catch-up", events: 6_000)
        try await f.engine.reactionsSettled(upTo: try await f.engine.store.headPosition())
        let head = try await f.engine.store.headPosition()
        await f.closeEngine()
        try FileManager.default.removeItem(atPath: f.directory + "/reactor")
        let log = CapturedLog()
        let reopened = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, logger: log.logger))
        try await reopened.reactionsSettled(upTo: head)
        #expect(try await reopened.store.headPosition() == head, "the replayed reactions wrote nothing new")
        let started = try #require(log.metadata(of: "reactor catching up"))
        #expect(started["from"] == "1" && started["head"] == "\(head.rawValue)", "\(started)")
        #expect(started["events"] == "\(head.rawValue)")
        let done = try #require(log.metadata(of: "reactor caught up"))
        #expect(Int("\(done["reacted"] ?? "")").map { $0 > 0 } == true, "\(done)")
        // Replayed once already, they append nothing new.
        #expect(done["appended"] == "0", "\(done)")
        #expect(Set(started.keys).union(done.keys).isSubset(of: ["from", "head", "events", "position", "reacted", "appended"]))
        await reopened.close()

        // Close to the head, nothing is said.
        let quiet = CapturedLog()
        let again = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, logger: quiet.logger))
        try await again.reactionsSettled(upTo: try await again.store.headPosition())
        #expect(quiet.metadata(of: "reactor catching up") == nil)
        await again.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func revenueEarnsLoyaltyPointsOnceByTheSettingsSpendRule() async throws {
        let f = try await EngineFixture.make("reactor-loyalty")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([
            LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny, validityMonths: 12),
        ]), as: f.admin)
        let customer = try await f.customer("Li Wei", branch: "north")
        let ledger = RevenueLedger.id(customerID: customer)
        let entry = RevenueLedger.Entry(id: UUID.derived("entry", "1"), customerID: customer, chargeItem: "water", businessLine: "utility",
                                        date: try EngineFixture.day("2025-12-30"), amount: Money(Decimal(string: "123.45") ?? 0, .cny))
        let recorded = try await f.engine.execute(RevenueLedger.self, id: ledger, .record(entry), as: f.admin)
        try await f.engine.reactionsSettled(upTo: recorded.position)
        let balance = try await f.engine.loyalty(of: customer, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(balance.usable == 123)
        // The same entry again records nothing and earns nothing more.
        let again = try await f.engine.execute(RevenueLedger.self, id: ledger, .record(entry), as: f.admin)
        #expect(again.events.isEmpty)
        #expect(try await f.engine.loyalty(of: customer, as: f.admin).usable == 123)
        await f.close()
    }
}

@Suite struct ApprovalRoutingEngineTests {
    @Test func aCampaignIsApprovedThroughItsWorkflowAsTheApproverDecided() async throws {
        let f = try await EngineFixture.make("routing")
        let planner = try await f.hire("Planner", branch: "north", permissions: [
            Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .all)])
        let approver = try await f.hire("Approver", branch: "north", permissions: [
            Permission(module: .campaigns, actions: [.query, .approve], scope: .all),
            Permission(module: .organisation, actions: [.query, .approve], scope: .all)])
        let id = UUID.derived("campaign", "spring")
        try await f.engine.execute(Campaign.self, id: id, .plan(id: id, name: "Spring", objective: "Renewals", owner: planner.id,
                                                               budget: Money(5000, .cny), start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-04-30")), as: planner)
        let submitted = try await f.engine.execute(Campaign.self, id: id, .submitFeasibility(study: "Worth it"), as: planner)
        try await f.engine.reactionsSettled(upTo: submitted.position)
        let instanceID = ApprovalRouting.instanceID(for: .campaign, recordID: id, revision: submitted.version.rawValue)
        let (instance, _) = try await f.engine.state(WorkflowInstance.self, id: instanceID, as: f.admin)
        #expect(instance.subjectID == id && instance.submitter == planner.id)

        let decided = try await f.engine.execute(WorkflowInstance.self, id: instanceID, .approve(employee: "", roles: [], comment: "Go"), as: approver)
        try await f.engine.reactionsSettled(upTo: decided.position)
        let campaign = try await f.engine.store.readStream(Campaign.stream(id))
        let last = try #require(campaign.last)
        #expect(last.type == "CampaignApproved")
        #expect(last.metadata.actor == approver.id, "recorded as the approver's decision")
        await f.close()
    }
}

/// Log records kept in memory, for tests that check what the engine says.
final class CapturedLog: @unchecked Sendable {
    // @unchecked: `lock` guards `records`.
    private let lock = NSLock()
    private var records: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []

    func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        lock.lock(); defer { lock.unlock() }
        records.append((level, message, metadata))
    }

    func metadata(of message: String) -> Logger.Metadata? {
        lock.lock(); defer { lock.unlock() }
        return records.first { $0.message == message }?.metadata
    }

    var logger: Logger {
        var logger = Logger(label: "crm.engine.tests") { _ in Handler(log: self) }
        logger.logLevel = .info
        return logger
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.append(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }

    @Test func aCustomersSurveyResponseEarnsTheActivityRulesPointsOnce() async throws {
        let f = try await EngineFixture.make("reactor-loyalty-activity")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([
            LoyaltyAccrualRule(source: .activity, points: 20, activity: LoyaltyRules.surveyAnswered, validityMonths: 12),
        ]), as: f.admin)
        let customer = try await f.customer("Li Wei", branch: "north")
        let survey = UUID.derived("survey", "satisfaction")
        try await f.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Satisfaction", questions: [
            SurveyQuestion(id: "q1", prompt: "How satisfied are you?", kind: .rating, isRequired: true, scale: 5),
        ])), as: f.admin)
        let recipient = SurveyRecipient(kind: .customer, id: customer)
        try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: [recipient]), as: f.admin)
        let answered = try await f.engine.execute(Survey.self, id: survey, .respond(responseID: UUID.derived("response", "1"), recipient: recipient,
                                                                                    answers: [.rating("q1", 4)]), as: f.admin)
        try await f.engine.reactionsSettled(upTo: answered.position)
        #expect(try await f.engine.loyalty(of: customer, as: f.admin, consistentWith: try await f.engine.store.headPosition()).usable == 20)
        // The reactor restarting over the same response earns nothing more.
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.loyalty(of: customer, as: f.admin, consistentWith: head).usable == 20)
        await f.close()
    }

    @Test func aCompletedExternalTaskWaitsInTheOutboxForItsWriteBack() async throws {
        let f = try await EngineFixture.make("reactor-write-back")
        let owner = try await f.hire("Olga", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Li Wei", branch: "A", owner: owner.id)
        let id = WorkTask.importedTaskID(system: "billing", externalID: "B-17")
        try await f.engine.execute(WorkTask.self, id: id, .importExternal(taskID: id, details: WorkTask.Details(
            title: "Check the meter", customerID: customer, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_600_000)),
            reference: WorkTask.ExternalReference(system: "billing", id: "B-17"), owner: owner.id), as: f.admin)
        try await f.engine.execute(WorkTask.self, id: id, .accept, as: owner)
        let done = try await f.engine.execute(WorkTask.self, id: id, .complete(resultNote: "Meter replaced"), as: owner)
        try await f.engine.reactionsSettled(upTo: done.position)
        // The outbox view at least as new as the reaction's write.
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let pending = try await f.engine.pendingOutbox(as: f.admin)
        #expect(pending.map(\.channel) == ["write-back"])
        #expect(pending.first?.template == "billing" && pending.first?.reference == WorkTask.stream(id).rawValue && pending.first?.customerID == customer)
        await f.close()
    }
}
