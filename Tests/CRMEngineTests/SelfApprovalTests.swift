import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// No one decides their own request by the subject's direct commands either (as for a quote's author): whoever
/// submitted a contract for approval or a campaign's feasibility study, or requested a campaign material, may
/// neither approve nor send back (decline) it directly, even holding `approve` — `forbidden`, field `employee`,
/// nothing written, in a dry run too. Another approver may, and the workflow's outcome still reaches the subject.
@Suite struct SelfApprovalTests {
    static func head(_ f: EngineFixture) async throws -> GlobalPosition { try await f.engine.store.headPosition() }

    static func expectRefused<A: EngineRecord>(_ f: EngineFixture, _ type: A.Type, id: UUID, _ command: A.Command, as principal: Principal,
                                               sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let head = try await head(f)
        let refused = await #expect(throws: EngineError.self, sourceLocation: sourceLocation) {
            try await f.engine.execute(type, id: id, command, as: principal)
        }
        #expect(refused?.code == .forbidden && refused?.field == "employee", "\(String(describing: refused))", sourceLocation: sourceLocation)
        let dry = await #expect(throws: EngineError.self, sourceLocation: sourceLocation) { try await f.engine.dryRun(type, id: id, command, as: principal) }
        #expect(dry?.code == .forbidden && dry?.field == "employee", "\(String(describing: dry))", sourceLocation: sourceLocation)
        #expect(try await Self.head(f) == head, "nothing written", sourceLocation: sourceLocation)
    }

    @Test func theSubmitterOfAContractMayNeitherApproveNorSendItBackDirectly() async throws {
        // The administrator (every right) submitted the contract; Mia holds every right too.
        let w = try await WorkflowSubjectTests.world("contract-self-approval")
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.submittedBy == w.f.admin.id)
        for command in [Contract.Command.approve(note: "mine"), .sendBack(reason: "mine")] {
            try await Self.expectRefused(w.f, Contract.self, id: w.contract, command, as: w.f.admin)
        }
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.status == .pendingApproval)

        let approved = try await w.f.engine.execute(Contract.self, id: w.contract, .approve(note: "fine"), as: w.mia)
        #expect(approved.events.first?.metadata.actor == w.mia.id)
        await w.f.close()
    }

    @Test func theWorkflowsOutcomeStillReachesTheContractAsItsApprover() async throws {
        let w = try await WorkflowSubjectTests.world("contract-self-approval-routing")
        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .approve(employee: "", roles: [], comment: nil), as: w.anna)
        try await WorkflowSubjectTests.settled(w.f, after: approved.position)
        let contract = try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state
        #expect(contract.status == .approved && contract.approvedBy == w.anna.id)
        await w.f.close()
    }

    @Test func theSubmitterOfACampaignsFeasibilityStudyMayNeitherApproveNorSendItBackDirectly() async throws {
        let w = try await MaterialApprovalRoutingTests.world("feasibility-self-approval")
        let submitted = try await w.f.engine.execute(Campaign.self, id: w.campaign, .submitFeasibility(study: "feasible"), as: w.mia)
        try await MaterialApprovalRoutingTests.settled(w.f, after: submitted.position)
        for command in [Campaign.Command.approve(note: "mine"), .sendBack(reason: "mine")] {
            try await Self.expectRefused(w.f, Campaign.self, id: w.campaign, command, as: w.mia)
        }
        #expect(try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state.status == .feasibility)

        let approved = try await w.f.engine.execute(Campaign.self, id: w.campaign, .approve(note: "go"), as: w.f.admin)
        #expect(approved.events.first?.metadata.actor == w.f.admin.id)
        await w.f.close()
    }

    @Test func theRequesterOfAMaterialMayNeitherApproveNorDeclineItDirectly() async throws {
        let w = try await MaterialApprovalRoutingTests.world("material-self-approval")
        let flyers = UUID.derived("material", "flyers")
        let requested = try await w.f.engine.execute(Campaign.self, id: w.campaign, .requestMaterial(id: flyers, name: "Flyers", unit: "piece", quantity: 500), as: w.mia)
        try await MaterialApprovalRoutingTests.settled(w.f, after: requested.position)
        #expect(try await MaterialApprovalRoutingTests.material(w, flyers)?.requestedBy == w.mia.id)
        for command in [Campaign.Command.advanceMaterial(id: flyers, stage: .approved, quantity: 500), .declineMaterial(id: flyers, reason: "mine")] {
            try await Self.expectRefused(w.f, Campaign.self, id: w.campaign, command, as: w.mia)
        }
        #expect(try await MaterialApprovalRoutingTests.material(w, flyers)?.waitsForApproval == true)

        // Another approver decides it directly; the requester still purchases what was approved.
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .advanceMaterial(id: flyers, stage: .approved, quantity: 400), as: w.f.admin)
        try await w.f.engine.execute(Campaign.self, id: w.campaign, .advanceMaterial(id: flyers, stage: .purchased, quantity: 400), as: w.mia)
        let material = try await MaterialApprovalRoutingTests.material(w, flyers)
        #expect(material?.approved == 400 && material?.purchased == 400)
        await w.f.close()
    }

    @Test func aMaterialsWorkflowOutcomeStillReachesItAsItsApprover() async throws {
        let w = try await MaterialApprovalRoutingTests.world("material-self-approval-routing")
        let flyers = UUID.derived("material", "flyers")
        let requested = try await w.f.engine.execute(Campaign.self, id: w.campaign, .requestMaterial(id: flyers, name: "Flyers", unit: "piece", quantity: 500), as: w.mia)
        try await MaterialApprovalRoutingTests.settled(w.f, after: requested.position)
        let instance = ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: flyers)
        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: w.f.admin)
        try await MaterialApprovalRoutingTests.settled(w.f, after: approved.position)
        #expect(try await MaterialApprovalRoutingTests.material(w, flyers)?.approved == 500)
        let history = try await w.f.engine.store.readStream(Campaign.stream(w.campaign))
        #expect(history.last?.type == CampaignMaterialAdvanced.eventType && history.last?.metadata.actor == w.f.admin.id)
        await w.f.close()
    }
}
