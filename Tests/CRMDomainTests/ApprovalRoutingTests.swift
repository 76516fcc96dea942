import CRMDomain
import EventSourcing
import Foundation
import Testing

private let quoteID = UUID.derived("test", "routing", "quote")
private let customerID = UUID.derived("test", "routing", "customer")
private let meterID = UUID.derived("test", "routing", "meter")
private let contractID = UUID.derived("test", "routing", "contract")
private let campaignID = UUID.derived("test", "routing", "campaign")
private let limits = DiscountLimit.defaults
private let t0 = Date(timeIntervalSince1970: 1_767_225_600)
private func context(_ actor: String) -> CommandContext { CommandContext(now: t0, actor: actor) }

/// One line of 10 × 100 CNY at `discount` percent, and `quoteDiscount` on the whole quote.
private func draft(discount: Decimal, quoteDiscount: Decimal = 0) -> QuoteDraft {
    QuoteDraft(lines: [QuoteLine(productID: meterID, productName: "Smart meter", unitPrice: Money(100, .cny), quantity: 10, discountPercent: discount)],
               discountPercent: quoteDiscount)
}

/// A quote created from `draft` by an author holding `role` (as the quote tests do), and its creation event.
private func created(_ draft: QuoteDraft, author role: String = "salesRep") -> (Scenario<Quote>, QuoteEvent?) {
    var s = Scenario(Quote.self, actor: "emp-author")
    let events = s.apply(.create(quoteID: quoteID, customerID: customerID, customerCode: "acme", date: date("2026-03-09"),
                                 sequence: 1, draft: draft, authorRole: role, limits: limits))
    s.context.actor = "emp-1"
    return (s, events.first)
}

/// Runs `events` of a workflow instance through `route`, keeping what it routes; `state` is the state after each event.
private func routed<C: Sendable>(_ events: [WorkflowEvent], from state: WorkflowInstanceState,
                       _ route: (WorkflowEvent, WorkflowInstanceState) -> ApprovalRouting.Routed<C>?) -> [ApprovalRouting.Routed<C>] {
    var state = state
    var result: [ApprovalRouting.Routed<C>] = []
    for event in events {
        state = WorkflowInstance.evolve(state, event)
        if let r = route(event, state) { result.append(r) }
    }
    return result
}

/// The quote's approval by employee `emp-1` holding `role`, through the default workflow: routing → instance →
/// approve → routing → `Quote.approve`. Returns the quote's events, or the refusal.
private func approveThroughWorkflow(_ quote: Scenario<Quote>, trigger: QuoteEvent, approver role: String) -> Result<[QuoteEvent], DomainError> {
    guard let start = ApprovalRouting.start(after: trigger, definition: WorkflowDefinition.defaultQuoteApproval()),
          let current = quote.state.current else {
        Issue.record("a pending quote starts a workflow")
        return .success([])
    }
    var instance = Scenario(WorkflowInstance.self, actor: start.actor)
    instance.apply(start.command)
    let roles = ApprovalRouting.quoteApproverRoles([role], draft: current.draft, limits: limits)
    let decided: [WorkflowEvent]
    do {
        decided = try WorkflowInstance.decide(.approve(employee: "emp-1", roles: roles, comment: nil), state: instance.state, context: context("emp-1"))
    } catch {
        return .failure(error)
    }
    let approverRole = ApprovalRouting.coveringRole(among: [role], draft: current.draft, limits: limits) ?? role
    let commands = routed(decided, from: instance.state) { event, state in
        ApprovalRouting.quoteCommand(after: event, instance: state, currentRevision: current.number, approverRole: approverRole, limits: limits)
    }
    guard commands.count == 1, let command = commands.first else {
        Issue.record("the completed workflow routes exactly one quote command, got \(commands.count)")
        return .success([])
    }
    #expect(command.recordID == quoteID)
    do {
        return .success(try Quote.decide(command.command, state: quote.state, context: context(command.actor)))
    } catch {
        return .failure(error)
    }
}

private let twoStepContract = WorkflowDefinitionVersion(
    definitionID: UUID.derived("test", "routing", "contract-two-step"), version: 1, name: "Contract: legal then director", kind: .contract,
    steps: [
        WorkflowStep(name: "Legal", approverRole: "legal", deadlineHours: 24, reminderLeadHours: 4, escalateTo: .role("legal-head")),
        WorkflowStep(name: "Director", approverRole: "director", deadlineHours: 48, reminderLeadHours: 8, escalateTo: .employee("emp-ceo")),
    ])

