import CRMDomain
import EventSourcing
import Foundation
import Testing

private let campaignID = UUID.derived("test", "material-routing", "campaign")
private let otherCampaignID = UUID.derived("test", "material-routing", "other-campaign")
private let flyers = UUID.derived("test", "material-routing", "flyers")
private let posters = UUID.derived("test", "material-routing", "posters")
private let t0 = Date(timeIntervalSince1970: 1_767_225_600)

/// A planned campaign of `emp-3` with flyers (500) and posters (20) requested; the flyers' request event.
private func campaignWithMaterials() -> (Scenario<Campaign>, CampaignEvent?) {
    var s = Scenario(Campaign.self, actor: "emp-3")
    s.apply(.plan(id: campaignID, name: "Spring", objective: "Renewals", owner: "emp-3", budget: Money(5000, .cny),
                  start: date("2026-03-01"), end: date("2026-04-30")))
    let requested = s.apply(.requestMaterial(id: flyers, name: "Flyers", unit: "piece", quantity: 500))
    s.apply(.requestMaterial(id: posters, name: "Posters", unit: "piece", quantity: 20))
    s.context.actor = "mgr-1"
    return (s, requested.first)
}

private func startedInstance(_ start: ApprovalRouting.Routed<WorkflowInstance.Command>?) -> Scenario<WorkflowInstance> {
    var instance = Scenario(WorkflowInstance.self, actor: start?.actor ?? "system")
    if let start { instance.apply(start.command) } else { Issue.record("expected a workflow start") }
    return instance
}

/// The campaign commands `events` of the instance route, the instance's state taken after each event.
private func routed(_ events: [WorkflowEvent], from state: WorkflowInstanceState, campaign: Campaign.State) -> [ApprovalRouting.Routed<Campaign.Command>] {
    var state = state
    var result: [ApprovalRouting.Routed<Campaign.Command>] = []
    for event in events {
        state = WorkflowInstance.evolve(state, event)
        if let r = ApprovalRouting.materialCommand(after: event, instance: state, campaign: campaign) { result.append(r) }
    }
    return result
}

@Suite("Approval routing: campaign material requests")
struct MaterialApprovalRoutingTests {
    @Test func theDefaultMaterialApprovalIsASingleStepForTheSymbolicMaterialApproverAndBootstrapRecordsIt() {
        let definition = WorkflowDefinition.defaultMaterialApproval()
        #expect(definition.kind == .materialRequest && definition.version == 1)
        #expect(definition.definitionID == WorkflowDefinition.defaultID(for: .materialRequest))
        #expect(definition.steps.map(\.approverRole) == [WorkflowDefinition.materialApprover])
        #expect(WorkflowDefinition.symbolicApproverRoles.contains(WorkflowDefinition.materialApprover))
        #expect(WorkflowDefinition.defaults.contains(definition))
        #expect(Scenario(WorkflowDefinition.self).when(WorkflowDefinition.defineCommand(definition)) == [.defined(WorkflowDefined(definition: definition))])
        #expect(ApprovalRouting.approverRoles(["marketing"], for: .materialRequest, mayApprove: true) == ["marketing", WorkflowDefinition.materialApprover])
        #expect(ApprovalRouting.approverRoles(["marketing"], for: .materialRequest, mayApprove: false) == ["marketing"])
    }

