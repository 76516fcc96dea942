import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// Campaign material requests are approved through the default material request workflow (R-MKT-2,
/// R-ORG-5): the request waits in the inbox of whoever may approve it directly (`approve` in campaigns over
/// the campaign), and the instance's outcome approves or declines the material as that employee.
@Suite struct MaterialApprovalRoutingTests {
    /// Petra plans campaigns (her own, no approve) and may resubmit her own workflows; Mia holds every right;
    /// Sam holds every right but approving in campaigns.
    struct World {
        let f: EngineFixture
        let petra: Principal, mia: Principal, sam: Principal
        let campaign: UUID
    }

    static func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let petra = try await f.hire("Petra", branch: "A", permissions: [
            Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own),
            Permission(module: .organisation, actions: Permission.Action.allCases, scope: .own),
        ])
        let mia = try await f.hire("Mia", branch: "A", permissions: DefaultApprovalRoutingTests.everything)
        let sam = try await f.hire("Sam", branch: "A", permissions: Permission.Module.allCases.map { module in
            Permission(module: module, actions: module == .campaigns ? Permission.Action.allCases.filter { $0 != .approve } : Permission.Action.allCases, scope: .all)
        })
        let campaign = UUID.derived("campaign", label)
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring", objective: "Renewals", owner: petra.id, budget: Money(5000, .cny),
                                                                      start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-04-30")), as: f.admin)
        return World(f: f, petra: petra, mia: mia, sam: sam, campaign: campaign)
    }

    /// Requests `material` as Petra and waits until the reactor has routed it (and anything it wrote).
    static func request(_ w: World, _ material: UUID, quantity: Decimal = 500) async throws {
        let requested = try await w.f.engine.execute(Campaign.self, id: w.campaign, .requestMaterial(id: material, name: "Flyers", unit: "piece", quantity: quantity), as: w.petra)
        try await settled(w.f, after: requested.position)
    }

    static func settled(_ f: EngineFixture, after position: GlobalPosition) async throws {
        try await f.engine.reactionsSettled(upTo: position)
        try await f.engine.reactionsSettled(upTo: try await f.engine.store.headPosition())
    }

    static func material(_ w: World, _ id: UUID) async throws -> Campaign.Material? {
        try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state.materials.first { $0.id == id }
    }

    @Test func aRequestedMaterialWaitsInTheInboxOfWhoMayApproveItAndTheirApprovalApprovesTheRequestedQuantity() async throws {
        let w = try await Self.world("material-routing")
        let flyers = UUID.derived("material", "flyers")
        try await Self.request(w, flyers)
        let head = try await w.f.engine.store.headPosition()
        let inbox = try await w.f.engine.approvalInbox(as: w.mia, consistentWith: head).pending
        let id = ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: flyers)
        #expect(inbox.map(\.instance.instanceID) == [id])
        #expect(inbox.first?.instance.subjectKind == .materialRequest && inbox.first?.instance.subjectID == w.campaign)
        #expect(inbox.first?.instance.submitter == w.petra.id)
        // Neither the requester (no approve) nor Sam (every right but approving in campaigns) is asked, nor may decide.
        #expect(try await w.f.engine.approvalInbox(as: w.petra, consistentWith: head).pending.isEmpty)
        #expect(try await w.f.engine.approvalInbox(as: w.sam, consistentWith: head).pending.isEmpty)
        for outsider in [w.petra, w.sam] {
            await #expect(throws: EngineError.self) {
                try await w.f.engine.execute(WorkflowInstance.self, id: id, .approve(employee: outsider.id, roles: [], comment: nil), as: outsider)
            }
        }
        #expect(try await Self.material(w, flyers)?.approved == 0)

        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: id, .approve(employee: w.mia.id, roles: [], comment: "fine"), as: w.mia)
        try await Self.settled(w.f, after: approved.position)
        #expect(try await Self.material(w, flyers)?.approved == 500)
        let history = try await w.f.engine.store.readStream(Campaign.stream(w.campaign))
        #expect(history.last?.type == CampaignMaterialAdvanced.eventType && history.last?.metadata.actor == w.mia.id, "recorded as Mia's approval")
        #expect(try await w.f.engine.approvalInbox(as: w.mia, consistentWith: try await w.f.engine.store.headPosition()).pending.isEmpty)
        await w.f.close()
    }

    @Test func aSentBackRequestIsDeclinedWithTheReasonAndOnceResubmittedAndApprovedItIsApproved() async throws {
        let w = try await Self.world("material-send-back")
        let posters = UUID.derived("material", "posters")
        try await Self.request(w, posters, quantity: 20)
        let id = ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: posters)
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: id, .sendBack(employee: w.mia.id, roles: [], reason: "ten will do"), as: w.mia)
        try await Self.settled(w.f, after: sentBack.position)
        var material = try #require(try await Self.material(w, posters))
        #expect(material.declinedReason == "ten will do" && material.approved == 0)
        let history = try await w.f.engine.store.readStream(Campaign.stream(w.campaign))
        #expect(history.last?.type == CampaignMaterialDeclined.eventType && history.last?.metadata.actor == w.mia.id)
        // Back in the requester's inbox; resubmitted, Mia decides again.
        let head = try await w.f.engine.store.headPosition()
        #expect(try await w.f.engine.approvalInbox(as: w.petra, consistentWith: head).pending.map(\.instance.instanceID) == [id])
        try await w.f.engine.execute(WorkflowInstance.self, id: id, .resubmit(employee: w.petra.id), as: w.petra)
        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: id, .approve(employee: w.mia.id, roles: [], comment: nil), as: w.mia)
        try await Self.settled(w.f, after: approved.position)
        material = try #require(try await Self.material(w, posters))
        #expect(material.approved == 20 && material.declinedReason == nil)
        await w.f.close()
    }

    @Test func aRejectedRequestIsDeclinedAndAMaterialApprovedDirectlyMeanwhileIsNotApprovedTwice() async throws {
        let w = try await Self.world("material-reject")
        let gifts = UUID.derived("material", "gifts"), banners = UUID.derived("material", "banners")
        try await Self.request(w, gifts, quantity: 10)
        try await Self.request(w, banners, quantity: 4)
        let rejected = try await w.f.engine.execute(WorkflowInstance.self, id: ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: gifts),
                                                    .reject(employee: w.mia.id, roles: [], reason: "no budget"), as: w.mia)
        try await Self.settled(w.f, after: rejected.position)
        #expect(try await Self.material(w, gifts)?.declinedReason == "no budget")

        // Banners approved directly (the direct path stays), then the waiting instance approved: nothing more.
        // (The reactor closes the instance once it sees the direct approval; an approval sent before that
        // completes it and approves nothing more — either way is fine here.)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .advanceMaterial(id: banners, stage: .approved, quantity: 4), as: w.mia)
        _ = try? await w.f.engine.execute(WorkflowInstance.self, id: ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: banners),
                                          .approve(employee: w.mia.id, roles: [], comment: nil), as: w.mia)
        try await Self.settled(w.f, after: try await w.f.engine.store.headPosition())
        #expect(try await Self.material(w, banners)?.approved == 4)
        let advanced = try await w.f.engine.store.readStream(Campaign.stream(w.campaign)).filter { $0.type == CampaignMaterialAdvanced.eventType }
        #expect(advanced.count == 1)
        await w.f.close()
    }

    /// Declined directly while its workflow still waits: approving that stale workflow later approves nothing,
    /// and the decline stands.
    @Test func aDirectDeclineIsNotUndoneByTheWaitingWorkflowsLaterApproval() async throws {
        let w = try await Self.world("material-declined-directly")
        let gifts = UUID.derived("material", "gifts")
        try await Self.request(w, gifts, quantity: 10)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .declineMaterial(id: gifts, reason: "no budget"), as: w.mia)
        // The reactor closes the waiting instance once it sees the decline (refusing this approval); an
        // approval sent before that completes it, and its outcome is not recorded.
        _ = try? await w.f.engine.execute(WorkflowInstance.self, id: ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: gifts),
                                          .approve(employee: w.mia.id, roles: [], comment: nil), as: w.mia)
        try await Self.settled(w.f, after: try await w.f.engine.store.headPosition())
        let material = try #require(try await Self.material(w, gifts))
        #expect(material.approved == 0 && material.declinedReason == "no budget")
        #expect(try await w.f.engine.store.readStream(Campaign.stream(w.campaign)).allSatisfy { $0.type != CampaignMaterialAdvanced.eventType })
        await w.f.close()
    }

    /// A store whose campaign requested two materials — one still waiting, one approved directly — and that has
    /// no workflow definitions or instances (copied without those streams): defining the default material
    /// approval starts a workflow for the waiting one only.
    @Test func materialsRequestedBeforeTheDefinitionReachTheInboxOnceItIsDefinedUnlessAlreadyDecided() async throws {
        let source = try await Self.world("material-backfill-source")
        let waiting = UUID.derived("material", "waiting"), decided = UUID.derived("material", "decided")
        try await Self.request(source, waiting)
        try await Self.request(source, decided)
        try await source.f.engine.execute(Campaign.self, id: source.campaign, .advanceMaterial(id: decided, stage: .approved, quantity: 500), as: source.mia)
        try await Self.settled(source.f, after: try await source.f.engine.store.headPosition())

        let directory = try await EngineFixture.logWithoutWorkflows(of: source.f.engine, "material-backfill")
        let campaign = source.campaign
        await source.f.close()

        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: ManualClock(Date(timeIntervalSince1970: 1_767_225_600)), durability: .noSync))
        let admin = try await engine.principal(employeeID: UUID.derived("employee", "admin"))
        let mia = try await engine.principal(employeeID: UUID.derived("employee", "Mia"))
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        #expect(try await engine.approvalInbox(as: mia, consistentWith: try await engine.store.headPosition()).pending.isEmpty, "no definition, no workflow")

        let definition = WorkflowDefinition.defaultMaterialApproval()
        let defined = try await engine.execute(WorkflowDefinition.self, id: definition.definitionID, WorkflowDefinition.defineCommand(definition), as: admin)
        try await engine.reactionsSettled(upTo: defined.position)
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        let pending = try await engine.approvalInbox(as: mia, consistentWith: try await engine.store.headPosition()).pending
        #expect(pending.map(\.instance.instanceID) == [ApprovalRouting.materialInstanceID(campaignID: campaign, materialID: waiting)])

        let approved = try await engine.execute(WorkflowInstance.self, id: try #require(pending.first?.instance.instanceID),
                                                .approve(employee: mia.id, roles: [], comment: nil), as: mia)
        try await engine.reactionsSettled(upTo: approved.position)
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        let materials = try await engine.state(Campaign.self, id: campaign, as: admin).state.materials
        #expect(materials.map(\.approved) == [500, 500])
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