/// A contract submitted for approval by emp-7, and the submission event with its stream version (2).
private func submittedContract() -> (Scenario<Contract>, ContractEvent?) {
    var s = Scenario(Contract.self, actor: "emp-7")
    let terms = Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-15"), expiry: date("2026-12-31"))
    s.apply(.draft(id: contractID, customerID: customerID, owner: "emp-7", branch: "shanghai", title: "Gas supply 2026",
                   quoteID: quoteID, quoteNumber: "Q-ACME-20260309-001",
                   lines: [Contract.Line(productID: meterID, name: "Smart meter", quantity: 10, unitPrice: Money(100, .cny))], terms: terms))
    let events = s.apply(.submitForApproval)
    return (s, events.first)
}

/// A campaign whose feasibility study emp-3 submitted, and the submission event (stream version 2).
private func submittedCampaign() -> (Scenario<Campaign>, CampaignEvent?) {
    var s = Scenario(Campaign.self, actor: "emp-3")
    s.apply(.plan(id: campaignID, name: "Spring promotion", objective: "New gas customers", owner: "emp-3",
                  budget: Money(50_000, .cny), start: date("2026-03-01"), end: date("2026-05-31")))
    let events = s.apply(.submitFeasibility(study: "Door-to-door in two districts"))
    return (s, events.first)
}

/// Starts the instance routed from a record event and returns its scenario.
private func startedInstance(_ start: ApprovalRouting.Routed<WorkflowInstance.Command>?) -> Scenario<WorkflowInstance> {
    var instance = Scenario(WorkflowInstance.self, actor: start?.actor ?? "system")
    if let start { instance.apply(start.command) } else { Issue.record("expected a workflow start") }
    return instance
}

@Suite("Approval routing: default definitions")
struct DefaultWorkflowDefinitionTests {
    @Test func theDefaultsAreValidSingleStepDefinitionsWithFixedIds() {
        let defaults: [(WorkflowDefinitionVersion, WorkflowSubjectKind, String)] = [
            (WorkflowDefinition.defaultQuoteApproval(), .quote, WorkflowDefinition.quoteDiscountApprover),
            (WorkflowDefinition.defaultContractApproval(), .contract, WorkflowDefinition.contractApprover),
            (WorkflowDefinition.defaultCampaignApproval(), .campaign, WorkflowDefinition.campaignApprover),
        ]
        for (definition, kind, role) in defaults {
            #expect(definition.kind == kind)
            #expect(definition.version == 1)
            #expect(definition.definitionID == WorkflowDefinition.defaultID(for: kind))
            #expect(definition.steps.map(\.approverRole) == [role])
            let events = Scenario(WorkflowDefinition.self).when(WorkflowDefinition.defineCommand(definition))
            #expect(events == [.defined(WorkflowDefined(definition: definition))], "\(kind) defines as is")
        }
        #expect(Set(WorkflowSubjectKind.allCases.map(WorkflowDefinition.defaultID(for:))).count == WorkflowSubjectKind.allCases.count)
    }

