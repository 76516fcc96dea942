import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Approvals, follow-ups of review 5: the submitter's own `cancel` and `resubmit` pass the engine's own command
/// path without rights in organisation (not only HTTP's withdrawal), and who reads an instance or finds it in
/// their inbox — pending or escalated — is judged by the one rule of who decides its step.
@Suite struct ApprovalReview5bTests {
    typealias Guards = WorkflowDecisionGuardsTests

    /// Sam (rights in quotes only, none in organisation) cancels his own waiting request through `execute`
    /// (a dry run first): it is cancelled, recorded as his. Ann (organisation query over north) may not.
    @Test func aSubmitterCancelsTheirOwnRequestThroughExecuteWithoutRightsInOrganisation() async throws {
        let f = try await Guards.fixture("review5b-cancel")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let ann = try await Guards.employee(f, "Ann", ["agent"])
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)

        let head = try await Guards.head(f)
        await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: sam.id, reason: "not hers"), as: ann)
        }
        #expect(try await Guards.head(f) == head, "nothing written")

        let dry = try await f.engine.dryRun(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "asked by mistake"), as: sam)
        #expect(dry.count == 1)
        let cancelled = try await f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "asked by mistake"), as: sam)
        #expect(cancelled.events.first?.metadata.actor == sam.id)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .cancelled)
        await f.close()
    }

    /// Petra (campaigns over her own records, nothing in organisation) resubmits her material request Mia sent
    /// back to her, through `execute`: step 1 waits again, recorded as hers. Sam (every right but approving
    /// campaigns) may not resubmit it for her.
    @Test func aSubmitterResubmitsTheirReturnedRequestWithoutRightsInOrganisation() async throws {
        let f = try await EngineFixture.make("review5b-resubmit")
        let petra = try await f.hire("Petra", branch: "A", permissions: [
            Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own),
        ])
        let mia = try await f.hire("Mia", branch: "A", permissions: DefaultApprovalRoutingTests.everything)
        let sam = try await f.hire("Sam", branch: "A", permissions: Permission.Module.allCases.map { module in
            Permission(module: module, actions: module == .campaigns ? Permission.Action.allCases.filter { $0 != .approve } : Permission.Action.allCases, scope: .all)
        })
        let campaign = UUID.derived("campaign", "review5b-resubmit")
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring", objective: "Renewals", owner: petra.id, budget: Money(5000, .cny),
                                                                      start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-04-30")), as: f.admin)
        let posters = UUID.derived("material", "posters")
        let requested = try await f.engine.execute(Campaign.self, id: campaign, .requestMaterial(id: posters, name: "Posters", unit: "piece", quantity: 20), as: petra)
        try await WorkflowSubjectTests.settled(f, after: requested.position)
        let instance = ApprovalRouting.materialInstanceID(campaignID: campaign, materialID: posters)
        let sentBack = try await f.engine.execute(WorkflowInstance.self, id: instance, .sendBack(employee: "", roles: [], reason: "ten will do"), as: mia)
        try await WorkflowSubjectTests.settled(f, after: sentBack.position)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .returnedToSubmitter)

        let head = try await Guards.head(f)
        await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .resubmit(employee: petra.id), as: sam)
        }
        #expect(try await Guards.head(f) == head, "nothing written")

        let resubmitted = try await f.engine.execute(WorkflowInstance.self, id: instance, .resubmit(employee: ""), as: petra)
        #expect(resubmitted.events.first?.metadata.actor == petra.id)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .running)
        await f.close()
    }

    /// The quote's late step is escalated to the department managers. Dora (departmentManager: organisation
    /// query/approve, nothing in quotes) could not decide it: it is not in her escalated rows and she may not
    /// read it. Dana, a department manager who may approve quotes too, finds it escalated to her.
    @Test func aStepEscalatedToSomeoneWhoCouldNotDecideItIsNeitherListedNorReadable() async throws {
        let f = try await Guards.fixture("review5b-escalated")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let dora = try await Guards.employee(f, "Dora", ["departmentManager"])
        let dana = try await Guards.employee(f, "Dana", ["departmentManager", "quoteApprover"])
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)
        let started = try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.stepStartedAt
        let escalated = try await f.engine.execute(WorkflowInstance.self, id: instance, .escalateIfLate(at: started.addingTimeInterval(86_400 * 30)), as: .system)
        try await WorkflowSubjectTests.settled(f, after: escalated.position)
        let state = try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state
        #expect(state.currentStepEscalated && state.currentStep?.escalateTo == .role("departmentManager"))

        let head = try await Guards.head(f)
        #expect(try await f.engine.approvalInbox(as: dora, consistentWith: head).escalatedToMe.isEmpty, "not hers to decide")
        let hidden = await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: dora) }
        #expect(hidden?.code == .notFound)

        #expect(try await f.engine.approvalInbox(as: dana, consistentWith: head).escalatedToMe.map(\.instance.instanceID) == [instance])
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: dana).state.status == .running)
        await f.close()
    }

    /// Bea may approve quotes everywhere with a limit covering the quote (so she holds the step's symbolic
    /// role) but may neither query quotes nor approve in organisation: she could not decide the step, so she
    /// may not read the instance either — not found, as her approval is — nor finds it in her inbox.
    @Test func readingAnInstanceAsItsDeciderAgreesWithWhoMayDecideIt() async throws {
        let f = try await Guards.fixture("review5b-read")
        let role = UUID.derived("role", "blindApprover")
        try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: "blindApprover", permissions: [
            Permission(module: .quotes, actions: [.approve], scope: .all),
            Permission(module: .organisation, actions: [.query], scope: .branch("north")),
        ]), grantor: .none), as: f.admin)
        try await Guards.setLimit(f, "blindApprover", 40)
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let bea = try await Guards.employee(f, "Bea", ["blindApprover"])
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)

        let hidden = await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: bea) }
        #expect(hidden?.code == .notFound)
        let head = try await Guards.head(f)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: bea)
        }
        #expect(refused?.code == .notFound, "\(String(describing: refused))")
        #expect(try await Guards.head(f) == head, "nothing written")
        #expect(try await WorkflowSubjectTests.pending(f, bea).isEmpty)
        await f.close()
    }
}
