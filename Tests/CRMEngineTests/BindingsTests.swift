import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Data scope for the bindings of part 2 and 3 aggregates, table-driven like ``ScopeTests``: every case
/// prepares its record as the administrator, then an employee with every right over branch A is refused
/// (not found or forbidden) and writes nothing, while branch B's employee (for records of branch B's
/// customers or branch) or the administrator (for global records) succeeds — so the table can fail.
@Suite struct ScopeTestsPart2 {
    enum Allowed: Sendable { case branchB, admin }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let allowed: Allowed
        /// Run as the administrator before the check: whatever the command needs to exist.
        var setup: @Sendable (CRMEngine, UUID, Principal) async throws -> Void = { _, _, _ in }
        let run: @Sendable (CRMEngine, UUID, Principal) async throws -> Void
        var testDescription: String { name }
    }

    static func n(_ label: String, _ customer: UUID) -> UUID { UUID.derived(label, customer.uuidString) }
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }  // literals of the tests only
    static let at = Date(timeIntervalSince1970: 1_767_300_000)

    static let draft = QuoteDraft(lines: [QuoteLine(productID: UUID.derived("product", "meter"), productName: "Meter", unitPrice: Money(100, .cny), quantity: 2)])
    static func createQuote(_ e: CRMEngine, _ c: UUID, _ p: Principal, label: String = "quote", role: String) async throws {
        let id = n(label, c)
        try await e.execute(Quote.self, id: id, .create(quoteID: id, customerID: c, customerCode: "CB", date: day("2026-01-02"),
                                                        sequence: label == "quote" ? 1 : 2, draft: draft, authorRole: role, limits: []), as: p)
    }
    /// A quote the customer accepted: what a contract is drafted from.
    static func createAcceptedQuote(_ e: CRMEngine, _ c: UUID, _ p: Principal) async throws {
        try await createQuote(e, c, p, role: "Administrator")
        try await e.execute(Quote.self, id: n("quote", c), .accept, as: p)
    }
    static let lines = [Contract.Line(productID: UUID.derived("product", "meter"), name: "Meter", quantity: 2, unitPrice: Money(100, .cny))]
    static let terms = Contract.Terms(effective: day("2026-02-01"), serviceStart: day("2026-02-01"), expiry: day("2027-01-31"))
    static func entry(_ id: UUID, _ c: UUID) -> RevenueLedger.Entry {
        RevenueLedger.Entry(id: id, customerID: c, chargeItem: "monthly fee", businessLine: "gas", date: day("2026-01-05"), amount: Money(80, .cny))
    }
    static func accrue(_ c: UUID, _ ref: String) -> LoyaltyAccount.Command {
        .accrue(customerID: c, points: 50, source: .manual, sourceReference: ref, reason: "goodwill", earnedOn: day("2026-01-01"), expiresOn: nil)
    }
    static let steps = [WorkflowStep(name: "Check", approverRole: "Administrator", deadlineHours: 48, reminderLeadHours: 4, escalateTo: .role("Administrator"))]
    static func defineWorkflow(_ e: CRMEngine, _ c: UUID, _ p: Principal) async throws {
        let id = n("workflowdef", c)
        try await e.execute(WorkflowDefinition.self, id: id, .define(id: id, name: "Material check", kind: .materialRequest, steps: steps), as: p)
    }
    static func definition(_ c: UUID) -> WorkflowDefinitionVersion {
        // Deliberately not the recorded steps: the engine takes the recorded version.
        WorkflowDefinitionVersion(definitionID: n("workflowdef", c), version: 1, name: "forged", kind: .materialRequest, steps: [])
    }
    static let questions = [SurveyQuestion(id: "q1", prompt: "How satisfied are you?", kind: .rating, isRequired: true, scale: 5)]
    static let feedbackTemplate = FeedbackTemplate(name: "Weekly report", department: "service", fields: [FeedbackField(name: "summary", type: .text)])
    static func submitFeedback(_ e: CRMEngine, _ id: UUID, _ p: Principal, reviewer: String = admin) async throws {
        try await e.execute(FeedbackForm.self, id: id, .submit(id: id, template: feedbackTemplate, submittedBy: p.id, reporter: p.id, reviewer: reviewer,
                                                               branch: "B", values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: p)
    }

    static let cases: [Case] = [
        Case(name: "quote create", allowed: .branchB) { e, c, p in
            try await createQuote(e, c, p, label: "quote-2", role: p.id == admin ? "Administrator" : "role of Bob") },
        Case(name: "quote send", allowed: .branchB, setup: { e, c, p in try await createQuote(e, c, p, role: "Administrator") }) { e, c, p in
            try await e.execute(Quote.self, id: n("quote", c), .send, as: p) },
        Case(name: "contract draft", allowed: .branchB, setup: { e, c, p in try await createAcceptedQuote(e, c, p) }) { e, c, p in
            let id = n("contract", c)
            try await e.execute(Contract.self, id: id, .draft(id: id, customerID: c, owner: p.id, branch: "B", title: "Supply", quoteID: n("quote", c),
                                                              quoteNumber: "forged", lines: lines, terms: terms), as: p) },
        Case(name: "contract negotiation", allowed: .branchB, setup: { e, c, p in
            try await createAcceptedQuote(e, c, p)
            let id = n("contract", c)
            try await e.execute(Contract.self, id: id, .draft(id: id, customerID: c, owner: p.id, branch: "B", title: "Supply", quoteID: n("quote", c),
                                                              quoteNumber: "", lines: lines, terms: terms), as: p)
        }) { e, c, p in try await e.execute(Contract.self, id: n("contract", c), .recordNegotiation(note: "Asked for a longer term"), as: p) },
        Case(name: "product create", allowed: .admin) { e, c, p in
            let id = n("product", c)
            try await e.execute(Product.self, id: id, .create(productID: id, productLine: "meters", name: "Smart meter", standardPrice: Money(300, .cny)), as: p) },
        Case(name: "product edit", allowed: .admin, setup: { e, c, p in
            let id = n("product", c)
            try await e.execute(Product.self, id: id, .create(productID: id, productLine: "meters", name: "Smart meter", standardPrice: Money(300, .cny)), as: p)
        }) { e, c, p in
            try await e.execute(Product.self, id: n("product", c), .edit(productLine: "meters", name: "Smart meter 2", standardPrice: Money(320, .cny)), as: p) },
        Case(name: "revenue record", allowed: .branchB) { e, c, p in
            try await e.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: c), .record(entry(n("entry", c), c)), as: p) },
        Case(name: "revenue reverse", allowed: .branchB, setup: { e, c, p in
            try await e.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: c), .record(entry(n("entry", c), c)), as: p)
        }) { e, c, p in
            try await e.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: c), .reverse(entryID: n("entry", c), reversalID: n("reversal", c), reason: "billed twice"), as: p) },
        Case(name: "loyalty accrue", allowed: .branchB) { e, c, p in try await e.execute(LoyaltyAccount.self, id: c, accrue(c, "goodwill-1"), as: p) },
        Case(name: "loyalty redeem", allowed: .branchB, setup: { e, c, p in try await e.execute(LoyaltyAccount.self, id: c, accrue(c, "goodwill-0"), as: p) }) { e, c, p in
            try await e.execute(LoyaltyAccount.self, id: c, .redeem(redemptionID: n("redemption", c), points: 10, reason: "gift", on: day("2026-01-01")), as: p) },
        Case(name: "campaign plan", allowed: .admin) { e, c, p in
            let id = n("campaign", c)
            try await e.execute(Campaign.self, id: id, .plan(id: id, name: "Spring", objective: "Renewals", owner: p.id, budget: Money(5000, .cny),
                                                             start: day("2026-03-01"), end: day("2026-04-30")), as: p) },
        Case(name: "campaign change plan", allowed: .admin, setup: { e, c, p in
            let id = n("campaign", c)
            try await e.execute(Campaign.self, id: id, .plan(id: id, name: "Spring", objective: "Renewals", owner: p.id, budget: Money(5000, .cny),
                                                             start: day("2026-03-01"), end: day("2026-04-30")), as: p)
        }) { e, c, p in
            try await e.execute(Campaign.self, id: n("campaign", c), .changePlan(name: "Spring+", objective: "Renewals", budget: Money(6000, .cny),
                                                                                start: day("2026-03-01"), end: day("2026-04-30")), as: p) },
        Case(name: "diary add item", allowed: .admin) { e, c, p in
            try await e.execute(Diary.self, id: adminID, .addItem(Diary.Item(id: n("item", c), date: day("2026-01-09"), note: "Call the notary")), as: p) },
        Case(name: "diary subscribe", allowed: .admin) { e, c, p in
            try await e.execute(Diary.self, id: adminID, .subscribe(Diary.Subscription(kind: .birthday, leadDays: 3)), as: p) },
        Case(name: "workflow define", allowed: .admin) { e, c, p in try await defineWorkflow(e, c, p) },
        Case(name: "workflow revise", allowed: .admin, setup: defineWorkflow) { e, c, p in
            try await e.execute(WorkflowDefinition.self, id: n("workflowdef", c), .revise(name: "Material check v2", steps: steps), as: p) },
        Case(name: "workflow start", allowed: .admin, setup: defineWorkflow) { e, c, p in
            let id = n("workflow", c)
            try await e.execute(WorkflowInstance.self, id: id, .start(id: id, subjectKind: .materialRequest, subjectID: c, submitter: p.id, definition: definition(c)), as: p) },
        Case(name: "workflow cancel", allowed: .admin, setup: { e, c, p in
            try await defineWorkflow(e, c, p)
            let id = n("workflow", c)
            try await e.execute(WorkflowInstance.self, id: id, .start(id: id, subjectKind: .materialRequest, subjectID: c, submitter: p.id, definition: definition(c)), as: p)
        }) { e, c, p in try await e.execute(WorkflowInstance.self, id: n("workflow", c), .cancel(employee: "someone", reason: "not needed"), as: p) },
        Case(name: "announcement publish", allowed: .admin) { e, c, p in
            let id = n("announcement", c)
            try await e.execute(Announcement.self, id: id, .publish(announcementID: id, title: "Holiday", body: "Closed on Friday",
                                                                  targets: AnnouncementTargets(branches: ["B"]), expiresAt: nil), as: p) },
        Case(name: "announcement withdraw", allowed: .admin, setup: { e, c, p in
            let id = n("announcement", c)
            try await e.execute(Announcement.self, id: id, .publish(announcementID: id, title: "Holiday", body: "Closed on Friday",
                                                                  targets: AnnouncementTargets(branches: ["B"]), expiresAt: nil), as: p)
        }) { e, c, p in try await e.execute(Announcement.self, id: n("announcement", c), .withdraw(reason: "wrong date"), as: p) },
        Case(name: "board start", allowed: .admin) { e, c, p in
            let id = n("thread", c)
            try await e.execute(BoardThread.self, id: id, .start(threadID: id, title: "Canteen", BoardThread.Draft(postID: n("post", c), author: "x", authorName: "x", body: "Soup?"), words: []), as: p) },
        Case(name: "board reply", allowed: .admin, setup: { e, c, p in
            let id = n("thread", c)
            try await e.execute(BoardThread.self, id: id, .start(threadID: id, title: "Canteen", BoardThread.Draft(postID: n("post", c), author: "x", authorName: "x", body: "Soup?"), words: []), as: p)
        }) { e, c, p in
            try await e.execute(BoardThread.self, id: n("thread", c), .reply(BoardThread.Draft(postID: n("reply", c), author: "x", authorName: "x", body: "Yes"), words: []), as: p) },
        Case(name: "sensitive word add", allowed: .admin) { e, c, p in
            try await e.execute(SensitiveWordList.self, id: c, .add(SensitiveWord(word: "spam-\(c.uuidString.prefix(4))", action: .flag)), as: p) },
        Case(name: "sensitive word remove", allowed: .admin, setup: { e, c, p in
            try await e.execute(SensitiveWordList.self, id: c, .add(SensitiveWord(word: "spam", action: .flag)), as: p)
        }) { e, c, p in try await e.execute(SensitiveWordList.self, id: c, .remove(word: "spam"), as: p) },
        Case(name: "survey template create", allowed: .admin) { e, c, p in
            let id = n("template", c)
            try await e.execute(SurveyTemplate.self, id: id, .create(templateID: id, title: "Satisfaction", questions: questions), as: p) },
        Case(name: "survey create from template", allowed: .admin, setup: { e, c, p in
            let id = n("template", c)
            try await e.execute(SurveyTemplate.self, id: id, .create(templateID: id, title: "Satisfaction", questions: questions), as: p)
        }) { e, c, p in
            let id = n("survey", c)
            try await e.execute(Survey.self, id: id, .create(surveyID: id, questionnaire: Questionnaire(templateID: n("template", c), templateVersion: 1, title: "forged", questions: [])), as: p) },
        Case(name: "survey distribute", allowed: .admin, setup: { e, c, p in
            let id = n("survey", c)
            try await e.execute(Survey.self, id: id, .create(surveyID: id, questionnaire: Questionnaire(title: "Ad hoc", questions: questions)), as: p)
        }) { e, c, p in try await e.execute(Survey.self, id: n("survey", c), .distribute(recipients: [SurveyRecipient(kind: .customer, id: c)]), as: p) },
        Case(name: "feedback submit", allowed: .branchB) { e, c, p in try await submitFeedback(e, n("feedback", c), p) },
        // The review the default feedback workflow started (the reactor settled first), decided on the form
        // by its named reviewer.
        Case(name: "feedback review", allowed: .branchB, setup: { e, c, p in
            try await submitFeedback(e, n("feedback", c), p, reviewer: employee("Bob"))
            try await e.reactionsSettled(upTo: try await e.store.headPosition())
        }) { e, c, p in
            let review = try await e.state(FeedbackForm.self, id: n("feedback", c), as: .system).state.workflowID
            try await e.execute(FeedbackForm.self, id: n("feedback", c), .markReviewed(workflowID: try #require(review)), as: p) },
        Case(name: "new connection open", allowed: .branchB) { e, c, p in
            let id = n("connection", c)
            try await e.execute(NewConnection.self, id: id, .open(connectionID: id, customerID: c, address: "1 Main St", deadline: at, assignee: p.id), as: p) },
        Case(name: "new connection replan", allowed: .branchB, setup: { e, c, p in
            let id = n("connection", c)
            try await e.execute(NewConnection.self, id: id, .open(connectionID: id, customerID: c, address: "1 Main St", deadline: at, assignee: p.id), as: p)
        }) { e, c, p in try await e.execute(NewConnection.self, id: n("connection", c), .replan(deadline: at + 86_400, assignee: employee("Bob")), as: p) },
        Case(name: "maintenance pair", allowed: .branchB) { e, c, p in
            try await e.execute(MaintenancePairing.self, id: MaintenancePairing.id(customerID: c), .pair(customerID: c, agent: employee("Bob"), manager: admin), as: p) },
        // The new agent must be able to work on the customer: Carol, of branch B with Bob's role.
        Case(name: "maintenance change agent", allowed: .branchB, setup: { e, c, p in
            let carol = UUID.derived("employee", "Carol")
            try await e.execute(Organisation.self, id: carol, .hire(NewEmployee(id: carol, name: "Carol", position: "staff", branch: "B",
                                                                                hiredOn: try EngineFixture.day("2024-01-01"))), as: p)
            try await e.execute(Organisation.self, id: UUID.derived("role", "Bob"), .grantRole(
                grantID: UUID.derived("grant", "Carol"), employeeID: carol, roleID: UUID.derived("role", "Bob"), validity: .always, grantor: .none), as: p)
            try await e.execute(MaintenancePairing.self, id: MaintenancePairing.id(customerID: c), .pair(customerID: c, agent: employee("Bob"), manager: admin), as: p)
        }) { e, c, p in
            try await e.execute(MaintenancePairing.self, id: MaintenancePairing.id(customerID: c), .changeAgent(newAgent: employee("Carol"), reason: nil), as: p) },
    ]

    static let adminID = UUID.derived("employee", "admin")
    static let admin = adminID.uuidString.lowercased()
    /// The id of an employee the fixture hires by `name` (named assignees and owners must be employees).
    static func employee(_ name: String) -> String { UUID.derived("employee", name).lowercasedString }

    @Test(arguments: cases)
    func anEmployeeOfBranchACannotChangeBranchBsRecords(_ c: Case) async throws {
        let f = try await EngineFixture.make("scope2")
        let a = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let b = try await f.hire("Bob", branch: "B", permissions: ScopeTests.allRightsB)
        let customerB = try await f.customer("Customer of B", branch: "B")
        try await f.meterProduct()
        try await c.setup(f.engine, customerB, f.admin)
        let head = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) { try await c.run(f.engine, customerB, a) }
        #expect(error?.code == .notFound || error?.code == .forbidden, "\(c.name): \(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head, "\(c.name) wrote events")
        // The same command is allowed to branch B's employee, or to the administrator for global records.
        try await c.run(f.engine, customerB, c.allowed == .branchB ? b : f.admin)
        #expect(try await f.engine.store.headPosition() > head)
        await f.close()
    }
}