    @Test func anAuthorUnderOrAtTheirLimitStartsNoWorkflowAndOverItStartsOne() throws {
        for limit in limits {
            for discount in [limit.maxPercent - 1, limit.maxPercent] {
                let (s, event) = created(draft(discount: discount), author: limit.role)
                #expect(s.state.status == .approved)
                let trigger = try #require(event)
                #expect(ApprovalRouting.start(after: trigger, definition: WorkflowDefinition.defaultQuoteApproval()) == nil, "\(limit.role) at \(discount)")
            }
        }
        let (_, event) = created(draft(discount: 16), author: "salesManager")
        let over = try #require(event)
        let start = try #require(ApprovalRouting.start(after: over, definition: WorkflowDefinition.defaultQuoteApproval()))
        let id = ApprovalRouting.instanceID(for: .quote, recordID: quoteID, revision: 1)
        #expect(start == ApprovalRouting.Routed(recordID: id, command: .start(
            id: id, subjectKind: .quote, subjectID: quoteID, submitter: "emp-author", definition: WorkflowDefinition.defaultQuoteApproval()), actor: "emp-author"))
    }

    /// Every approver role × under / at / over its limit (and a role without a limit): the workflow path ends
    /// exactly as the direct `Quote.approve` of part 2 — the same events, or a refusal in both.
    @Test(arguments: ["salesManager", "officeManager", "departmentManager", "salesRep"], [Decimal(14), 15, 16, 24, 25, 26, 34, 35])
    func theDefaultQuoteWorkflowReproducesTheDirectApproval(approver: String, discount: Decimal) throws {
        let (quote, event) = created(draft(discount: discount))
        #expect(quote.state.status == .pendingApproval)
        let direct = Result { () throws(DomainError) in try Quote.decide(.approve(approverRole: approver, limits: limits), state: quote.state, context: quote.context) }
        let viaWorkflow = approveThroughWorkflow(quote, trigger: try #require(event), approver: approver)
        switch (direct, viaWorkflow) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(approver) at \(discount)")
            #expect(a.count == 1)
        case (.failure(let a), .failure(let b)):
            #expect(a.field == "approverRole")
            #expect(b.code == .forbidden, "the workflow refuses the step to a role whose limit does not cover the quote")
        default:
            Issue.record("\(approver) at \(discount): direct \(direct), workflow \(viaWorkflow)")
        }
        let covers = limits.limit(for: approver).map { discount <= $0 } ?? false
        let succeeded = (try? direct.get()) != nil
        #expect(succeeded == covers)
    }

    @Test(arguments: ["salesManager", "officeManager", "departmentManager"])
    func theOverallDiscountDecidesOnTheWorkflowPathToo(approver: String) throws {
        // 10 % on the line then 10 % on the quote: 19 % overall.
        let (quote, event) = created(draft(discount: 10, quoteDiscount: 10))
        let trigger = try #require(event)
        let direct = try? Quote.decide(.approve(approverRole: approver, limits: limits), state: quote.state, context: quote.context)
        let viaWorkflow = try? approveThroughWorkflow(quote, trigger: trigger, approver: approver).get()
        #expect(direct == viaWorkflow)
        #expect((direct != nil) == (approver != "salesManager"))
    }

    @Test func theCoveringRoleIsTheHeldRoleWithTheSmallestSufficientLimit() {
        let d = draft(discount: 20)
        #expect(ApprovalRouting.coveringRole(among: ["departmentManager", "officeManager", "salesManager"], draft: d, limits: limits) == "officeManager")
        #expect(ApprovalRouting.coveringRole(among: ["salesManager", "salesRep"], draft: d, limits: limits) == nil)
        #expect(ApprovalRouting.quoteApproverRoles(["salesManager"], draft: d, limits: limits) == ["salesManager"])
        #expect(ApprovalRouting.quoteApproverRoles(["officeManager"], draft: d, limits: limits) == ["officeManager", WorkflowDefinition.quoteDiscountApprover])
    }
}

