import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Synchronization
import Testing

/// What a submitter without rights in organisation reads of their own request: the request itself through the
/// engine's read gate (as they may cancel or resubmit it), and the request returned to them in their approval
/// inbox until they resubmit or cancel it. Nobody else gains anything; and the inbox judges once per row whether
/// its reader may decide it.
@Suite struct ApprovalSubmitterReadTests {
    typealias Guards = WorkflowDecisionGuardsTests

    /// Sam (quotes over his own records, nothing in organisation) reads his waiting request — its steps and its
    /// status — and, once its step is approved with a comment, the comment. Sue (the same role) and Ann
    /// (organisation query over north, nothing in quotes) may not: not found, as before.
    @Test func aSubmitterWithoutRightsInOrganisationReadsTheirOwnRequestAndNoOneElseGainsAnything() async throws {
        let f = try await Guards.fixture("submitter-read")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let sue = try await Guards.employee(f, "Sue", ["salesOwn"])
        let ann = try await Guards.employee(f, "Ann", ["agent"])
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)

        let (own, version) = try await f.engine.state(WorkflowInstance.self, id: instance, as: sam)
        #expect(own.status == .running && own.submitter == sam.id && own.definition?.steps.isEmpty == false)
        #expect(version == (try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin)).version)
        for other in [sue, ann] {
            let hidden = await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: other) }
            #expect(hidden?.code == .notFound, "\(other.id)")
        }

        let dana = try await Guards.employee(f, "Dana", ["departmentManager", "quoteApprover"])
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: "fine by me"), as: dana)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        let read = try await f.engine.state(WorkflowInstance.self, id: instance, as: sam).state
        #expect(read.approvals.map(\.comment) == ["fine by me"])
        await f.close()
    }

    /// Petra (campaigns over her own records, nothing in organisation): her material request is not in her inbox
    /// while it waits for Mia; sent back to her, it is there, returned to her; resubmitted, it leaves; sent back
    /// again and cancelled, it leaves.
    @Test func aRequestSentBackToItsSubmitterWaitsInTheirInboxUntilResubmittedOrCancelled() async throws {
        let f = try await EngineFixture.make("submitter-inbox")
        let petra = try await f.hire("Petra", branch: "A", permissions: [
            Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own),
        ])
        let mia = try await f.hire("Mia", branch: "A", permissions: DefaultApprovalRoutingTests.everything)
        let campaign = UUID.derived("campaign", "submitter-inbox")
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring", objective: "Renewals", owner: petra.id, budget: Money(5000, .cny),
                                                                      start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-04-30")), as: f.admin)
        let posters = UUID.derived("material", "posters")
        let requested = try await f.engine.execute(Campaign.self, id: campaign, .requestMaterial(id: posters, name: "Posters", unit: "piece", quantity: 20), as: petra)
        try await WorkflowSubjectTests.settled(f, after: requested.position)
        let instance = ApprovalRouting.materialInstanceID(campaignID: campaign, materialID: posters)
        #expect(try await WorkflowSubjectTests.pending(f, petra).isEmpty, "Mia's to decide, not Petra's")

        try await Self.sendBack(f, instance, as: mia)
        let inbox = try await f.engine.approvalInbox(as: petra, consistentWith: try await Guards.head(f))
        #expect(inbox.pending.map(\.instance.instanceID) == [instance])
        #expect(inbox.pending.first?.instance.status == .returnedToSubmitter && inbox.pending.first?.dueAt == nil)
        #expect(inbox.late.isEmpty && inbox.escalatedToMe.isEmpty)

        let resubmitted = try await f.engine.execute(WorkflowInstance.self, id: instance, .resubmit(employee: ""), as: petra)
        try await WorkflowSubjectTests.settled(f, after: resubmitted.position)
        #expect(try await WorkflowSubjectTests.pending(f, petra).isEmpty, "resubmitted: Mia's again")

        try await Self.sendBack(f, instance, as: mia)
        #expect(try await WorkflowSubjectTests.pending(f, petra) == [instance])
        let cancelled = try await f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "not needed"), as: petra)
        try await WorkflowSubjectTests.settled(f, after: cancelled.position)
        #expect(try await WorkflowSubjectTests.pending(f, petra).isEmpty, "cancelled")
        await f.close()
    }

    /// Bea may decide the quote's step (approve in quotes everywhere with a covering limit, organisation
    /// query/approve over north) but may not query quotes: her inbox reads the quote no more often than Cal's,
    /// who may also query quotes — whether she may decide its row is judged once, not once to read it and again
    /// to list it.
    @Test func theInboxJudgesOnceWhetherAReaderWithoutTheSubjectsQueryMayDecideARow() async throws {
        let (f, store) = try await Self.counted("submitter-inbox-once")
        for (name, actions) in [("blindDecider", [Permission.Action.approve]), ("seeingDecider", [.query, .approve])] {
            let role = UUID.derived("role", name)
            try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: name, permissions: [
                Permission(module: .quotes, actions: actions, scope: .all),
                Permission(module: .organisation, actions: [.query, .approve], scope: .branch("north")),
            ]), grantor: .none), as: f.admin)
            try await Guards.setLimit(f, name, 40)
        }
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let bea = try await Guards.employee(f, "Bea", ["blindDecider"])
        let cal = try await Guards.employee(f, "Cal", ["seeingDecider"])
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)
        let head = try await Guards.head(f)

        var reads: [String: Int] = [:]
        for reader in [bea, cal] {
            _ = try await f.engine.approvalInbox(as: reader, consistentWith: head)  // anything read once for all
            store.quoteReads.withLock { $0 = 0 }
            #expect(try await f.engine.approvalInbox(as: reader, consistentWith: head).pending.map(\.instance.instanceID) == [instance])
            reads[reader.id] = store.quoteReads.withLock { $0 }
        }
        #expect(reads[bea.id] == reads[cal.id], "\(reads)")
        await f.engine.close()
        await store.base.close()
        try? FileManager.default.removeItem(atPath: f.directory)
        if f.holdsSlot { await EngineGate.shared.release() }
    }

    // MARK: helpers

    static func sendBack(_ f: EngineFixture, _ instance: UUID, as decider: Principal) async throws {
        let sentBack = try await f.engine.execute(WorkflowInstance.self, id: instance, .sendBack(employee: "", roles: [], reason: "ten will do"), as: decider)
        try await WorkflowSubjectTests.settled(f, after: sentBack.position)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .returnedToSubmitter)
    }

    /// ``WorkflowDecisionGuardsTests/fixture(_:)`` over a log that counts the reads of quote streams.
    static func counted(_ label: String) async throws -> (EngineFixture, QuoteReadCounter) {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let store = QuoteReadCounter(try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync)))
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00Z
        let engine = try await CRMEngine.open(store: store, views: directory, configuration: CRMEngine.Configuration(clock: clock, durability: .noSync))
        let (admin, token) = try await engine.bootstrap(administrator: NewEmployee(
            id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "head-office",
            hiredOn: try EngineFixture.day("2020-01-01")))
        let f = EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token, holdsSlot: slot)
        for role in Guards.roles {
            let roleID = UUID.derived("role", role.name)
            try await engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: role.name, permissions: role.permissions),
                                                                               grantor: .none), as: admin)
            if let limit = role.limit { try await Guards.setLimit(f, role.name, limit) }
        }
        try await f.meterProduct()
        return (f, store)
    }
}

/// An LMDB log that counts the reads of quote streams.
final class QuoteReadCounter: ForwardingEventStore {
    let base: LMDBEventStore
    let quoteReads = Mutex(0)

    init(_ base: LMDBEventStore) { self.base = base }

    func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        if String(stream.category) == Quote.category { quoteReads.withLock { $0 += 1 } }
        return try await base.readStream(stream, from: version, direction: direction, limit: limit)
    }
}
