import CRMDomain
import EventSourcing
import Foundation
import Testing

@testable import CRMProjections

/// The hand-written binary forms of view rows write exactly what their `Codable` conformances write, and
/// read back what they wrote — with optionals present and absent, empty and filled arrays.
@Suite struct RowCodecsTests {
    let id = UUID(uuidString: "6F1C2A4E-0D5B-4C1E-9B7A-3E2D1C0B9A88") ?? UUID()
    let other = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    let at = Date(timeIntervalSince1970: 1_767_225_600.123456)
    let day = LocalDate(year: 2026, month: 2, day: 28)!
    var scopes: [RecordScope] {
        [.global, RecordScope(branch: "north", community: "c-1", group: "vip", owners: ["e-1", "e-2"]), RecordScope(branch: "南区")]
    }

    /// Same bytes both ways, and each decoder reads the other's bytes back to the same value.
    func check<T: Codable & BinaryPayloadCodable & Equatable>(_ values: [T]) throws {
        for value in values {
            let hand = try BinaryPayloadEncoder.encode(value)
            let codable = try BinaryPayloadEncoder.encodeWithCodable(value)
            #expect(hand == codable, "\(T.self): hand-written form differs from Codable")
            #expect(try BinaryPayloadDecoder.decode(T.self, from: codable) == value)
            #expect(try BinaryPayloadDecoder.decodeWithCodable(T.self, from: hand) == value)
        }
    }

    /// For row types without `Equatable`: same bytes, and decoding then encoding again gives them back.
    func checkBytes<T: Codable & BinaryPayloadCodable>(_ values: [T]) throws {
        for value in values {
            let hand = try BinaryPayloadEncoder.encode(value)
            #expect(hand == (try BinaryPayloadEncoder.encodeWithCodable(value)), "\(T.self): hand-written form differs from Codable")
            #expect(try BinaryPayloadEncoder.encode(BinaryPayloadDecoder.decode(T.self, from: hand)) == hand)
            #expect(try BinaryPayloadEncoder.encodeWithCodable(BinaryPayloadDecoder.decodeWithCodable(T.self, from: hand)) == hand)
        }
    }

    @Test func scopesAndFieldChangesWriteTheirCodableBytes() throws {
        try check(scopes)
        try check([FieldChange(field: "name", old: .text("Ann"), new: .text("安")), FieldChange(field: "vip", old: nil, new: .bool(true))])
    }

    @Test func customer360RowsWriteTheirCodableBytes() throws {
        try check([
            RelatedRecord(kind: .task, id: id, title: "Call", status: "open", detail: nil, at: at, day: nil, amount: nil, owner: "e-1", scope: .global),
            RelatedRecord(kind: .quote, id: id, title: "报价", status: "sent", detail: "d", at: nil, day: day,
                          amount: Money(Decimal(string: "1234.50") ?? 0, .cny), owner: nil, scope: scopes[1]),
        ])
        try checkBytes([Customer360Projection.Link(customerID: id, key: [1, 2, 3, 0]), Customer360Projection.Link(customerID: id, key: [])])
        try check([
            CustomerProfile(
                id: id, kind: .organisation, name: "Acme", group: "default", industry: "gas", branch: "north", community: nil,
                owner: "e-1", status: .active, isArchived: false, birthday: nil, founded: day,
                customFields: [CustomField(formGroup: "default", field: "size", value: .number(12)), CustomField(formGroup: "g", field: "t", value: .list(["a", "b"]))],
                externalKeys: [ExternalKey(system: "erp", key: "A-1")], mergedInto: other, absorbed: [other, id]),
            CustomerProfile(
                id: id, kind: .person, name: "王", group: "g", industry: nil, branch: nil, community: nil, owner: nil,
                status: .prospect, isArchived: true, birthday: day, founded: nil, customFields: [], externalKeys: [],
                mergedInto: nil, absorbed: []),
        ])
        try check([
            CustomerListItem(id: id, name: "Acme", kind: .organisation, group: "g", status: .active, isArchived: false, mergedInto: nil, scope: scopes[1]),
            CustomerListItem(id: id, name: "B", kind: .person, group: "g", status: .merged, isArchived: true, mergedInto: other, scope: .global),
        ])
    }