/// What the bindings fill in from the log instead of trusting the caller.
@Suite struct BindingsTests {
    @Test func aQuoteTakesItsDiscountLimitsFromTheSettingsAndClaimsItsNumber() async throws {
        let f = try await EngineFixture.make("quote")
        let c = try await f.customer("Acme", branch: "B")
        try await f.meterProduct()
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "Administrator", maxPercent: 5)), as: f.admin)
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 10
        let id = UUID.derived("quote", "1")
        // The caller's own generous limits are ignored: 10 % is over the administrator's recorded 5 %.
        try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: c, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"),
                                                               sequence: 1, draft: draft, authorRole: "Administrator",
                                                               limits: [DiscountLimit(role: "Administrator", maxPercent: 90)]), as: f.admin)
        let (state, _) = try await f.engine.state(Quote.self, id: id, as: f.admin)
        #expect(state.status == .pendingApproval && state.current?.authorLimit == 5)
        #expect(try await f.engine.holder(of: UniqueKey(namespace: "quote-number", key: state.number)) == Quote.stream(id))
        // A second quote with the same number is refused.
        let other = UUID.derived("quote", "2")
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Quote.self, id: other, .create(quoteID: other, customerID: c, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"),
                                                                      sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        }
        #expect(error?.code == .keyTaken)
        await f.close()
    }

    @Test func aQuoteLineIsPricedFromTheCatalogSoALowerPriceCannotHideADiscount() async throws {
        let f = try await EngineFixture.make("quote-catalog")
        let c = try await f.customer("Acme", branch: "B")
        try await f.meterProduct()
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "Administrator", maxPercent: 15)), as: f.admin)
        func create(_ label: String, _ line: QuoteLine, discount: Decimal = 10) async throws -> Quote.State {
            let id = UUID.derived("quote", label)
            try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: c, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"),
                                                                   sequence: label.count, draft: QuoteDraft(lines: [line], discountPercent: discount),
                                                                   authorRole: "Administrator", limits: []), as: f.admin)
            return try await f.engine.state(Quote.self, id: id, as: f.admin).state
        }
        let meter = UUID.derived("product", "meter")
        // 0.01 CNY a meter of 100 CNY is a 99.99 % discount no limit judged: refused, nothing written.
        let head = try await f.engine.store.headPosition()
        let cheap = await #expect(throws: EngineError.self) {
            _ = try await create("cheap", QuoteLine(productID: meter, productName: "Meter", unitPrice: Money(Decimal(string: "0.01") ?? 0, .cny), quantity: 100))
        }
        #expect(cheap?.code == .invalid && cheap?.field == "lines.unitPrice")
        let unknown = await #expect(throws: EngineError.self) {
            _ = try await create("unknown", QuoteLine(productID: UUID.derived("product", "none"), productName: "Meter", unitPrice: Money(100, .cny), quantity: 1))
        }
        #expect(unknown?.code == .invalid && unknown?.field == "lines.productID")
        #expect(try await f.engine.store.headPosition() == head)
        // At the standard price, the catalog's name replaces whatever name was sent; 10 % is within 15 %.
        let fair = try await create("fair", QuoteLine(productID: meter, productName: "Totally different product", unitPrice: Money(100, .cny), quantity: 100))
        #expect(fair.current?.draft.lines.map(\.productName) == ["Meter"])
        #expect(fair.status != .pendingApproval)
        // The catalog price goes up: a revision may keep the price the quote already has, not lower it.
        let meterID = UUID.derived("product", "meter")
        try await f.engine.execute(Product.self, id: meterID, .edit(productLine: "meters", name: "Meter", standardPrice: Money(120, .cny)), as: f.admin)
        let fairID = UUID.derived("quote", "fair")
        try await f.engine.execute(Quote.self, id: fairID, .revise(draft: QuoteDraft(lines: [QuoteLine(productID: meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 90)],
                                                                               discountPercent: 10), authorRole: "Administrator", limits: []), as: f.admin)
        let lower = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Quote.self, id: fairID, .revise(draft: QuoteDraft(lines: [QuoteLine(productID: meter, productName: "Meter", unitPrice: Money(90, .cny), quantity: 90)]),
                                                                   authorRole: "Administrator", limits: []), as: f.admin)
        }
        #expect(lower?.field == "lines.unitPrice")
        await f.close()
    }

    @Test func aQuoteWithoutCodeOrSequenceIsNumberedByTheEngineWithTheDaysNextFreeNumber() async throws {
        let f = try await EngineFixture.make("quote-numbering")
        let c = try await f.customer("Acme", branch: "B")
        try await f.meterProduct()
        var numbers: [String] = []
        for n in 1...3 {
            let id = UUID.derived("quote", "numbered-\(n)")
            try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: c, customerCode: "", date: try EngineFixture.day("2026-01-02"),
                                                                   sequence: 0, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
            numbers.append(try await f.engine.state(Quote.self, id: id, as: f.admin).state.number)
        }
        let code = Quote.code(of: c)
        #expect(numbers == ["Q-\(code)-20260102-001", "Q-\(code)-20260102-002", "Q-\(code)-20260102-003"])
        // A given code and sequence are kept; the engine then fills the gap it leaves.
        let given = UUID.derived("quote", "given")
        try await f.engine.execute(Quote.self, id: given, .create(quoteID: given, customerID: c, customerCode: "acme", date: try EngineFixture.day("2026-01-02"),
                                                                  sequence: 2, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        let next = UUID.derived("quote", "after-given")
        try await f.engine.execute(Quote.self, id: next, .create(quoteID: next, customerID: c, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"),
                                                                 sequence: 0, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        #expect(try await f.engine.state(Quote.self, id: given, as: f.admin).state.number == "Q-ACME-20260102-002")
        #expect(try await f.engine.state(Quote.self, id: next, as: f.admin).state.number == "Q-ACME-20260102-001")
        await f.close()
    }

    @Test func approvingAMaterialRequestNeedsTheApprovePermissionNotJustEdit() async throws {
        let f = try await EngineFixture.make("material-approval")
        let planner = try await f.hire("Petra", branch: "A", permissions: [Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own)])
        let id = UUID.derived("campaign", "materials")
        try await f.engine.execute(Campaign.self, id: id, .plan(id: id, name: "Spring", objective: "Renewals", owner: planner.id, budget: Money(5000, .cny),
                                                                start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-04-30")), as: f.admin)
        let material = UUID.derived("material", "flyers")
        try await f.engine.execute(Campaign.self, id: id, .requestMaterial(id: material, name: "Flyers", unit: "piece", quantity: 500), as: planner)
        // The requester may not approve their own request…
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Campaign.self, id: id, .advanceMaterial(id: material, stage: .approved, quantity: 500), as: planner)
        }
        #expect(refused?.code == .forbidden)
        // …someone holding the approve permission may.
        try await f.engine.execute(Campaign.self, id: id, .advanceMaterial(id: material, stage: .approved, quantity: 400), as: f.admin)
        #expect(try await f.engine.state(Campaign.self, id: id, as: f.admin).state.materials.first?.approved == 400)
        await f.close()
    }

    @Test func preparingACommandTellsNothingOfARecordThePrincipalMayNotSee() async throws {
        let f = try await EngineFixture.make("prepare-no-leak")
        let c = try await f.customer("Acme", branch: "B")
        try await f.meterProduct()
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights,
                                     hidden: [HiddenField(formGroup: "residential", field: "income")])
        let quote = UUID.derived("quote", "of-B")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: c, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        // A revision at the quote's own price and one at another price answer alike: not found.
        for price in [Decimal(100), Decimal(42)] {
            let draft = QuoteDraft(lines: [QuoteLine(productID: UUID.derived("product", "meter"), productName: "Meter", unitPrice: Money(price, .cny), quantity: 2)])
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Quote.self, id: quote, .revise(draft: draft, authorRole: "role of Alice", limits: []), as: alice)
            }
            #expect(error?.code == .notFound, "\(price): \(String(describing: error))")
        }
        // A customer edit touching a field hidden from the caller: not found, not "forbidden" (which would say
        // the customer exists and is in that group).
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: c, .edit(CustomerEdit(setCustomFields: ["income": .text("1")]), form: .empty(group: "residential")), as: alice)
        }
        #expect(error?.code == .notFound, "\(String(describing: error))")
        await f.close()
    }

    @Test func aDuplicateMergesOnlyIntoALiveCustomerAndIsAbsorbedOnlyByIt() async throws {
        let f = try await EngineFixture.make("merge-checks")
        let duplicate = try await f.customer("Li Wei (2)", branch: "A")
        let survivor = try await f.customer("Li Wei", branch: "A")
        let other = try await f.customer("Sun Li", branch: "A")
        let head = try await f.engine.store.headPosition()
        let missing = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: UUID.derived("customer", "typo")), as: f.admin)
        }
        #expect(missing?.code == .invalid && missing?.field == "survivorId")
        let notMerged = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: survivor, .absorbDuplicate(duplicateID: duplicate, contactIDs: [], openWorkIDs: []), as: f.admin)
        }
        #expect(notMerged?.code == .invalid && notMerged?.field == "duplicateId")
        #expect(try await f.engine.store.headPosition() == head)
        try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: survivor), as: f.admin)
        // Merged into `survivor`, not into `other`.
        let wrong = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: other, .absorbDuplicate(duplicateID: duplicate, contactIDs: [], openWorkIDs: []), as: f.admin)
        }
        #expect(wrong?.field == "duplicateId")
        try await f.engine.execute(Customer.self, id: survivor, .absorbDuplicate(duplicateID: duplicate, contactIDs: [], openWorkIDs: []), as: f.admin)
        // A merged customer cannot be a survivor.
        let merged = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: other, .markMerged(into: duplicate), as: f.admin)
        }
        #expect(merged?.field == "survivorId")
        await f.close()
    }

    @Test func aQuoteAuthorCannotBorrowARoleTheyDoNotHold() async throws {
        let f = try await EngineFixture.make("quote-role")
        let c = try await f.customer("Acme", branch: "B")
        let bob = try await f.hire("Bob", branch: "B", permissions: ScopeTests.allRightsB)
        let id = UUID.derived("quote", "1")
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: c, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"),
                                                                   sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "departmentManager", limits: []), as: bob)
        }
        #expect(error?.code == .forbidden)
        await f.close()
    }

    @Test func aWorkflowStartsWithTheRecordedDefinitionAndTheSubmitterIsThePrincipal() async throws {
        let f = try await EngineFixture.make("workflow")
        let c = UUID.derived("subject", "1")
        try await ScopeTestsPart2.defineWorkflow(f.engine, c, f.admin)
        let id = UUID.derived("workflow", "1")
        try await f.engine.execute(WorkflowInstance.self, id: id, .start(id: id, subjectKind: .materialRequest, subjectID: c, submitter: "someone-else",
                                                                         definition: ScopeTestsPart2.definition(c)), as: f.admin)
        let (state, _) = try await f.engine.state(WorkflowInstance.self, id: id, as: f.admin)
        #expect(state.definition?.steps == ScopeTestsPart2.steps && state.definition?.name == "Material check")
        #expect(state.submitter == f.admin.id)
        // The administrator submitted it: they may not decide it. Another holder of the step's role does: the
        // engine passes the roles, whatever the caller claims.
        let own = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: id, .approve(employee: "x", roles: [], comment: nil), as: f.admin)
        }
        #expect(own?.code == .forbidden && own?.field == "employee")
        let ada = UUID.derived("employee", "Ada II")
        try await f.engine.execute(Organisation.self, id: ada, .hire(NewEmployee(id: ada, name: "Ada II", position: "staff", branch: "head-office",
                                                                                 hiredOn: try EngineFixture.day("2024-01-01"))), as: f.admin)
        let administrator = try #require(try await f.engine.state(Organisation.self, id: ada, as: f.admin).state.roles.values.first { $0.name == "Administrator" })
        try await f.engine.execute(Organisation.self, id: ada, .grantRole(grantID: UUID.derived("grant", "Ada II"), employeeID: ada, roleID: administrator.id,
                                                                          validity: .always, grantor: .none), as: f.admin)
        try await f.engine.execute(WorkflowInstance.self, id: id, .approve(employee: "x", roles: [], comment: nil), as: try await f.engine.principal(employeeID: ada))
        #expect(try await f.engine.state(WorkflowInstance.self, id: id, as: f.admin).state.status == .completed)
        await f.close()
    }

    @Test func boardPostsAreCheckedAgainstTheRecordedWordsAndSignedByTheirAuthor() async throws {
        let f = try await EngineFixture.make("board")
        try await f.engine.execute(SensitiveWordList.self, id: UUID(), .add(SensitiveWord(word: "scam", action: .flag)), as: f.admin)
        let id = UUID.derived("thread", "1")
        try await f.engine.execute(BoardThread.self, id: id, .start(threadID: id, title: "Offers", BoardThread.Draft(
            postID: UUID.derived("post", "1"), author: "mallory", authorName: "Mallory", body: "this is a scam"), words: []), as: f.admin)
        let (state, _) = try await f.engine.state(BoardThread.self, id: id, as: f.admin)
        #expect(state.posts.first?.author == f.admin.id && state.posts.first?.authorName == "Ada Admin")
        #expect(state.posts.first?.flaggedWords.isEmpty == false)
        await f.close()
    }

    @Test func pointsByRuleAreTheEnginesOnly() async throws {
        let f = try await EngineFixture.make("loyalty")
        let c = try await f.customer("Acme", branch: "B")
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(LoyaltyAccount.self, id: c, .accrue(customerID: c, points: 500, source: .spend, sourceReference: "made-up",
                                                                           reason: "spend", earnedOn: try EngineFixture.day("2026-01-02"), expiresOn: nil), as: f.admin)
        }
        #expect(error?.code == .forbidden)
        await f.close()
    }
}
