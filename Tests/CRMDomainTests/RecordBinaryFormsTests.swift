import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The hand-written binary forms of the events that create or edit a record (customers, contacts, tickets,
/// opportunities, quotes) and of the values they carry write exactly what their `Codable` conformances write,
/// and each decoder reads the other's bytes back to the same value.
@Suite struct RecordBinaryFormsTests {
    let id = UUID(uuidString: "6F1C2A4E-0D5B-4C1E-9B7A-3E2D1C0B9A88") ?? UUID()
    let other = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    let at = Date(timeIntervalSince1970: 1_767_225_600.123456)
    let day = LocalDate(year: 2026, month: 2, day: 28)!
    let leapDay = LocalDate(year: 1996, month: 2, day: 29)!

    var keys: [ExternalKey] {
        [ExternalKey(system: "billing", key: "B-000123"), ExternalKey(system: "net_inv-2", key: "x"), ExternalKey(system: "", key: "")]
    }

    /// Keys whose sorted order differs from any insertion order, non-ASCII ones included, and every kind of value.
    var customFields: [String: FieldValue] {
        [
            "zeta": .text("客户备注"),
            "alpha": .number(Decimal(string: "-12.345") ?? 0),
            "行业": .option("制造业"),
            "Ärger": .bool(true),
            "budget": .money(Money(Decimal(string: "1000000.01") ?? 0, .cny)),
            "since": .date(leapDay),
            "ref": .id(other),
            "tags": .list(["vip", "北京", ""]),
            "empty": .list([]),
            "": .text(""),
        ]
    }

    var changes: [FieldChange] {
        [
            FieldChange(field: "name", old: .text("Acme"), new: .text("阿克米")),
            FieldChange(field: "custom.budget", old: nil, new: .money(Money(5, .eur))),
            FieldChange(field: "industry", old: .option("retail"), new: nil),
            FieldChange(field: "founded", old: nil, new: nil),
        ]
    }

    @Test func externalKeysWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable(keys)
        try expectHandFormMatchesCodable([keys, [], [keys[0]]])
    }

    @Test func createdCustomersWriteTheirCodableBytes() throws {
        let customers = [
            CustomerCreated(customerID: id, kind: .person, name: "Ann", group: "residential", status: .prospect,
                            customFields: [:], externalKeys: []),
            CustomerCreated(customerID: other, kind: .organisation, name: "北京燃气有限公司", group: "key-account",
                            industry: "utilities", branch: "north", community: "朝阳", owner: "e-7", status: .active,
                            birthday: nil, founded: leapDay, customFields: customFields, externalKeys: keys),
            CustomerCreated(customerID: id, kind: .person, name: "", group: "", industry: "", branch: nil, community: nil,
                            owner: "", status: .suspended, birthday: day, founded: nil,
                            customFields: ["only": .bool(false)], externalKeys: [keys[1]]),
            CustomerCreated(customerID: other, kind: .organisation, name: "Merged Ltd", group: "sme", industry: nil,
                            branch: "south", community: nil, owner: nil, status: .merged, birthday: day, founded: day,
                            customFields: ["b": .text("2"), "a": .text("1")], externalKeys: keys.reversed()),
        ]
        try expectHandFormMatchesCodable(customers)
    }

    @Test func editedCustomersWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([
            CustomerEdited(customerID: id, changes: []),
            CustomerEdited(customerID: other, changes: changes),
            CustomerEdited(customerID: id, changes: [changes[2]]),
        ])
    }

    @Test func createdContactsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([
            ContactCreated(contactID: id, customerID: other, name: "Bob", role: .primary),
            ContactCreated(contactID: other, customerID: id, name: "王小明", role: .backup, title: "经理", phone: "+86 10 1234 5678",
                           email: "wang@example.invalid"),
            ContactCreated(contactID: id, customerID: id, name: "", role: .other, title: nil, phone: "", email: nil),
        ])
    }

    @Test func openedTicketsWriteTheirCodableBytes() throws {
        // Every channel, kind and severity at least once, with and without a description.
        let count = max(ContactChannel.allCases.count, TicketKind.allCases.count, TicketSeverity.allCases.count)
        let tickets = (0..<count).map { i in
            TicketOpened(
                ticketID: i.isMultiple(of: 2) ? id : other,
                channel: ContactChannel.allCases[i % ContactChannel.allCases.count],
                kind: TicketKind.allCases[i % TicketKind.allCases.count],
                severity: TicketSeverity.allCases[i % TicketSeverity.allCases.count],
                customerID: i.isMultiple(of: 2) ? other : id,
                subject: i.isMultiple(of: 3) ? "停水投诉 \(i)" : "No water \(i)",
                description: i.isMultiple(of: 2) ? nil : "描述: line \(i)\nsecond line",
                department: i.isMultiple(of: 2) ? "service" : "客服部",
                openedAt: at.addingTimeInterval(Double(i)),
                responseDueAt: at.addingTimeInterval(3_600),
                resolutionDueAt: i == 0 ? .distantFuture : at.addingTimeInterval(86_400.5))
        }
        try expectHandFormMatchesCodable(tickets)
    }

    @Test func pipelinesAndOpportunityDetailsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([
            Pipeline.default, Pipeline(name: "empty", stages: []), Pipeline(name: "项目", stages: ["线索", "投标", "谈判"]),
        ])
        try expectHandFormMatchesCodable([
            Opportunity.Details(customerID: id, title: "Fibre rollout", source: "referral",
                                expectedRevenue: Money(Decimal(string: "250000.00") ?? 0, .usd), closeDate: day),
            Opportunity.Details(customerID: other, title: "燃气管道改造", source: "",
                                expectedRevenue: Money(0, .cny), closeDate: leapDay),
        ])
    }

    @Test func openedOpportunitiesAndStageChangesWriteTheirCodableBytes() throws {
        let details = Opportunity.Details(customerID: id, title: "新项目", source: "campaign",
                                          expectedRevenue: Money(Decimal(string: "-0.5") ?? 0, .eur), closeDate: day)
        try expectHandFormMatchesCodable([
            OpportunityOpened(opportunityID: id, details: details, pipeline: .default, stage: "opportunityFound", owner: "e-1"),
            OpportunityOpened(opportunityID: other, details: details, pipeline: Pipeline(name: "p", stages: []), stage: "",
                              owner: "销售一"),
        ])
        try expectHandFormMatchesCodable([
            OpportunityStageChanged(opportunityID: id, change: FieldChange(field: "stage", old: .option("lead"), new: .option("tender"))),
            OpportunityStageChanged(opportunityID: other, change: FieldChange(field: "stage", old: nil, new: .option("谈判"))),
            OpportunityStageChanged(opportunityID: id, change: FieldChange(field: "stage", old: .text("x"), new: nil)),
        ])
    }

    var lines: [QuoteLine] {
        [
            QuoteLine(productID: id, productName: "Meter", unitPrice: Money(Decimal(string: "19.90") ?? 0, .usd), quantity: 3),
            QuoteLine(productID: other, productName: "安装服务", unitPrice: Money(Decimal(string: "1234.5678") ?? 0, .usd),
                      quantity: Decimal(string: "0.25") ?? 0, discountPercent: Decimal(string: "12.5") ?? 0),
        ]
    }

    var revisions: [QuoteRevision] {
        [
            QuoteRevision(number: 1, draft: QuoteDraft(lines: []), author: "e-1", authorRole: "sales", authorLimit: nil,
                          needsApproval: false, createdAt: at),
            QuoteRevision(number: 2, draft: QuoteDraft(lines: lines, discountPercent: 5, validUntil: day, note: "含税价格"),
                          author: "张三", authorRole: "manager", authorLimit: Decimal(string: "7.5") ?? 0,
                          needsApproval: true, createdAt: at),
            QuoteRevision(number: 300, draft: QuoteDraft(lines: [lines[1]], discountPercent: 0, validUntil: nil, note: ""),
                          author: "", authorRole: "", authorLimit: 0, needsApproval: false, createdAt: .distantPast),
        ]
    }

    @Test func quoteLinesDraftsAndRevisionsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable(lines)
        try expectHandFormMatchesCodable(revisions.map(\.draft))
        try expectHandFormMatchesCodable(revisions)
    }

    @Test func createdQuotesWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable(revisions.enumerated().map { i, revision in
            QuoteCreated(quoteID: i.isMultiple(of: 2) ? id : other, customerID: other, customerCode: i == 1 ? "客户" : "ACME",
                         number: "Q-ACME-20260228-00\(i + 1)", revision: revision)
        })
        // An event that carries a revision nested, through the coder, reads the same bytes both ways.
        let revised = QuoteRevised(quoteID: id, revision: revisions[1])
        let bytes = try BinaryPayloadEncoder.encode(revised)
        #expect(bytes == (try BinaryPayloadEncoder.encodeWithCodable(revised)))
        #expect(try BinaryPayloadDecoder.decode(QuoteRevised.self, from: bytes) == revised)
    }
}