    @Test func logSearchAndIndicatorRowsWriteTheirCodableBytes() throws {
        try check([
            ActivityEntry(kind: .visit, id: id, customerID: other, employee: "e-1", channel: "visit", at: at, subject: "s", note: nil, status: "done", scope: scopes[1]),
            ActivityEntry(kind: .contactLog, id: id, customerID: other, employee: "e-2", channel: "phone", at: at, subject: "", note: "n", status: "logged", scope: .global),
        ])
        try checkBytes([
            KeywordIndex.Indexed(kind: .customer, id: id, title: "Acme", body: nil, customerID: nil, ownTerms: ["acme"], customerTerms: []),
            KeywordIndex.Indexed(kind: .ticket, id: id, title: "t", body: "b", customerID: other, ownTerms: [], customerTerms: ["中国", "国人"]),
        ])
        try check([SearchHit(kind: .opportunity, id: id, title: "x", customerID: other, scope: scopes[2], score: -3)])
        try check([EmployeeIndicators.Cell(employee: "e-1", month: "2026-02", indicator: "visits", value: 7, scope: scopes[1])])
        try check([
            EmployeeIndicators.Fact(employee: "e", branch: "b", customerID: id, dueAt: at, month: "2026-01", done: true),
            EmployeeIndicators.Fact(employee: nil, branch: nil, customerID: nil, dueAt: nil, month: nil, done: false),
        ])
    }

    /// A contact or ticket rewrites only the end of a customer's summary (after the purchase months): the
    /// head it keeps as stored ends exactly where the tail starts, and head + new tail are the bytes of the
    /// whole changed summary.
    @Test func aSummaryTailRewriteGivesTheWholeRowsBytes() throws {
        let months = [CustomerActivity.MonthAmount(month: "2026-01", currency: .eur, purchases: 2, amount: Decimal(string: "10.05") ?? 0),
                      CustomerActivity.MonthAmount(month: "2026-02", currency: .cny, purchases: 0, amount: Decimal(string: "-0.50") ?? 0)]
        let counts = [CustomerActivity.MonthCount(month: "2026-01", count: 3)]
        let summaries = [
            CustomerActivity.Summary(
                customerID: id, scope: scopes[1], firstPurchase: day, lastPurchase: day, purchases: 2, months: months,
                activity: counts, lastContactAt: at, openComplaints: 1, slaBreaches: counts),
            CustomerActivity.Summary(
                customerID: other, scope: scopes[2], firstPurchase: nil, lastPurchase: nil, purchases: 0, months: [], activity: [],
                lastContactAt: nil, openComplaints: 0, slaBreaches: []),
        ]
        for summary in summaries {
            let stored = try BinaryPayloadEncoder.encode(summary)
            var changed = summary
            changed.activity = CustomerActivity.increment(summary.activity, month: "2026-03")
            changed.lastContactAt = at.addingTimeInterval(60)
            changed.openComplaints += 2
            let spliced = try stored.withUnsafeBytes { bytes in
                var reader = BinaryReader(bytes)
                try CustomerActivity.Summary.skipHead(&reader)
                let head = bytes.count - reader.remaining
                var tail = try CustomerActivity.Summary.Tail(fromBinary: &reader)
                #expect(reader.isAtEnd)
                #expect(tail.activity == summary.activity && tail.lastContactAt == summary.lastContactAt)
                tail.activity = changed.activity
                tail.lastContactAt = changed.lastContactAt
                tail.openComplaints = changed.openComplaints
                var writer = BinaryWriter()
                writer.verbatim(UnsafeRawBufferPointer(rebasing: bytes[..<head]))
                tail.encode(toBinary: &writer)
                return writer.bytes
            }
            #expect(spliced == (try BinaryPayloadEncoder.encode(changed)))
        }
    }

