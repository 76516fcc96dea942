import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A workflow decision is judged on what it carries to its subject, and on who may decide: a decision that
/// would end an instance with an outcome its subject refuses is refused before anything is written; a quote's
/// step is decided in the symbolic approver role only by whoever may approve the quote itself (`approve` in
/// quotes over it, and a covering discount limit); a step is delegated only to an employee who could decide it.
@Suite struct WorkflowDecisionGuardsTests {
    // MARK: helpers

    /// The roles of the scenario, all of branch `north`: `salesOwn` (quotes over their own records, 10 %),
    /// `northManager` (quotes with approve and everything in organisation over north, 20 %), `departmentManager`
    /// (organisation query/approve over all data, nothing in quotes, 35 %), `quoteApprover` (quotes query/approve
    /// over all data, no limit), `orgApprover` (organisation query/approve over north, no limit) and `agent`
    /// (organisation query over north).
    static let roles: [(name: String, permissions: [Permission], limit: Decimal?)] = [
        ("salesOwn", [Permission(module: .quotes, actions: [.query, .create, .edit], scope: .own)], 10),
        ("northManager", [Permission(module: .quotes, actions: [.query, .create, .edit, .approve], scope: .branch("north")),
                          Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("north"))], 20),
        ("departmentManager", [Permission(module: .organisation, actions: [.query, .approve], scope: .all)], 35),
        ("quoteApprover", [Permission(module: .quotes, actions: [.query, .approve], scope: .all)], nil),
        ("orgApprover", [Permission(module: .organisation, actions: [.query, .approve], scope: .branch("north"))], nil),
        ("agent", [Permission(module: .organisation, actions: [.query], scope: .branch("north"))], nil),
    ]

    /// A fixture with the scenario's roles defined, their discount limits set and the catalog's meter.
    static func fixture(_ label: String) async throws -> EngineFixture {
        let f = try await EngineFixture.make(label)
        for role in roles {
            let roleID = UUID.derived("role", role.name)
            try await f.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: role.name, permissions: role.permissions),
                                                                                 grantor: .none), as: f.admin)
            if let limit = role.limit { try await setLimit(f, role.name, limit) }
        }
        try await f.meterProduct()
        return f
    }

    static func setLimit(_ f: EngineFixture, _ role: String, _ percent: Decimal) async throws {
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: percent)), as: f.admin)
    }

    /// Hires `name` in branch north holding `roles` (of ``roles``).
    static func employee(_ f: EngineFixture, _ name: String, _ roles: [String]) async throws -> Principal {
        let id = UUID.derived("employee", name)
        try await f.engine.execute(Organisation.self, id: id, .hire(NewEmployee(
            id: id, name: name, position: "staff", branch: "north", hiredOn: try EngineFixture.day("2024-01-01"))), as: f.admin)
        for role in roles {
            try await f.engine.execute(Organisation.self, id: UUID(), .grantRole(grantID: UUID.derived("grant", name, role), employeeID: id,
                                                                                roleID: UUID.derived("role", role), validity: .always, grantor: .none), as: f.admin)
        }
        return try await f.engine.principal(employeeID: id)
    }

    /// A quote of a north customer owned by `author` (a `salesOwn` employee) at `percent` discount, over the
    /// author's limit: it waits in its workflow instance once the reactions settled.
    static func waitingQuote(_ f: EngineFixture, by author: Principal, percent: Decimal) async throws -> (quote: UUID, instance: UUID) {
        let customer = try await f.customer("Customer of north", branch: "north", owner: author.id)
        let quote = UUID.derived("quote", "guarded")
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = percent
        let created = try await f.engine.execute(Quote.self, id: quote, .create(
            quoteID: quote, customerID: customer, customerCode: "NORTH", date: try EngineFixture.day("2026-01-02"), sequence: 1,
            draft: draft, authorRole: "salesOwn", limits: []), as: author)
        try await WorkflowSubjectTests.settled(f, after: created.position)
        let instance = ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 1)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .pendingApproval)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .running)
        return (quote, instance)
    }

    static func head(_ f: EngineFixture) async throws -> GlobalPosition { try await f.engine.store.headPosition() }

    // MARK: the outcome its subject must accept

    /// The tester's case: a step delegated to Otto (organisation approve over north, and approve in quotes) while
    /// his role's limit covered the quote; the limit lowered since, his approval would complete the workflow with a
    /// quote approval the quote refuses — so it is refused, nothing written, and the quote still waits for Dora.
    @Test func anApprovalThatWouldCompleteTheWorkflowWithAnOutcomeTheQuoteRefusesIsRefusedAndWritesNothing() async throws {
        let f = try await Self.fixture("decision-guard-quote-outcome")
        let sam = try await Self.employee(f, "Sam", ["salesOwn"])
        let dora = try await Self.employee(f, "Dora", ["departmentManager", "quoteApprover"])
        let otto = try await Self.employee(f, "Otto", ["orgApprover", "quoteApprover"])
        try await Self.setLimit(f, "orgApprover", 30)
        let (quote, instance) = try await Self.waitingQuote(f, by: sam, percent: 30)
        let delegated = try await f.engine.execute(WorkflowInstance.self, id: instance, .delegate(employee: "", roles: [], to: otto.id), as: dora)
        try await WorkflowSubjectTests.settled(f, after: delegated.position)
        try await Self.setLimit(f, "orgApprover", 5)

        let head = try await Self.head(f)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: "fine"), as: otto)
        }
        #expect(refused?.code == .rejected && refused?.field == "approverRole", "\(String(describing: refused))")
        #expect(try await Self.head(f) == head, "nothing written")
        let waiting = try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state
        #expect(waiting.status == .running && waiting.delegate == otto.id && waiting.approvals.isEmpty)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .pendingApproval)
        // The dry run judged the outcome only: it recorded no quote approval either.
        #expect(try await f.engine.store.readStream(Quote.stream(quote)).allSatisfy { $0.type != QuoteApproved.eventType })

        // Dora, whose limit covers it and who may approve quotes, still decides it: the quote is approved as hers.
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: "fine"), as: dora)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .completed)
        let approvedQuote = try await f.engine.state(Quote.self, id: quote, as: f.admin).state
        #expect(approvedQuote.status == .approved && approvedQuote.approval?.approver == dora.id)
        await f.close()
    }

    /// A contract approved directly while its instance still waits (no reactor ran to close it): approving,
    /// sending back or rejecting the instance would carry an outcome the contract refuses — each is refused,
    /// nothing written, and the instance is left for the close the reactor records.
    @Test func aDecisionWhoseOutcomeTheContractRefusesIsRefusedAndWritesNothing() async throws {
        let w = try await WorkflowSubjectTests.world("decision-guard-contract-outcome")
        try await w.f.engine.reactionsSettled(upTo: try await Self.head(w.f))
        await w.f.closeEngine()
        let quiet = try await CRMEngine.open(at: w.f.directory, configuration: .init(clock: w.f.clock, durability: .noSync, reactions: []))
        defer { try? FileManager.default.removeItem(atPath: w.f.directory) }
        #expect(try await quiet.state(WorkflowInstance.self, id: w.instance, as: w.mia).state.status == .running)
        try await quiet.execute(Contract.self, id: w.contract, .approve(note: "signed directly"), as: w.mia)

        let head = try await quiet.store.headPosition()
        let decisions: [(String, WorkflowInstance.Command)] = [
            ("approve", .approve(employee: "", roles: [], comment: nil)),
            ("send back", .sendBack(employee: "", roles: [], reason: "check the term")),
            ("reject", .reject(employee: "", roles: [], reason: "no")),
        ]
        for (label, decision) in decisions {
            let refused = await #expect(throws: EngineError.self, "\(label)") {
                try await quiet.execute(WorkflowInstance.self, id: w.instance, decision, as: w.anna)
            }
            #expect(refused?.code == .rejected && refused?.domain?.code == .invalidTransition, "\(label): \(String(describing: refused))")
        }
        #expect(try await quiet.store.headPosition() == head, "nothing written")
        #expect(try await quiet.state(WorkflowInstance.self, id: w.instance, as: w.mia).state.status == .running)
        await quiet.close()
    }

    // MARK: who decides a quote's step

    /// Dora (departmentManager: organisation query/approve, nothing in quotes) holds a limit covering the quote
    /// but may not approve quotes: the step is not hers — not in her inbox, hidden as the quote is, her approval
    /// refused as for a record she may not see. Dana, holding `quoteApprover` too, decides it.
    @Test func aQuotesStepIsDecidedInTheApproverRoleOnlyByWhoMayApproveTheQuoteItself() async throws {
        let f = try await Self.fixture("decision-guard-quote-rights")
        let sam = try await Self.employee(f, "Sam", ["salesOwn"])
        let dora = try await Self.employee(f, "Dora", ["departmentManager"])
        let dana = try await Self.employee(f, "Dana", ["departmentManager", "quoteApprover"])
        let (quote, instance) = try await Self.waitingQuote(f, by: sam, percent: 30)

        let quoteHidden = await #expect(throws: EngineError.self) { try await f.engine.state(Quote.self, id: quote, as: dora) }
        #expect(quoteHidden?.code == .notFound)
        #expect(try await WorkflowSubjectTests.pending(f, dora).isEmpty, "not in her inbox")
        let instanceHidden = await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: dora) }
        #expect(instanceHidden?.code == .notFound)
        let head = try await Self.head(f)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: dora)
        }
        #expect(refused?.code == .notFound, "\(String(describing: refused))")
        #expect(try await Self.head(f) == head, "nothing written")
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .pendingApproval)

        #expect(try await WorkflowSubjectTests.pending(f, dana) == [instance])
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: dana)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        let approvedQuote = try await f.engine.state(Quote.self, id: quote, as: f.admin).state
        #expect(approvedQuote.status == .approved && approvedQuote.approval?.approver == dana.id)
        await f.close()
    }

    // MARK: delegation

    /// Mona (northManager, 20 %) decides a 15 % quote. She may not hand it to Ann (organisation query only: she
    /// could not approve it) nor to Otto (organisation approve over north and approve in quotes, but no limit
    /// covering the quote: the quote would refuse his approval) — each refused `invalid` on `to`, nothing written,
    /// the step still in Mona's inbox. Once Otto's role has a covering limit, it is delegated to him and his
    /// approval approves it.
    @Test func aStepIsDelegatedOnlyToAnEmployeeWhoCouldDecideIt() async throws {
        let f = try await Self.fixture("decision-guard-delegation")
        let sam = try await Self.employee(f, "Sam", ["salesOwn"])
        let mona = try await Self.employee(f, "Mona", ["northManager"])
        let ann = try await Self.employee(f, "Ann", ["agent"])
        let otto = try await Self.employee(f, "Otto", ["orgApprover", "quoteApprover"])
        let (quote, instance) = try await Self.waitingQuote(f, by: sam, percent: 15)
        #expect(try await WorkflowSubjectTests.pending(f, mona) == [instance])

        let head = try await Self.head(f)
        for delegate in [ann, otto] {
            let refused = await #expect(throws: EngineError.self, "\(delegate.id)") {
                try await f.engine.execute(WorkflowInstance.self, id: instance, .delegate(employee: "", roles: [], to: delegate.id), as: mona)
            }
            #expect(refused?.code == .invalid && refused?.field == "to", "\(String(describing: refused))")
        }
        #expect(try await Self.head(f) == head, "nothing written")
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.delegate == nil)
        #expect(try await WorkflowSubjectTests.pending(f, mona) == [instance], "still Mona's")
        #expect(try await WorkflowSubjectTests.pending(f, ann).isEmpty)

        try await Self.setLimit(f, "orgApprover", 20)
        let delegated = try await f.engine.execute(WorkflowInstance.self, id: instance, .delegate(employee: "", roles: [], to: otto.id), as: mona)
        try await WorkflowSubjectTests.settled(f, after: delegated.position)
        let pending = try await f.engine.approvalInbox(as: otto, consistentWith: try await Self.head(f)).pending
        #expect(pending.map(\.instance.instanceID) == [instance] && pending.first?.asDelegate == true)
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: otto)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        let approvedQuote = try await f.engine.state(Quote.self, id: quote, as: f.admin).state
        #expect(approvedQuote.status == .approved && approvedQuote.approval?.approver == otto.id)
        await f.close()
    }
}
