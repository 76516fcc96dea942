import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The reviewer a feedback form's submission names must be able to review it without the ownership the
/// naming gives: `approve` in organisation over the form's branch (every scope covers `own`, so counting it
/// would let any branch's approver be named reviewer of another branch's form, then read and approve it) —
/// refused `invalid`, field `reviewer`, nothing written, as a task's or ticket's assignee is.
@Suite struct FeedbackReviewerScopeTests {
    static func submit(_ f: EngineFixture, _ label: String, reviewer: Principal, as submitter: Principal) async throws {
        let form = UUID.derived("feedback", label)
        try await f.engine.execute(FeedbackForm.self, id: form, .submit(
            id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: submitter.id, reviewer: reviewer.id, branch: "north",
            values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: submitter)
    }

    @Test func aFeedbackFormCannotNameAnotherBranchsApproverAsReviewer() async throws {
        let f = try await EngineFixture.make("feedback-reviewer-scope")
        let agent = try await f.hire("AgentNorth", branch: "north", permissions: [
            Permission(module: .organisation, actions: [.query, .create], scope: .branch("north"))])
        let southManager = try await f.hire("ManagerSouth", branch: "south", permissions: [
            Permission(module: .organisation, actions: [.query, .approve], scope: .branch("south"))])
        let northManager = try await f.hire("ManagerNorth", branch: "north", permissions: [
            Permission(module: .organisation, actions: [.query, .approve], scope: .branch("north"))])
        let head = try await f.engine.store.headPosition()
        let refused = await #expect(throws: EngineError.self) { try await Self.submit(f, "south-reviewer", reviewer: southManager, as: agent) }
        #expect(refused?.code == .invalid && refused?.field == "reviewer", "\(String(describing: refused))")
        #expect(refused?.message.contains(southManager.id) == false)
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        #expect(try await f.engine.store.streamVersion(of: FeedbackForm.stream(UUID.derived("feedback", "south-reviewer"))) == .noStream)
        // The branch's own approver is a reviewer.
        try await Self.submit(f, "north-reviewer", reviewer: northManager, as: agent)
        let form = try await f.engine.state(FeedbackForm.self, id: UUID.derived("feedback", "north-reviewer"), as: northManager).state
        #expect(form.reviewer == northManager.id)
        await f.close()
    }
}
