import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Records whose values were recorded before a check tightened (a title holding a tab, a currency `RMB`
/// that is not ISO 4217) stay editable: an edit that resends such a value unchanged is accepted and keeps
/// it, while an edit that changes it is judged as on creation — refused, naming the field, with nothing
/// emitted (``Scenario/whenRefused(_:sourceLocation:)`` records an issue when a refused command emits events).
@Suite("Edits keep values recorded before a check tightened")
struct LegacyValueEditTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)
    /// Not ISO 4217: recorded before the check, still replayed.
    static let rmb = Currency(rawValue: "RMB")!
    static let xyz = Currency(rawValue: "XYZ")!
    static func id(_ name: String) -> UUID { UUID.derived("legacy-edit-test", name) }

    // MARK: Opportunity

    static let opportunityDetails = Opportunity.Details(customerID: id("customer"), title: "Meter\tupgrade", source: "referral",
                                                        expectedRevenue: Money(1000, rmb), closeDate: date("2026-06-30"))
    static var legacyOpportunity: Scenario<Opportunity> {
        Scenario(Opportunity.self, given: [.opened(OpportunityOpened(opportunityID: id("opportunity"), details: opportunityDetails,
                                                                     pipeline: .default, stage: "opportunityFound", owner: "emp-1"))])
    }

    @Test func anOpportunityWithALegacyTitleAndCurrencyCanChangeItsCloseDateAndAmountAndKeepsThem() {
        var s = Self.legacyOpportunity
        let events = s.apply(.edit(title: "Meter\tupgrade", source: "referral", expectedRevenue: Money(1500, Self.rmb), closeDate: date("2026-07-31")))
        #expect(events == [.edited(OpportunityEdited(opportunityID: Self.id("opportunity"), changes: [
            FieldChange(field: "expectedRevenue", old: .money(Money(1000, Self.rmb)), new: .money(Money(1500, Self.rmb))),
            FieldChange(field: "closeDate", old: .date(date("2026-06-30")), new: .date(date("2026-07-31"))),
        ]))])
        #expect(s.state.details?.title == "Meter\tupgrade")
        #expect(s.state.details?.expectedRevenue.currency == Self.rmb)
    }

    @Test func anOpportunityEditThatChangesALegacyValueToAnotherInvalidOneIsRefused() {
        let s = Self.legacyOpportunity
        let close = date("2026-06-30")
        #expect(s.whenRefused(.edit(title: "Meter\tswap", source: "referral", expectedRevenue: Money(1000, Self.rmb), closeDate: close))?.field == "title")
        #expect(s.whenRefused(.edit(title: "Meter\tupgrade", source: "referral", expectedRevenue: Money(1000, Self.xyz), closeDate: close))?.field == "expectedRevenue")
        #expect(s.whenRefused(.edit(title: "Meter\tupgrade", source: "referral", expectedRevenue: Money(-1, Self.rmb), closeDate: close))?.field == "expectedRevenue",
                "consistency rules still apply to unchanged currencies")
    }

    // MARK: Campaign

    static let workItem = Campaign.WorkItem(id: id("work item"), title: "Flyers\tA5", department: "marketing", team: "print", person: "emp-9")
    static var legacyCampaign: Scenario<Campaign> {
        Scenario(Campaign.self, given: [
            .planned(CampaignPlanned(campaignID: id("campaign"), name: "Spring\tpromotion", objective: "New gas customers", owner: "emp-3",
                                     budget: Money(50_000, rmb), start: date("2026-03-01"), end: date("2026-05-31"), plannedAt: now)),
            .workItemAssigned(CampaignWorkItemAssigned(campaignID: id("campaign"), item: workItem, previous: nil)),
        ])
    }

    @Test func aCampaignPlanWithALegacyNameAndBudgetCurrencyCanChangeItsDatesAndKeepsThem() {
        var s = Self.legacyCampaign
        let events = s.apply(.changePlan(name: "Spring\tpromotion", objective: "New gas customers", budget: Money(60_000, Self.rmb),
                                         start: date("2026-03-01"), end: date("2026-06-30")))
        #expect(events.count == 1)
        #expect(s.state.name == "Spring\tpromotion")
        #expect(s.state.budget == Money(60_000, Self.rmb))
        #expect(s.state.end == date("2026-06-30"))
    }

    @Test func aCampaignPlanChangeToAnotherInvalidNameOrCurrencyIsRefused() {
        let s = Self.legacyCampaign
        let start = date("2026-03-01"), end = date("2026-05-31")
        #expect(s.whenRefused(.changePlan(name: "Summer\tpromotion", objective: "o", budget: Money(50_000, Self.rmb), start: start, end: end))?.field == "name")
        #expect(s.whenRefused(.changePlan(name: "Spring\tpromotion", objective: "o", budget: Money(50_000, Self.xyz), start: start, end: end))?.field == "budget")
    }

    @Test func aWorkItemWithALegacyTitleCanBeReassignedButNotRetitledToAnotherInvalidTitle() {
        var s = Self.legacyCampaign
        var reassigned = Self.workItem
        reassigned.person = "emp-10"
        #expect(s.apply(.assignWorkItem(reassigned)).count == 1)
        #expect(s.state.workItems.first?.title == "Flyers\tA5")
        #expect(s.state.workItems.first?.person == "emp-10")
        var retitled = reassigned
        retitled.title = "Flyers\tA4"
        #expect(s.whenRefused(.assignWorkItem(retitled))?.field == "title")
    }

    // MARK: Quote

    static let quoteLine = QuoteLine(productID: id("meter"), productName: "Smart\tmeter", unitPrice: Money(100, rmb), quantity: 10)
    static var legacyQuote: Scenario<Quote> {
        let revision = QuoteRevision(number: 1, draft: QuoteDraft(lines: [quoteLine]), author: "emp-1", authorRole: "salesManager",
                                     authorLimit: 15, needsApproval: false, createdAt: now)
        return Scenario(Quote.self, given: [.created(QuoteCreated(quoteID: id("quote"), customerID: id("customer"), customerCode: "ACME",
                                                                  number: "Q-ACME-20260101-001", revision: revision))])
    }

    @Test func aQuoteWithALegacyCurrencyAndProductNameCanBeRevisedAndKeepsThem() {
        var s = Self.legacyQuote
        var line = Self.quoteLine
        line.quantity = 12
        let events = s.apply(.revise(draft: QuoteDraft(lines: [line]), authorRole: "salesManager", limits: DiscountLimit.defaults))
        #expect(events.count == 1)
        #expect(s.state.current?.number == 2)
        #expect(s.state.total == Money(1200, Self.rmb))
        #expect(s.state.current?.draft.lines.first?.productName == "Smart\tmeter")
    }

    @Test func aQuoteRevisionIntoAnotherInvalidCurrencyOrProductNameIsRefused() {
        let s = Self.legacyQuote
        var otherCurrency = Self.quoteLine
        otherCurrency.unitPrice = Money(100, Self.xyz)
        #expect(s.whenRefused(.revise(draft: QuoteDraft(lines: [otherCurrency]), authorRole: "salesManager", limits: DiscountLimit.defaults))?.field == "unitPrice")
        let newLine = QuoteLine(productID: Self.id("valve"), productName: "Safety\tvalve", unitPrice: Money(5, Self.rmb), quantity: 1)
        #expect(s.whenRefused(.revise(draft: QuoteDraft(lines: [Self.quoteLine, newLine]), authorRole: "salesManager",
                                      limits: DiscountLimit.defaults))?.field == "productName", "a new line's name is judged")
    }

    // MARK: Contract

    static let contractLine = Contract.Line(productID: id("gas"), name: "Gas\tsupply", quantity: 12, unitPrice: Money(1000, rmb))
    static var legacyContract: Scenario<Contract> {
        Scenario(Contract.self, given: [.drafted(ContractDrafted(
            contractID: id("contract"), customerID: id("customer"), owner: "emp-7", branch: "shanghai", title: "Gas supply 2026",
            quoteID: id("quote"), quoteNumber: "Q-ACME-20260101-001", lines: [contractLine],
            terms: Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-15"), expiry: date("2026-12-31"), renewalTermMonths: 12),
            draftedBy: "emp-1", draftedAt: now))])
    }

    @Test func aContractWithALegacyCurrencyAndLineNameCanChangeItsQuantitiesAndKeepsThem() {
        var s = Self.legacyContract
        var line = Self.contractLine
        line.quantity = 24
        #expect(s.apply(.changeLines([line])).count == 1)
        #expect(s.state.lines == [line])
        #expect(s.state.total == Money(24_000, Self.rmb))
    }

    @Test func aContractLineChangeIntoAnotherInvalidCurrencyOrNameIsRefused() {
        let s = Self.legacyContract
        var otherCurrency = Self.contractLine
        otherCurrency.unitPrice = Money(1000, Self.xyz)
        #expect(s.whenRefused(.changeLines([otherCurrency]))?.field == "unitPrice")
        var renamed = Self.contractLine
        renamed.name = "Gas\tsupply 2"
        #expect(s.whenRefused(.changeLines([renamed]))?.field == "name")
    }

    // MARK: Product

    static var legacyProduct: Scenario<Product> {
        Scenario(Product.self, given: [.created(ProductCreated(productID: id("product"), productLine: "gas\tmeters", name: "Smart\tmeter",
                                                               standardPrice: Money(120, rmb)))])
    }

    @Test func aProductWithLegacyTextsAndCurrencyCanChangeItsPriceAndKeepsThem() {
        var s = Self.legacyProduct
        let events = s.apply(.edit(productLine: "gas\tmeters", name: "Smart\tmeter", standardPrice: Money(130, Self.rmb)))
        #expect(events == [.edited(ProductEdited(productID: Self.id("product"), changes: [
            FieldChange(field: "standardPrice", old: .money(Money(120, Self.rmb)), new: .money(Money(130, Self.rmb))),
        ]))])
        #expect(s.state.name == "Smart\tmeter")
        #expect(s.state.productLine == "gas\tmeters")
    }

    @Test func aProductEditIntoAnotherInvalidNameOrCurrencyIsRefused() {
        let s = Self.legacyProduct
        #expect(s.whenRefused(.edit(productLine: "gas\tmeters", name: "Smart\tmeter 2", standardPrice: Money(120, Self.rmb)))?.field == "name")
        #expect(s.whenRefused(.edit(productLine: "gas\tmeters", name: "Smart\tmeter", standardPrice: Money(120, Self.xyz)))?.field == "standardPrice")
    }

    // MARK: Work task

    static var legacyTask: Scenario<WorkTask> {
        let details = WorkTask.Details(title: "Call\tback", note: nil, customerID: id("customer"), kind: .followUp,
                                       dueAt: now.addingTimeInterval(86_400), branch: "shanghai")
        return Scenario(WorkTask.self, given: [.dispatched(TaskDispatched(taskID: id("task"), details: details, assignee: "emp-7", route: .manual))])
    }

    @Test func aTaskWithALegacyTitleCanChangeItsNoteButNotTakeAnotherInvalidTitle() {
        var s = Self.legacyTask
        #expect(s.apply(.edit(title: "Call\tback", note: "about the meter")).count == 1)
        #expect(s.state.details?.title == "Call\tback")
        #expect(s.whenRefused(.edit(title: "Call\tback soon", note: nil))?.field == "title")
    }

    // MARK: Contact log

    static let logDetails = ContactLogEntry.Details(channel: .phone, subject: "Bill\tquestion", occurredAt: now.addingTimeInterval(-3600),
                                                    durationSeconds: 60, attachments: ["doc\t1"])
    static var legacyLogEntry: Scenario<ContactLogEntry> {
        Scenario(ContactLogEntry.self, given: [.logged(ContactLogged(entryID: id("log"), customerID: id("customer"), details: logDetails))])
    }

    @Test func aContactLogEntryWithALegacySubjectAndAttachmentCanBeAmendedAndKeepsThem() {
        var s = Self.legacyLogEntry
        var amended = Self.logDetails
        amended.note = "customer called back"
        amended.attachments.append("doc-2")
        #expect(s.apply(.amend(amended)).count == 1)
        #expect(s.state.details?.subject == "Bill\tquestion")
        #expect(s.state.details?.attachments == ["doc\t1", "doc-2"])
    }

    @Test func aContactLogAmendmentWithAnotherInvalidSubjectOrAttachmentIsRefused() {
        let s = Self.legacyLogEntry
        var subject = Self.logDetails
        subject.subject = "Bill\tquestion 2"
        #expect(s.whenRefused(.amend(subject))?.field == "subject")
        var attachment = Self.logDetails
        attachment.attachments.append("doc\t2")
        #expect(s.whenRefused(.amend(attachment))?.field == "attachments")
    }

    // MARK: Workflow definition

    static let step = WorkflowStep(name: "Manager\tapproval", approverRole: "salesManager", deadlineHours: 24, reminderLeadHours: 4,
                                   escalateTo: .role("officeManager"))
    static var legacyWorkflow: Scenario<WorkflowDefinition> {
        Scenario(WorkflowDefinition.self, given: [.defined(WorkflowDefined(definition: WorkflowDefinitionVersion(
            definitionID: id("workflow"), version: 1, name: "Quote\tapproval", kind: .quote, steps: [step])))])
    }

    @Test func aWorkflowDefinitionWithLegacyNamesCanBeRevisedAndKeepsThem() {
        var s = Self.legacyWorkflow
        var longer = Self.step
        longer.deadlineHours = 48
        #expect(s.apply(.revise(name: "Quote\tapproval", steps: [longer])).count == 1)
        #expect(s.state.current?.version == 2)
        #expect(s.state.current?.name == "Quote\tapproval")
        #expect(s.state.current?.steps == [longer])
    }

    @Test func aWorkflowRevisionWithAnotherInvalidNameIsRefused() {
        let s = Self.legacyWorkflow
        #expect(s.whenRefused(.revise(name: "Quote\tapproval 2", steps: [Self.step]))?.field == "name")
        var renamed = Self.step
        renamed.name = "Director\tapproval"
        #expect(s.whenRefused(.revise(name: "Quote\tapproval", steps: [Self.step, renamed]))?.field == "steps.name")
    }

    @Test func anInstanceStartsOnARecordedDefinitionWithLegacyNamesButNotOnABrokenStructure() {
        let definition = WorkflowDefinitionVersion(definitionID: Self.id("workflow"), version: 1, name: "Quote\tapproval", kind: .quote, steps: [Self.step])
        var instance = Scenario(WorkflowInstance.self, given: [])
        #expect(instance.apply(.start(id: Self.id("instance"), subjectKind: .quote, subjectID: Self.id("quote-1"), submitter: "emp-7", definition: definition)).count == 1)
        #expect(instance.state.definition?.steps.first?.name == "Manager\tapproval")
        var noDeadline = definition
        noDeadline.steps[0].deadlineHours = 0
        #expect(Scenario(WorkflowInstance.self, given: []).whenRefused(.start(id: Self.id("other"), subjectKind: .quote, subjectID: Self.id("quote-2"), submitter: "emp-7",
                                                                                definition: noDeadline))?.field == "steps.deadlineHours")
    }

    // MARK: Customer, contact, visit

    static var legacyCustomer: Scenario<Customer> {
        Scenario(Customer.self, given: [
            .created(CustomerCreated(customerID: CustomerFixtures.id, kind: .person, name: "Li\tWei", group: "residential", industry: "gas\tretail",
                                     branch: "shanghai", community: nil, owner: "emp-7", status: .active, birthday: date("1980-11-27"), founded: nil,
                                     customFields: ["meterCount": .number(1)], externalKeys: [])),
            .appointmentScheduled(CustomerAppointmentScheduled(customerID: CustomerFixtures.id, appointment: Appointment(
                id: id("appointment"), kind: .install, at: now.addingTimeInterval(86_400), address: "1\tNanjing Rd"))),
            .installationAdded(CustomerInstallationAdded(customerID: CustomerFixtures.id, installation: Installation(
                id: id("installation"), address: "1\tNanjing Rd", meterNumber: "M-1"))),
        ])
    }

    @Test func aCustomerEditThatResendsALegacyNameAndIndustryChangesTheOtherFieldsAndKeepsThem() {
        var s = Self.legacyCustomer
        let events = s.apply(.edit(CustomerEdit(name: "Li\tWei", industry: .set("gas\tretail"), community: .set("Xuhui")), form: CustomerFixtures.form))
        #expect(events.count == 1)
        #expect(s.state.name == "Li\tWei")
        #expect(s.state.industry == "gas\tretail")
        #expect(s.state.community == "Xuhui")
        #expect(s.whenRefused(.edit(CustomerEdit(name: "Li\tWei Jr"), form: CustomerFixtures.form))?.field == "name")
        #expect(s.whenRefused(.edit(CustomerEdit(industry: .set("gas\tstations")), form: CustomerFixtures.form))?.field == "industry")
    }

    @Test func anAppointmentOrInstallationAtALegacyAddressCanBeRescheduledOrGetANewMeter() {
        var s = Self.legacyCustomer
        #expect(s.apply(.rescheduleAppointment(id: Self.id("appointment"), at: Self.now.addingTimeInterval(2 * 86_400), address: "1\tNanjing Rd")).count == 1)
        #expect(s.state.appointment(Self.id("appointment"))?.address == "1\tNanjing Rd")
        #expect(s.apply(.moveInstallation(id: Self.id("installation"), address: "1\tNanjing Rd", meterNumber: "M-2")).count == 1)
        #expect(s.state.installation(Self.id("installation"))?.meterNumber == "M-2")
        #expect(s.whenRefused(.moveInstallation(id: Self.id("installation"), address: "2\tNanjing Rd", meterNumber: nil))?.field == "address")
    }

    @Test func aContactWithALegacyNameAndTitleCanChangeItsRoleAndKeepsThem() {
        var s = Scenario(Contact.self, given: [.created(ContactCreated(contactID: Self.id("contact"), customerID: Self.id("customer"),
                                                                      name: "Wang\tFang", role: .other, title: "Chief\tbuyer"))])
        #expect(s.apply(.edit(ContactEdit(name: "Wang\tFang", role: .primary, title: .set("Chief\tbuyer")))).count == 1)
        #expect(s.state.name == "Wang\tFang")
        #expect(s.state.title == "Chief\tbuyer")
        #expect(s.whenRefused(.edit(ContactEdit(title: .set("Head\tbuyer"))))?.field == "title")
    }

    @Test func aVisitAtALegacyPlaceCanBeRescheduledAndKeepsItsPlace() {
        var s = Scenario(Visit.self, given: [.planned(VisitPlanned(visitID: Self.id("visit"), customerID: Self.id("customer"), visitor: "emp-7",
                                                                   scheduledAt: Self.now.addingTimeInterval(86_400), contacts: [], agenda: "meter",
                                                                   place: "Site\tB"))])
        #expect(s.apply(.reschedule(to: Self.now.addingTimeInterval(2 * 86_400), place: "Site\tB", reason: nil)).count == 1)
        #expect(s.state.place == "Site\tB")
        #expect(s.whenRefused(.reschedule(to: Self.now.addingTimeInterval(2 * 86_400), place: "Site\tC", reason: nil))?.field == "place")
    }

    // MARK: Custom form

    @Test func aCustomFieldWithALegacyLabelAndOptionCanBeMadeRequiredAndKeepsThem() {
        let field = FieldDefinition(name: "tariff", label: "Tariff\tplan", type: .enumeration, options: ["day\tnight", "flat"])
        var s = Scenario(CustomerForm.self, given: [.defined(CustomerFormDefined(group: "residential", fields: [field]))])
        var required = field
        required.required = true
        #expect(s.apply(.changeField(required)).count == 1)
        #expect(s.state.definition?.field("tariff") == required)
        var another = required
        another.options.append("peak\toff-peak")
        #expect(s.whenRefused(.changeField(another))?.field == "options")
        another = required
        another.label = "Tariff\tplans"
        #expect(s.whenRefused(.changeField(another))?.field == "label")
    }

    // MARK: Organisation

    @Test func anEmployeeWithALegacyNameCanMoveBranchAndKeepsTheName() {
        typealias F = OrgFixture
        var s = Scenario(Organisation.self, given: [F.bootstrapped, .employeeHired(EmployeeHired(
            employeeID: F.id("zhao"), name: "Zhao\tLei", position: "Sales", branch: "north", hiredOn: date("2025-06-01")))])
        #expect(s.apply(.changeEmployee(employeeID: F.id("zhao"), EmployeeEdit(name: "Zhao\tLei", branch: "south"))).count == 1)
        #expect(s.state.employees[F.id("zhao")]?.name == "Zhao\tLei")
        #expect(s.state.employees[F.id("zhao")]?.branch == "south")
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("zhao"), EmployeeEdit(name: "Zhao\tLi")))?.field == "name")
    }

    @Test func aRoleWithALegacyNameAndScopeCanGainAPermissionAndKeepsThem() {
        typealias F = OrgFixture
        let north = Permission(module: .customers, actions: [.query], scope: .branch("north\tdistrict"))
        var s = Scenario(Organisation.self, given: [F.bootstrapped, F.role("Clerk\tnorth", [north])])
        let more = [north, Permission(module: .tasks, actions: [.query], scope: .own)]
        #expect(s.apply(.changeRole(roleID: F.id("role-Clerk\tnorth"), RoleDefinition(name: "Clerk\tnorth", permissions: more), grantor: F.adminHolds)).count == 1)
        #expect(s.state.roles[F.id("role-Clerk\tnorth")]?.name == "Clerk\tnorth")
        let south = Permission(module: .customers, actions: [.query], scope: .branch("south\tdistrict"))
        #expect(s.whenRefused(.changeRole(roleID: F.id("role-Clerk\tnorth"), RoleDefinition(name: "Clerk\tnorth", permissions: [south]),
                                          grantor: F.adminHolds))?.field == "scope")
    }

    // MARK: Settings

    @Test func anExchangeRateInALegacyCurrencyCanBeCorrectedButANewOneIsJudged() throws {
        let day = date("2026-01-01")
        var s = Scenario(Settings.self, given: [.exchangeRateSet(ExchangeRateSet(rate: ExchangeRate(from: Self.rmb, to: .usd, rate: 0.14, validFrom: day)))])
        #expect(s.apply(.setExchangeRate(ExchangeRate(from: Self.rmb, to: .usd, rate: 0.138, validFrom: day))).count == 1)
        #expect(s.state.exchangeRates == [ExchangeRate(from: Self.rmb, to: .usd, rate: 0.138, validFrom: day)])
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: Self.rmb, to: .usd, rate: 0.14, validFrom: date("2026-02-01"))))?.field == "from",
                "a rate from another day is a new rate")
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: Self.rmb, to: .eur, rate: 0.13, validFrom: day)))?.field == "from",
                "a rate between other currencies is a new rate")
    }

    @Test func aPaySchemeInALegacyCurrencyCanChangeItsRatesButNotMoveToAnotherInvalidCurrency() {
        let scheme = PayScheme(currency: Self.rmb, basePerDay: 100, defaultRatePerPoint: 1, rates: [PayScheme.Rate(indicator: "visits\tdone", perPoint: 2)])
        var s = Scenario(Settings.self, given: [.paySchemeSet(PaySchemeSet(scheme: scheme, previous: nil))])
        var raised = scheme
        raised.basePerDay = 120
        #expect(s.apply(.setPayScheme(raised)).count == 1)
        #expect(s.state.payScheme == raised)
        var other = raised
        other.currency = Self.xyz
        #expect(s.whenRefused(.setPayScheme(other))?.field == "currency")
        other = raised
        other.rates.append(PayScheme.Rate(indicator: "calls\tmade", perPoint: 1))
        #expect(s.whenRefused(.setPayScheme(other))?.field == "indicator")
    }

    @Test func routingRulesWithALegacyBranchCanBeReplacedWhenANewRuleIsValid() {
        let legacy = RoutingRule(name: "north", branch: "north\tdistrict", assignee: "emp-7")
        var s = Scenario(Settings.self, given: [.routingRulesReplaced(RoutingRulesReplaced(rules: [legacy]))])
        let added = [legacy, RoutingRule(name: "south", branch: "south", assignee: "emp-8")]
        #expect(s.apply(.replaceRoutingRules(added)).count == 1)
        #expect(s.state.routingRules == added)
        #expect(s.whenRefused(.replaceRoutingRules(added + [RoutingRule(name: "east", branch: "east\tdistrict")]))?.field == "branch")
    }

    @Test func loyaltySpendRulesAndCostBudgetsInALegacyCurrencyCanChangeTheirAmounts() {
        let month = RevenueMonth(year: 2026, month: 3)
        let budget = CostBudget(dimension: .category, key: "marketing", month: month, amount: Money(1000, Self.rmb))
        var s = Scenario(Settings.self, given: [
            .loyaltyAccrualRulesReplaced(LoyaltyAccrualRulesReplaced(rules: [LoyaltyAccrualRule(source: .spend, points: 1, currency: Self.rmb)])),
            .costBudgetSet(CostBudgetSet(budget: budget, previous: nil)),
        ])
        #expect(s.apply(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 2, currency: Self.rmb)])).count == 1)
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 2, currency: Self.xyz)]))?.field == "currency")
        var more = budget
        more.amount = Money(1200, Self.rmb)
        #expect(s.apply(.setCostBudget(more)).count == 1)
        #expect(s.state.costBudgets == [more])
        var other = budget
        other.amount = Money(1200, Self.xyz)
        #expect(s.whenRefused(.setCostBudget(other))?.field == "amount")
    }

    // MARK: New connection

    @Test func aConnectionStageWithALegacyAssigneeCanMoveItsDeadline() {
        let opened = NewConnectionEvent.opened(ConnectionOpened(connectionID: Self.id("connection"), customerID: Self.id("customer"), address: "1 Gas Street",
                                                                openedAt: Self.now, deadline: Self.now + 3 * 86_400, assignee: "emp\tintake"))
        var s = Scenario(NewConnection.self, given: [opened])
        #expect(s.apply(.replan(deadline: Self.now + 5 * 86_400, assignee: "emp\tintake")).count == 1)
        #expect(s.state.currentAssignee == "emp\tintake")
        #expect(s.whenRefused(.replan(deadline: Self.now + 5 * 86_400, assignee: "emp\tother"))?.field == "assignee")
    }

    // MARK: The shared helpers

    @Test func theHelpersTakeAnUnchangedValueAsRecordedAndJudgeAChangedOne() throws {
        #expect(try Validate.text(" Li\tWei ", field: "name", unlessUnchangedFrom: "Li\tWei") == "Li\tWei", "compared after trimming")
        #expect(throws: DomainError.self) { try Validate.text("Li\tWei", field: "name", unlessUnchangedFrom: "Li Wei") }
        #expect(throws: DomainError.self) { try Validate.text(" ", field: "name", unlessUnchangedFrom: " ") }
        #expect(throws: DomainError.self) { try Validate.text("Li\tWei", field: "name", max: 3, unlessUnchangedFrom: "Li\tWei") }
        #expect(try Validate.text("b\tc", field: "tier", unlessAmong: ["a", "b\tc"]) == "b\tc")
        #expect(try Validate.optionalText("  ", field: "industry", unlessUnchangedFrom: "x\ty") == nil)
        #expect(try Validate.currency(Self.rmb, field: "amount", unlessUnchangedFrom: Self.rmb) == Self.rmb)
        #expect(throws: DomainError.self) { try Validate.currency(Self.rmb, field: "amount", unlessUnchangedFrom: .cny) }
        #expect(throws: DomainError.self) { try Validate.currency(Self.rmb, field: "amount", unlessUnchangedFrom: nil) }
    }
}