@Suite("Approval routing: outcomes")
struct ApprovalRoutingTests {
    @Test func aSendBackAtTheFirstStepSendsTheQuoteBackWithTheReasonAndTheRevisionStartsANewInstance() throws {
        let (quote, event) = created(draft(discount: 20))
        let instance = startedInstance(ApprovalRouting.start(after: try #require(event), definition: WorkflowDefinition.defaultQuoteApproval()))
        let roles = ApprovalRouting.quoteApproverRoles(["officeManager"], draft: draft(discount: 20), limits: limits)
        let events = instance.when(.sendBack(employee: "emp-2", roles: roles, reason: "too deep a discount"))
        let commands = routed(events, from: instance.state) { e, s in
            ApprovalRouting.quoteCommand(after: e, instance: s, currentRevision: 1, approverRole: "officeManager", limits: limits)
        }
        #expect(commands == [ApprovalRouting.Routed(recordID: quoteID, command: .sendBack(reason: "too deep a discount"), actor: "emp-2")])
        var q = quote
        q.context.actor = "emp-2"
        let recorded = q.apply(try #require(commands.first).command)
        #expect(recorded == [.sentBack(QuoteSentBack(quoteID: quoteID, revision: 1, approver: "emp-2", reason: "too deep a discount"))])
        #expect(q.state.status == .sentBack)
        #expect(q.state.reason == "too deep a discount")

        q.context.actor = "emp-author"
        let revised = q.apply(.revise(draft: draft(discount: 18), authorRole: "salesRep", limits: limits))
        let revision2 = try #require(revised.first)
        let restart = try #require(ApprovalRouting.start(after: revision2, definition: WorkflowDefinition.defaultQuoteApproval()))
        #expect(restart.recordID == ApprovalRouting.instanceID(for: .quote, recordID: quoteID, revision: 2))
        #expect(restart.recordID != instance.state.instanceID)
    }

    @Test func anInstanceForAReplacedQuoteRevisionRoutesNothing() throws {
        let (quote, event) = created(draft(discount: 20))
        var stale = startedInstance(ApprovalRouting.start(after: try #require(event), definition: WorkflowDefinition.defaultQuoteApproval()))
        var q = quote
        q.apply(.revise(draft: draft(discount: 22), authorRole: "salesRep", limits: limits))
        let roles = ApprovalRouting.quoteApproverRoles(["officeManager"], draft: draft(discount: 20), limits: limits)
        let events = stale.apply(.approve(employee: "emp-2", roles: roles, comment: nil))
        #expect(stale.state.status == .completed)
        let commands = routed(events, from: Scenario(WorkflowInstance.self, given: [], actor: "x").state) { e, _ in
            ApprovalRouting.quoteCommand(after: e, instance: stale.state, currentRevision: 2, approverRole: "officeManager", limits: limits)
        }
        #expect(commands.isEmpty)
    }

    @Test func aTwoStepContractDefinitionRoutesOnlyAfterTheLastStep() throws {
        let (submitted, event) = submittedContract()
        var contract = submitted
        let start = ApprovalRouting.start(after: try #require(event), version: 2, definition: twoStepContract)
        #expect(start?.recordID == ApprovalRouting.instanceID(for: .contract, recordID: contractID, revision: 2))
        #expect(start?.actor == "emp-7")
        var instance = startedInstance(start)

        let first = instance.apply(.approve(employee: "emp-legal", roles: ["legal"], comment: "clauses fine"))
        #expect(routed(first, from: Scenario(WorkflowInstance.self).state) { e, _ in ApprovalRouting.contractCommand(after: e, instance: instance.state) }.isEmpty)
        #expect(instance.state.status == .running)
        #expect(contract.state.status == .pendingApproval)

        let before = instance.state
        let last = instance.apply(.approve(employee: "emp-dir", roles: ["director"], comment: "go ahead"))
        let commands = routed(last, from: before, ApprovalRouting.contractCommand(after:instance:))
        #expect(commands == [ApprovalRouting.Routed(recordID: contractID, command: .approve(note: "go ahead"), actor: "emp-dir")])

        contract.context.actor = try #require(commands.first).actor
        let recorded = contract.apply(try #require(commands.first).command)
        #expect(recorded == [.approved(ContractApproved(contractID: contractID, by: "emp-dir", at: t0, note: "go ahead"))])
        #expect(contract.state.status == .approved)
        #expect(contract.state.approvedBy == "emp-dir")
    }

    @Test func aSendBackAtTheSecondStepStaysInTheWorkflowAndAtTheFirstSendsTheContractBack() throws {
        let (submitted, event) = submittedContract()
        var contract = submitted
        var instance = startedInstance(ApprovalRouting.start(after: try #require(event), version: 2, definition: twoStepContract))
        instance.apply(.approve(employee: "emp-legal", roles: ["legal"], comment: nil))

        var before = instance.state
        let toLegal = instance.apply(.sendBack(employee: "emp-dir", roles: ["director"], reason: "check the renewal clause"))
        #expect(routed(toLegal, from: before, ApprovalRouting.contractCommand(after:instance:)).isEmpty)
        #expect(instance.state.currentStepIndex == 0)

        before = instance.state
        let toSubmitter = instance.apply(.sendBack(employee: "emp-legal", roles: ["legal"], reason: "renewal clause missing"))
        let commands = routed(toSubmitter, from: before, ApprovalRouting.contractCommand(after:instance:))
        #expect(commands == [ApprovalRouting.Routed(recordID: contractID, command: .sendBack(reason: "renewal clause missing"), actor: "emp-legal")])
        contract.context.actor = "emp-legal"
        contract.apply(try #require(commands.first).command)
        #expect(contract.state.status == .negotiating)
        #expect(contract.state.sentBackReason == "renewal clause missing")

        // Submitted again (stream version 4): a new instance, with its own id.
        contract.context.actor = "emp-7"
        let again = contract.apply(.submitForApproval)
        let restart = ApprovalRouting.start(after: try #require(again.first), version: 4, definition: twoStepContract)
        #expect(restart?.recordID == ApprovalRouting.instanceID(for: .contract, recordID: contractID, revision: 4))
        #expect(restart?.recordID != instance.state.instanceID)
    }

    @Test func theDefaultCampaignWorkflowApprovesOrSendsBackLikePartTwo() throws {
        let (campaign, event) = submittedCampaign()
        let trigger = try #require(event)
        let definition = WorkflowDefinition.defaultCampaignApproval()

        var approving = startedInstance(ApprovalRouting.start(after: trigger, version: 2, definition: definition))
        #expect(approving.whenRefused(.approve(employee: "emp-9", roles: ApprovalRouting.approverRoles(["marketing"], for: .campaign, mayApprove: false), comment: nil))?.code == .forbidden)
        let before = approving.state
        let events = approving.apply(.approve(employee: "mgr-1", roles: ApprovalRouting.approverRoles(["marketing"], for: .campaign, mayApprove: true), comment: "ok"))
        let approve = try #require(routed(events, from: before, ApprovalRouting.campaignCommand(after:instance:)).first)
        #expect(approve == ApprovalRouting.Routed(recordID: campaignID, command: .approve(note: "ok"), actor: "mgr-1"))
        var direct = campaign
        direct.context.actor = "mgr-1"
        #expect(direct.when(approve.command) == direct.when(.approve(note: "ok")))
        direct.apply(approve.command)
        #expect(direct.state.status == .approved)
        #expect(direct.state.approvedBy == "mgr-1")

        var rejecting = startedInstance(ApprovalRouting.start(after: trigger, version: 2, definition: definition))
        let rejected = rejecting.apply(.reject(employee: "mgr-1", roles: [WorkflowDefinition.campaignApprover], reason: "budget too high"))
        let sendBack = try #require(routed(rejected, from: Scenario(WorkflowInstance.self).state) { e, _ in
            ApprovalRouting.campaignCommand(after: e, instance: rejecting.state)
        }.first)
        #expect(sendBack == ApprovalRouting.Routed(recordID: campaignID, command: .sendBack(reason: "budget too high"), actor: "mgr-1"))
        var back = campaign
        back.apply(sendBack.command)
        #expect(back.state.status == .planned)
        #expect(back.state.sentBackReason == "budget too high")
    }

    @Test func aDelegateOfTheDefaultContractStepApprovesTheContractAsThemself() throws {
        let (_, event) = submittedContract()
        var instance = startedInstance(ApprovalRouting.start(after: try #require(event), version: 2, definition: WorkflowDefinition.defaultContractApproval()))
        instance.apply(.delegate(employee: "mgr-1", roles: ApprovalRouting.approverRoles([], for: .contract, mayApprove: true), to: "emp-deputy"))
        let before = instance.state
        let events = instance.apply(.approve(employee: "emp-deputy", roles: [], comment: nil))
        #expect(routed(events, from: before, ApprovalRouting.contractCommand(after:instance:))
                == [ApprovalRouting.Routed(recordID: contractID, command: .approve(note: nil), actor: "emp-deputy")])
    }

    @Test func eventsThatDecideNothingAndOtherSubjectsRouteNothing() throws {
        let (_, event) = submittedContract()
        var instance = startedInstance(ApprovalRouting.start(after: try #require(event), version: 2, definition: WorkflowDefinition.defaultContractApproval()))
        let roles = [WorkflowDefinition.contractApprover]
        var decisions = instance.apply(.delegate(employee: "mgr-1", roles: roles, to: "emp-deputy"))
        decisions += instance.apply(.escalateIfLate(at: t0.addingTimeInterval(49 * 3600)))
        #expect(decisions.count == 2)
        for e in decisions {
            #expect(ApprovalRouting.outcome(of: e, instance: instance.state) == nil)
            #expect(ApprovalRouting.contractCommand(after: e, instance: instance.state) == nil)
        }
        // A completed contract instance means nothing to a quote or a campaign.
        let completed = WorkflowEvent.completed(WorkflowCompleted(subjectKind: .contract, subjectID: contractID, at: t0))
        var done = startedInstance(ApprovalRouting.start(after: try #require(event), version: 2, definition: WorkflowDefinition.defaultContractApproval()))
        done.apply(.approve(employee: "mgr-1", roles: roles, comment: nil))
        #expect(ApprovalRouting.contractCommand(after: completed, instance: done.state) != nil)
        #expect(ApprovalRouting.campaignCommand(after: completed, instance: done.state) == nil)
        #expect(ApprovalRouting.quoteCommand(after: completed, instance: done.state, currentRevision: 2, approverRole: "officeManager", limits: limits) == nil)
        // A definition for another kind of subject starts nothing; other record events start nothing.
        #expect(ApprovalRouting.start(after: try #require(event), version: 2, definition: WorkflowDefinition.defaultQuoteApproval()) == nil)
        #expect(ApprovalRouting.start(after: ContractEvent.activated(ContractActivated(contractID: contractID, by: "e", at: t0)), version: 3,
                                      definition: WorkflowDefinition.defaultContractApproval()) == nil)
    }

    @Test func routingIsDeterministic() throws {
        let (_, quoteEvent) = created(draft(discount: 20))
        let (_, contractEvent) = submittedContract()
        let (_, campaignEvent) = submittedCampaign()
        let q = try #require(quoteEvent), c = try #require(contractEvent), m = try #require(campaignEvent)
        let quoteStarts = (0..<2).map { _ in ApprovalRouting.start(after: q, definition: WorkflowDefinition.defaultQuoteApproval()) }
        let contractStarts = (0..<2).map { _ in ApprovalRouting.start(after: c, version: 2, definition: WorkflowDefinition.defaultContractApproval()) }
        let campaignStarts = (0..<2).map { _ in ApprovalRouting.start(after: m, version: 2, definition: WorkflowDefinition.defaultCampaignApproval()) }
        for starts in [quoteStarts, contractStarts, campaignStarts] {
            #expect(starts[0] != nil)
            #expect(starts[0] == starts[1])
            guard case .start(let id, _, _, _, _)? = starts[0]?.command else { Issue.record("expected a start"); continue }
            #expect(id == starts[0]?.recordID)
        }
        #expect(ApprovalRouting.start(after: c, version: 3, definition: WorkflowDefinition.defaultContractApproval())?.recordID != contractStarts[0]?.recordID)
        #expect(Set([quoteID, contractID, campaignID].map { ApprovalRouting.instanceID(for: .contract, recordID: $0, revision: 2) }).count == 3)
        #expect(ApprovalRouting.instanceID(for: .contract, recordID: contractID, revision: 2) != ApprovalRouting.instanceID(for: .campaign, recordID: contractID, revision: 2))

        var instance = startedInstance(contractStarts[0])
        let before = instance.state
        let events = instance.apply(.approve(employee: "mgr-1", roles: [WorkflowDefinition.contractApprover], comment: nil))
        let once = routed(events, from: before, ApprovalRouting.contractCommand(after:instance:))
        let twice = routed(events, from: before, ApprovalRouting.contractCommand(after:instance:))
        #expect(once.count == 1)
        #expect(once == twice)
    }

    @Test func aDefinitionChangeDoesNotChangeARunningInstance() throws {
        var definition = Scenario(WorkflowDefinition.self)
        definition.apply(WorkflowDefinition.defineCommand(WorkflowDefinition.defaultContractApproval()))
        let (contract, event) = submittedContract()
        let trigger = try #require(event)
        var running = startedInstance(ApprovalRouting.start(after: trigger, version: 2, definition: try #require(definition.state.current)))

        definition.apply(.revise(name: "Contract approval", steps: twoStepContract.steps))
        let v2 = try #require(definition.state.current)
        #expect(v2.version == 2)

        // The running instance keeps version 1: one approval by a contract approver completes it.
        #expect(running.state.definition == WorkflowDefinition.defaultContractApproval())
        let before = running.state
        let events = running.apply(.approve(employee: "mgr-1", roles: [WorkflowDefinition.contractApprover], comment: nil))
        let commands = routed(events, from: before, ApprovalRouting.contractCommand(after:instance:))
        #expect(commands == [ApprovalRouting.Routed(recordID: contractID, command: .approve(note: nil), actor: "mgr-1")])
        var approved = contract
        approved.context.actor = "mgr-1"
        approved.apply(try #require(commands.first).command)
        #expect(approved.state.status == .approved)

        // A later submission starts on version 2 and needs both steps.
        var later = startedInstance(ApprovalRouting.start(after: trigger, version: 4, definition: v2))
        #expect(later.state.definition?.version == 2)
        #expect(later.whenRefused(.approve(employee: "mgr-1", roles: [WorkflowDefinition.contractApprover], comment: nil))?.code == .forbidden)
        let first = later.apply(.approve(employee: "emp-legal", roles: ["legal"], comment: nil))
        #expect(routed(first, from: Scenario(WorkflowInstance.self).state) { e, _ in ApprovalRouting.contractCommand(after: e, instance: later.state) }.isEmpty)
    }
}
