import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A ticket, task, opportunity, visit, contact log entry, quote or new connection is created only for a customer that exists, that
/// the caller may query and that has not been merged: else `invalid`, field `customerID`, nothing written.
@Suite struct RecordsNameExistingCustomerTests {
    /// One create of each record naming a customer: a label, and the command run by `principal` for `customer`.
    struct Create: Sendable, CustomStringConvertible {
        let description: String
        let run: @Sendable (CRMEngine, _ customer: UUID, _ principal: Principal, _ suffix: String) async throws -> Void
        func callAsFunction(_ engine: CRMEngine, _ customer: UUID, _ principal: Principal, _ suffix: String = "") async throws {
            try await run(engine, customer, principal, suffix)
        }
    }

    static func id(_ kind: String, _ customer: UUID, _ suffix: String) -> UUID { UUID.derived(kind, customer.uuidString + suffix) }

    static let creates: [Create] = [
        Create(description: "ticket open") { e, c, p, s in
            let id = Self.id("ticket", c, s)
            try await e.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: c,
                                                          subject: "No water", description: nil, department: "service", sla: nil), as: p)
        },
        Create(description: "task dispatch") { e, c, p, s in
            let id = Self.id("task", c, s)
            try await e.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: "Call back", customerID: c, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_300_000)), assignee: p.id), as: p)
        },
        Create(description: "task dispatch by rules") { e, c, p, s in
            let id = Self.id("task-rules", c, s)
            try await e.execute(WorkTask.self, id: id, .dispatchByRules(taskID: id, details: WorkTask.Details(
                title: "Survey", customerID: c, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_300_000)),
                input: RoutingInput(), rules: []), as: p)
        },
        Create(description: "external task import") { e, c, p, s in
            let id = Self.id("task-import", c, s)
            try await e.execute(WorkTask.self, id: id, .importExternal(taskID: id, details: WorkTask.Details(
                title: "Meter check", customerID: c, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_300_000)),
                reference: WorkTask.ExternalReference(system: "billing", id: "T-\(s)\(c.uuidString.prefix(6))"), owner: p.id), as: p)
        },
        Create(description: "opportunity open") { e, c, p, s in
            let id = Self.id("opportunity", c, s)
            try await e.execute(Opportunity.self, id: id, .open(opportunityID: id, details: Opportunity.Details(
                customerID: c, title: "Upgrade", source: "visit", expectedRevenue: Money(1000, .cny), closeDate: try #require(LocalDate(year: 2026, month: 6, day: 30))),
                pipeline: .default, stage: nil, owner: p.id), as: p)
        },
        Create(description: "visit plan") { e, c, p, s in
            let id = Self.id("visit", c, s)
            try await e.execute(Visit.self, id: id, .plan(id: id, customerID: c, visitor: p.id, scheduledAt: Date(timeIntervalSince1970: 1_767_500_000),
                                                         contacts: [], agenda: "Review", place: "On site"), as: p)
        },
        Create(description: "contact log") { e, c, p, s in
            let id = Self.id("log", c, s)
            try await e.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: c, details: ContactLogEntry.Details(
                channel: .phone, subject: "Asked about the bill", occurredAt: Date(timeIntervalSince1970: 1_767_220_000))), as: p)
        },
    ]

    /// An engine whose settings hold the ticket SLA and the routing rule the creates need.
    static func fixture(_ label: String) async throws -> EngineFixture {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .replaceRoutingRules([RoutingRule(name: "everything", assignee: f.admin.id)]), as: f.admin)
        return f
    }

    static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        await #expect(throws: EngineError.self) { try await body() }
    }

    @Test(arguments: creates)
    func aRecordForACustomerThatWasNeverCreatedIsRefusedWithNothingWritten(_ create: Create) async throws {
        let f = try await Self.fixture("unknown-customer")
        let head = try await f.engine.store.headPosition()
        let nobody = UUID.derived("customer", "never created")
        let error = await Self.refusal { try await create(f.engine, nobody, f.admin) }
        #expect(error?.code == .invalid && error?.field == "customerID", "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head)
        // Once the customer exists, the same create is accepted.
        let customer = try await f.customer("Li Wei", branch: "north")
        try await create(f.engine, customer, f.admin)
        await f.close()
    }

    /// The operator (the command line without a token) is judged like anyone; the system's reactions and
    /// scheduled work, which replay decisions, are not.
    @Test(arguments: creates)
    func theOperatorIsRefusedAnUnknownCustomerTheSystemIsNot(_ create: Create) async throws {
        let f = try await Self.fixture("unknown-customer-operator")
        let head = try await f.engine.store.headPosition()
        let nobody = UUID.derived("customer", "never created")
        let error = await Self.refusal { try await create(f.engine, nobody, .operator(sourceSystem: "crm-cli")) }
        #expect(error?.code == .invalid && error?.field == "customerID", "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head)
        // The system is not judged on the customer (a create the domain's other rules refuse may still fail).
        do { try await create(f.engine, nobody, .system) } catch let other as EngineError { #expect(other.field != "customerID") }
        await f.close()
    }

    /// A quote (whose number reserves a key for its customer) and a new connection name their customer too.
    @Test func aQuoteOrNewConnectionForACustomerThatWasNeverCreatedIsRefusedWithNothingWritten() async throws {
        let f = try await Self.fixture("unknown-customer-quote")
        try await f.meterProduct()
        let draft = QuoteDraft(lines: [QuoteLine(productID: UUID.derived("product", "meter"), productName: "Meter", unitPrice: Money(100, .cny), quantity: 1)])
        func quote(_ customer: UUID) async throws {
            let id = Self.id("quote", customer, "")
            try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: customer, customerCode: "", date: try EngineFixture.day("2026-01-02"),
                                                                   sequence: 0, draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        }
        func connection(_ customer: UUID) async throws {
            let id = Self.id("connection", customer, "")
            try await f.engine.execute(NewConnection.self, id: id, .open(connectionID: id, customerID: customer, address: "1 Water Lane",
                                                                         deadline: Date(timeIntervalSince1970: 1_767_300_000), assignee: f.admin.id), as: f.admin)
        }
        let head = try await f.engine.store.headPosition()
        let nobody = UUID.derived("customer", "never created")
        for create in [quote, connection] {
            let error = await Self.refusal { try await create(nobody) }
            #expect(error?.code == .invalid && error?.field == "customerID", "\(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        let customer = try await f.customer("Li Wei", branch: "north")
        try await quote(customer)
        try await connection(customer)
        await f.close()
    }

    /// A dry run judges the customer as `execute` does.
    @Test func aDryRunOfSuchACreateAnswersTheSame() async throws {
        let f = try await Self.fixture("unknown-customer-dry-run")
        let nobody = UUID.derived("customer", "never created")
        let id = UUID.derived("dry", "ticket")
        let open = Ticket.Command.open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: nobody,
                                       subject: "x", description: nil, department: "service", sla: nil)
        let dry = await Self.refusal { _ = try await f.engine.dryRun(Ticket.self, id: id, open, as: f.admin) }
        #expect(dry?.code == .invalid && dry?.field == "customerID", "\(String(describing: dry))")
        let customer = try await f.customer("Li Wei", branch: "north")
        let accepted = Ticket.Command.open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                           subject: "x", description: nil, department: "service", sla: nil)
        #expect(try await f.engine.dryRun(Ticket.self, id: id, accepted, as: f.admin).count == 1)
        await f.close()
    }

    /// Someone who may create these records everywhere but query customers of Berlin alone gets the same
    /// answer for a Shanghai customer as for one that does not exist; one who may not create them at all gets
    /// the authorization answer, which tells nothing of the customer.
    @Test(arguments: creates)
    func aCustomerTheCallerMayNotSeeIsAnsweredAsOneThatDoesNotExist(_ create: Create) async throws {
        let f = try await Self.fixture("hidden-customer")
        let modules: [Permission.Module] = [.tickets, .tasks, .opportunities, .visits, .contacts]
        let tess = try await f.hire("Tess", branch: "berlin", permissions: modules.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .all) }
            + [Permission(module: .customers, actions: Permission.Action.allCases, scope: .branch("berlin"))])
        let reader = try await f.hire("Reader", branch: "berlin", permissions: modules.map { Permission(module: $0, actions: [.query], scope: .all) }
            + [Permission(module: .customers, actions: [.query], scope: .all)])
        let shanghai = try await f.customer("上海瑞丰科技有限公司", branch: "shanghai")
        let berlin = try await f.customer("Berliner Kunde", branch: "berlin")
        let head = try await f.engine.store.headPosition()
        var answers: [String] = []
        for customer in [shanghai, UUID.derived("customer", "nobody")] {
            let error = await Self.refusal { try await create(f.engine, customer, tess) }
            #expect(error?.code == .invalid && error?.field == "customerID", "\(String(describing: error))")
            answers.append(error?.message ?? "")
        }
        #expect(Set(answers).count == 1, "\(answers)")
        for customer in [shanghai, UUID.derived("customer", "nobody")] {
            let error = await Self.refusal { try await create(f.engine, customer, reader) }
            #expect(error?.code == .forbidden, "\(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        try await create(f.engine, berlin, tess)
        await f.close()
    }

    /// Merged is final: new work belongs with the surviving customer. An archived customer still gets them
    /// (archiving blocks changes of the customer itself, not the record of a call or a visit about it).
    @Test(arguments: creates)
    func aMergedCustomerGetsNoNewRecordsAnArchivedOneDoes(_ create: Create) async throws {
        let f = try await Self.fixture("merged-customer")
        let survivor = try await f.customer("Li Wei", branch: "north")
        let duplicate = try await f.customer("Li Wei (duplicate)", branch: "north")
        try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: survivor), as: f.admin)
        let head = try await f.engine.store.headPosition()
        let error = await Self.refusal { try await create(f.engine, duplicate, f.admin) }
        #expect(error?.code == .invalid && error?.field == "customerID", "\(String(describing: error))")
        #expect(error?.message.contains("merged") == true, "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head)
        try await create(f.engine, survivor, f.admin)

        let archived = try await f.customer("Zhang Min", branch: "north")
        try await f.engine.execute(Customer.self, id: archived, .archive(reason: "moved away"), as: f.admin)
        try await create(f.engine, archived, f.admin)
        await f.close()
    }

    /// A task may name no customer at all, and a repeat of a create (the same idempotency key) is still
    /// answered with its first result after the customer was merged.
    @Test func aTaskWithoutACustomerIsAcceptedAndARepeatKeepsItsFirstAnswer() async throws {
        let f = try await Self.fixture("no-customer-task")
        let id = UUID.derived("task", "no customer")
        try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
            title: "Order paper", kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_300_000)), assignee: f.admin.id), as: f.admin)
        #expect(try await f.engine.state(WorkTask.self, id: id, as: f.admin).state.details?.customerID == nil)

        let customer = try await f.customer("Li Wei", branch: "north")
        let survivor = try await f.customer("Li Wei (kept)", branch: "north")
        let ticket = UUID.derived("ticket", "repeat")
        let open = Ticket.Command.open(id: ticket, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                       subject: "No water", description: nil, department: "service", sla: nil)
        let first = try await f.engine.execute(Ticket.self, id: ticket, open, as: f.admin, idempotencyKey: "open-1")
        try await f.engine.execute(Customer.self, id: customer, .markMerged(into: survivor), as: f.admin)
        let again = try await f.engine.execute(Ticket.self, id: ticket, open, as: f.admin, idempotencyKey: "open-1")
        #expect(again.repeated && again.version == first.version)
        await f.close()
    }
}
