import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Ticket rule chains as the reactor runs them (R-SRV-2): judged by the settings in force at the triggering
/// event, so a reactor replaying the log (its checkpoint lost) writes nothing the first run did not; run once
/// per ticket and chain; the owner's task of a customer without an owner going to the ticket's department.
@Suite struct RuleChainReplayTests {
    /// The tasks dispatched and the letters queued in the log, in log order.
    func followUps(_ engine: CRMEngine) async throws -> (tasks: [TaskDispatched], letters: [OutboxItemQueued]) {
        var tasks: [TaskDispatched] = []
        var letters: [OutboxItemQueued] = []
        var from = GlobalPosition.start.next
        while true {
            let page = try await engine.store.readAll(from: from, direction: .forward, limit: 512)
            for recorded in page {
                let payload = try recorded.payload.withUnsafeBytes { try engine.registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: $0) }
                if let task = payload as? TaskDispatched { tasks.append(task) }
                if let letter = payload as? OutboxItemQueued, letter.channel == "letter" { letters.append(letter) }
            }
            guard let last = page.last, page.count == 512 else { break }
            from = last.position.next
        }
        return (tasks, letters)
    }

    func sla(_ f: EngineFixture, _ kind: TicketKind, _ severities: [TicketSeverity]) async throws {
        for severity in severities {
            try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: kind, severity: severity, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        }
    }

    func chain(_ f: EngineFixture, _ kind: TicketKind, _ minimum: TicketSeverity, _ actions: [RuleAction]) async throws {
        try await f.engine.execute(Settings.self, id: UUID(), .setTicketRuleChain(TicketRuleChain(kind: kind, minimumSeverity: minimum, actions: actions)), as: f.admin)
    }

    @discardableResult
    func open(_ f: EngineFixture, _ n: Int, kind: TicketKind, severity: TicketSeverity, customer: UUID) async throws -> CRMEngine.CommandResult {
        let id = UUID.derived("ticket", "\(n)")
        let opened = try await f.engine.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: kind, severity: severity, customerID: customer,
                                                                       subject: "Ticket \(n)", description: nil, department: "service", sla: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: opened.position)
        return opened
    }

    func raise(_ f: EngineFixture, _ n: Int, to severity: TicketSeverity) async throws {
        let changed = try await f.engine.execute(Ticket.self, id: UUID.derived("ticket", "\(n)"), .changeSeverity(to: severity, sla: nil, reason: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: changed.position)
    }

    /// Reopens `f`'s directory without the reactor's checkpoint, so the reactor runs over the whole log
    /// again; returns whether it wrote nothing, and whether it said a reaction was refused.
    func replayWritesNothing(_ f: EngineFixture) async throws -> (nothingWritten: Bool, refused: Bool) {
        let head = try await f.engine.store.headPosition()
        await f.closeEngine()
        try FileManager.default.removeItem(atPath: f.directory + "/reactor")
        let log = CapturedLog()
        let reopened = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, logger: log.logger))
        try await reopened.reactionsSettled(upTo: head)
        let after = try await reopened.store.headPosition()
        await reopened.close()
        try? FileManager.default.removeItem(atPath: f.directory)
        return (after == head, log.metadata(of: "reaction refused") != nil)
    }

    @Test func aReplayAfterTheChainsChangedWritesNothingTheFirstRunDidNot() async throws {
        let f = try await EngineFixture.make("rule-chain-replay")
        try await sla(f, .complaint, [.normal, .high])
        try await chain(f, .complaint, .high, [
            RuleAction(kind: .createTask, template: "Call the customer back", department: "quality", dueInHours: 4),
            RuleAction(kind: .queueLetter, template: "complaint-received"),
        ])
        let customer = try await f.customer("Li Wei", branch: "north", owner: f.admin.id)
        try await open(f, 1, kind: .complaint, severity: .high, customer: customer)
        // The chains change after the first ticket: a new chain from normal, and the high one's actions reordered.
        try await chain(f, .complaint, .normal, [RuleAction(kind: .notifyOwner), RuleAction(kind: .queueLetter, template: "apology")])
        try await chain(f, .complaint, .high, [
            RuleAction(kind: .queueLetter, template: "complaint-received"),
            RuleAction(kind: .createTask, template: "Call the customer back", department: "quality", dueInHours: 4),
        ])
        try await open(f, 2, kind: .complaint, severity: .high, customer: customer)
        let written = try await followUps(f.engine)
        // The first ticket got the chains of its day, the second those of its own.
        #expect(written.letters.map(\.template) == ["complaint-received", "apology", "complaint-received"])
        #expect(written.tasks.map(\.details.title) == ["Call the customer back", "Ticket: Ticket 2", "Call the customer back"])
        let replay = try await replayWritesNothing(f)
        #expect(replay.nothingWritten, "the replayed reactions wrote nothing new")
        #expect(!replay.refused, "no replayed reaction was refused")
    }

    @Test func aSeverityRaisedAgainRunsNoChainTheTicketHadReached() async throws {
        let f = try await EngineFixture.make("rule-chain-once")
        try await sla(f, .faultRepair, [.low, .normal, .high])
        try await chain(f, .faultRepair, .normal, [
            RuleAction(kind: .queueLetter, template: "fault-ack"),
            RuleAction(kind: .createTask, template: "Visit site", department: "field-service", dueInHours: 8),
        ])
        try await chain(f, .faultRepair, .high, [RuleAction(kind: .createTask, template: "Call the customer", department: "management")])
        let customer = try await f.customer("Li Wei", branch: "north", owner: f.admin.id)
        try await open(f, 1, kind: .faultRepair, severity: .low, customer: customer)
        try await raise(f, 1, to: .normal)
        try await raise(f, 1, to: .low)
        try await raise(f, 1, to: .normal)
        var written = try await followUps(f.engine)
        #expect(written.letters.map(\.template) == ["fault-ack"])
        #expect(written.tasks.map(\.details.title) == ["Visit site"])
        // A chain not reached yet still runs, once.
        try await raise(f, 1, to: .high)
        try await raise(f, 1, to: .normal)
        try await raise(f, 1, to: .high)
        written = try await followUps(f.engine)
        #expect(written.letters.map(\.template) == ["fault-ack"])
        #expect(written.tasks.map(\.details.title) == ["Visit site", "Call the customer"])
        let replay = try await replayWritesNothing(f)
        #expect(replay.nothingWritten, "the replayed reactions wrote nothing new")
        #expect(!replay.refused, "no replayed reaction was refused")
    }

    @Test func theOwnersTaskOfACustomerWithoutOwnerGoesToTheTicketsDepartment() async throws {
        let f = try await EngineFixture.make("rule-chain-no-owner")
        try await sla(f, .complaint, [.high])
        try await chain(f, .complaint, .high, [RuleAction(kind: .notifyOwner)])
        let customer = try await f.customer("Li Wei", branch: "north")
        let opened = try await open(f, 1, kind: .complaint, severity: .high, customer: customer)
        let openedID = try #require(opened.events.first).id
        let task = try await f.engine.state(WorkTask.self, id: UUID.derived("followup", openedID.uuidString, "0"), as: f.admin).state
        #expect(task.assignee == "service")
        #expect(task.details?.title == "Ticket: Ticket 1")
        #expect(task.details?.customerID == customer)
        let replay = try await replayWritesNothing(f)
        #expect(replay.nothingWritten, "the replayed reactions wrote nothing new")
    }
    /// A revenue entry recorded while no spend rule existed earns nothing, on its first run as on a replay
    /// after a rule was added (the reaction reads the settings as of the entry's event).
    @Test func aReplayAccruesNoPointsUnderARuleAddedAfterTheEntry() async throws {
        let f = try await EngineFixture.make("loyalty-replay-as-of")
        let customer = try await f.customer("Li Wei", branch: "north")
        let recorded = try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", "before-rule"), customerID: customer, chargeItem: "water", businessLine: "utility",
            date: try EngineFixture.day("2025-12-30"), amount: Money(250, .cny))), as: f.admin)
        try await f.engine.reactionsSettled(upTo: recorded.position)
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([
            LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny)]), as: f.admin)
        #expect(try await f.engine.store.streamVersion(of: LoyaltyAccount.stream(customer)) == .noStream, "no rule at the entry: no points")
        let replay = try await replayWritesNothing(f)
        #expect(replay.nothingWritten && !replay.refused)
    }
}