    @Test func activityWorkAndSalesRowsWriteTheirCodableBytes() throws {
        let months = [CustomerActivity.MonthAmount(month: "2026-01", currency: .eur, purchases: 2, amount: Decimal(string: "10.05") ?? 0)]
        let counts = [CustomerActivity.MonthCount(month: "2026-01", count: 3), CustomerActivity.MonthCount(month: "2026-02", count: 0)]
        try check([
            CustomerActivity.Summary(
                customerID: id, scope: scopes[1], firstPurchase: day, lastPurchase: day, purchases: 2, months: months,
                activity: counts, lastContactAt: at, openComplaints: 1, slaBreaches: counts),
            CustomerActivity.Summary(
                customerID: id, scope: .global, firstPurchase: nil, lastPurchase: nil, purchases: 0, months: [], activity: [],
                lastContactAt: nil, openComplaints: 0, slaBreaches: []),
        ])
        try check([CustomerActivity.Link(customerID: id, complaint: true, resolutionDueAt: at, open: false),
                   CustomerActivity.Link(customerID: id, complaint: false, resolutionDueAt: nil, open: true)])
        try check([
            TaskBoard.Task(taskID: id, title: "t", kind: .visit, customerID: other, customerName: "Acme", assignee: "e-1", dueAt: at,
                           branch: "north", status: .completed, route: .manual, scope: scopes[1]),
            TaskBoard.Task(taskID: id, title: "", kind: .other, customerID: nil, customerName: nil, assignee: "e-2", dueAt: at,
                           branch: nil, status: .dispatched, route: .rules, scope: .global),
        ])
        try check([TaskBoard.Completions(assignee: "e", month: "2026-03", onTime: 4, late: 1, scope: scopes[0])])
        try check([
            RevenueCube.Cell(month: "2026-01", productID: id, customerID: other, currency: .usd, amount: Decimal(string: "-3.5") ?? 0, entries: 2, reversals: 1, scope: scopes[1]),
            RevenueCube.Cell(month: "2026-01", productID: nil, customerID: other, currency: .cny, amount: 0, entries: 0, reversals: 0, scope: .global),
        ])
        let stints = [TicketSLABoard.Stint(department: "service", enteredAt: at, leftAt: at), TicketSLABoard.Stint(department: "field", enteredAt: at, leftAt: nil)]
        try check([
            TicketSLABoard.TicketRow(
                ticketID: id, customerID: other, customerName: "Acme", channel: .phone, kind: .complaint, severity: .high,
                subject: "s", status: .inProgress, department: "field", assignee: "e-1", openedAt: at, responseDueAt: at,
                resolutionDueAt: at, firstRespondedAt: at, resolvedAt: nil, stints: stints, scope: scopes[1]),
            TicketSLABoard.TicketRow(
                ticketID: id, customerID: other, customerName: nil, channel: .email, kind: .faultRepair, severity: .low,
                subject: "", status: .open, department: "service", assignee: nil, openedAt: at, responseDueAt: at,
                resolutionDueAt: at, firstRespondedAt: nil, resolvedAt: at, stints: [], scope: .global),
        ])
        try check([
            OpportunityPipeline.OpportunityRow(
                opportunityID: id, customerID: other, customerName: "Acme", title: "t", source: "web", owner: "e-1", pipeline: "default",
                stages: ["lead", "won"], stage: "lead", status: .open, expectedRevenue: Money(Decimal(string: "99.99") ?? 0, .eur),
                closeDate: day, suggestedProbability: Decimal(string: "0.35"), overriddenProbability: nil, scope: scopes[1]),
            OpportunityPipeline.OpportunityRow(
                opportunityID: id, customerID: other, customerName: nil, title: "", source: "", owner: "e", pipeline: "p",
                stages: [], stage: "x", status: .lost, expectedRevenue: Money(0, .usd), closeDate: day,
                suggestedProbability: nil, overriddenProbability: 50, scope: .global),
        ])
    }

    @Test func costUsageAndOutcomeRowsWriteTheirCodableBytes() throws {
        let eur = Money(Decimal(string: "120.40") ?? 0, .eur)
        try check([
            CostLedger.CampaignCosts(
                campaignID: id, budget: eur, start: day, end: day,
                lines: [Campaign.CostLine(id: other, description: "展会", amount: eur, date: day),
                        Campaign.CostLine(id: id, description: "", amount: Money(0, .cny), date: day)],
                scope: scopes[1]),
            CostLedger.CampaignCosts(campaignID: id, budget: Money(0, .usd), start: day, end: day, lines: [], scope: .global),
        ])
        try check([
            CostLedger.VisitCosts(
                visitID: id, customerID: other, scheduledAt: at, actualDate: day,
                lines: [Visit.CostLine(id: other, kind: .lodging, amount: eur, note: "hotel"), Visit.CostLine(id: id, kind: .other, amount: eur)],
                scope: scopes[1]),
            CostLedger.VisitCosts(visitID: id, customerID: other, scheduledAt: at, actualDate: nil, lines: [], scope: .global),
        ])
        try check([
            OpportunityOutcomes.Row(
                opportunityID: id, pipeline: "default", stages: ["lead", "offer", "won"], source: "web", productLine: "gas",
                stage: "offer", furthestStage: 1, status: .open, scope: scopes[1]),
            OpportunityOutcomes.Row(
                opportunityID: id, pipeline: "p", stages: [], source: "", productLine: nil, stage: "x", furthestStage: -1,
                status: .lost, scope: .global),
        ])
        try check([
            UsageReadings.Row(
                reading: RevenueLedger.UsageReading(
                    id: id, customerID: other, meter: "M-1", periodStart: day, periodEnd: day, quantity: Decimal(string: "12.345") ?? 0, unit: "m3"),
                scope: scopes[2]),
        ])
    }
}