    @Test func aMaterialRequestStartsAnInstanceAboutItsCampaignWithAnIdNamingTheMaterial() throws {
        let (campaign, requested) = campaignWithMaterials()
        let event = try #require(requested)
        let start = try #require(ApprovalRouting.materialStart(after: event, definition: WorkflowDefinition.defaultMaterialApproval()))
        let id = ApprovalRouting.materialInstanceID(campaignID: campaignID, materialID: flyers)
        #expect(start == ApprovalRouting.Routed(recordID: id, command: .start(id: id, subjectKind: .materialRequest, subjectID: campaignID, submitter: "emp-3",
                                                                                definition: WorkflowDefinition.defaultMaterialApproval()), actor: "emp-3"))
        // Reproducible, and distinct per material and per campaign.
        #expect(id == ApprovalRouting.materialInstanceID(campaignID: campaignID, materialID: flyers))
        #expect(id != ApprovalRouting.materialInstanceID(campaignID: campaignID, materialID: posters))
        #expect(id != ApprovalRouting.materialInstanceID(campaignID: otherCampaignID, materialID: flyers))
        #expect(ApprovalRouting.material(of: id, in: campaign.state)?.id == flyers)
        #expect(ApprovalRouting.material(of: ApprovalRouting.materialInstanceID(campaignID: otherCampaignID, materialID: flyers), in: campaign.state) == nil)
        // Another definition kind, or another campaign event, starts nothing.
        #expect(ApprovalRouting.materialStart(after: event, definition: WorkflowDefinition.defaultCampaignApproval()) == nil)
        #expect(ApprovalRouting.start(after: event, version: 2, definition: WorkflowDefinition.defaultCampaignApproval()) == nil)
        let advanced = CampaignEvent.materialAdvanced(CampaignMaterialAdvanced(campaignID: campaignID, materialID: flyers, stage: .approved, quantity: 1, by: "mgr-1"))
        #expect(ApprovalRouting.materialStart(after: advanced, definition: WorkflowDefinition.defaultMaterialApproval()) == nil)
    }

    @Test func aCompletedInstanceApprovesTheRequestedQuantityAsTheApprover() throws {
        let (campaign, event) = campaignWithMaterials()
        var instance = startedInstance(ApprovalRouting.materialStart(after: try #require(event), definition: WorkflowDefinition.defaultMaterialApproval()))
        #expect(instance.whenRefused(.approve(employee: "emp-9", roles: ApprovalRouting.approverRoles(["marketing"], for: .materialRequest, mayApprove: false),
                                              comment: nil))?.code == .forbidden)
        let before = instance.state
        let events = instance.apply(.approve(employee: "mgr-1", roles: ApprovalRouting.approverRoles([], for: .materialRequest, mayApprove: true), comment: "ok"))
        let approve = try #require(routed(events, from: before, campaign: campaign.state).first)
        #expect(approve == ApprovalRouting.Routed(recordID: campaignID, command: .advanceMaterial(id: flyers, stage: .approved, quantity: 500), actor: "mgr-1"))
        var decided = campaign
        decided.apply(approve.command)
        #expect(decided.state.materials.first { $0.id == flyers }?.approved == 500)
        #expect(decided.state.materials.first { $0.id == posters }?.approved == 0, "the other request still waits")

        // Part of it approved directly meanwhile: the rest; all of it: nothing.
        var partly = campaign
        partly.apply(.advanceMaterial(id: flyers, stage: .approved, quantity: 200))
        #expect(routed(events, from: before, campaign: partly.state).map(\.command) == [.advanceMaterial(id: flyers, stage: .approved, quantity: 300)])
        #expect(routed(events, from: before, campaign: decided.state).isEmpty)
    }

    @Test func aSendBackOrARejectionDeclinesTheMaterialWithTheReasonAndALaterApprovalClearsIt() throws {
        let (campaign, event) = campaignWithMaterials()
        let start = ApprovalRouting.materialStart(after: try #require(event), definition: WorkflowDefinition.defaultMaterialApproval())
        for reject in [false, true] {
            var instance = startedInstance(start)
            let before = instance.state
            let roles = [WorkflowDefinition.materialApprover]
            let events = reject ? instance.apply(.reject(employee: "mgr-1", roles: roles, reason: "too many"))
                                : instance.apply(.sendBack(employee: "mgr-1", roles: roles, reason: "too many"))
            let decline = try #require(routed(events, from: before, campaign: campaign.state).first)
            #expect(decline == ApprovalRouting.Routed(recordID: campaignID, command: .declineMaterial(id: flyers, reason: "too many"), actor: "mgr-1"))
            var declined = campaign
            #expect(declined.apply(decline.command) == [.materialDeclined(CampaignMaterialDeclined(
                campaignID: campaignID, materialID: flyers, reason: "too many", by: "mgr-1", at: t0))])
            let material = try #require(declined.state.materials.first { $0.id == flyers })
            #expect(material.declinedReason == "too many" && material.approved == 0 && !material.waitsForApproval)
            #expect(declined.when(decline.command).isEmpty, "the same decline again records nothing")
            // Resubmitted and approved (or approved directly): the decline is cleared.
            declined.apply(.advanceMaterial(id: flyers, stage: .approved, quantity: 500))
            #expect(declined.state.materials.first { $0.id == flyers }?.declinedReason == nil)
        }
    }

    @Test func decliningNeedsAReasonAMaterialWithNothingApprovedAndAnOpenCampaign() throws {
        var (campaign, _) = campaignWithMaterials()
        #expect(campaign.whenRefused(.declineMaterial(id: flyers, reason: " "))?.field == "reason")
        #expect(campaign.whenRefused(.declineMaterial(id: UUID.derived("test", "no-such"), reason: "no"))?.code == .notFound)
        campaign.apply(.advanceMaterial(id: flyers, stage: .approved, quantity: 1))
        #expect(campaign.whenRefused(.declineMaterial(id: flyers, reason: "late"))?.code == .invalidTransition)
        try expectRoundTrips([CampaignEvent.materialDeclined(CampaignMaterialDeclined(campaignID: campaignID, materialID: posters, reason: "no", by: "mgr-1", at: t0))])
    }

    @Test func decisionsOfOtherSubjectsAndEventsThatDecideNothingRouteNoMaterialCommand() throws {
        let (campaign, event) = campaignWithMaterials()
        var instance = startedInstance(ApprovalRouting.materialStart(after: try #require(event), definition: WorkflowDefinition.defaultMaterialApproval()))
        let roles = [WorkflowDefinition.materialApprover]
        let delegated = instance.apply(.delegate(employee: "mgr-1", roles: roles, to: "emp-deputy"))
        #expect(routed(delegated, from: instance.state, campaign: campaign.state).isEmpty)
        let before = instance.state
        let approved = instance.apply(.approve(employee: "emp-deputy", roles: [], comment: nil))
        #expect(routed(approved, from: before, campaign: campaign.state).map(\.actor) == ["emp-deputy"], "a delegate approves as themself")
        // The completion means nothing to the campaign's own approval, and nothing for another campaign's state.
        let completed = WorkflowEvent.completed(WorkflowCompleted(subjectKind: .materialRequest, subjectID: campaignID, at: t0))
        #expect(ApprovalRouting.campaignCommand(after: completed, instance: instance.state) == nil)
        var other = Scenario(Campaign.self, actor: "emp-3")
        other.apply(.plan(id: otherCampaignID, name: "Autumn", objective: "x", owner: "emp-3", budget: Money(1, .cny),
                          start: date("2026-09-01"), end: date("2026-09-30")))
        other.apply(.requestMaterial(id: flyers, name: "Flyers", unit: "piece", quantity: 500))
        #expect(ApprovalRouting.materialCommand(after: completed, instance: instance.state, campaign: other.state) == nil)
    }
}
