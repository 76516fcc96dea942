import CRMDomain
import EventSourcing
import Foundation
import Testing

private let customer = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!
private let otherCustomer = UUID(uuidString: "00000000-0000-0000-0000-00000000a002")!
private let gas = UUID(uuidString: "00000000-0000-0000-0000-00000000d001")!
private let meterProduct = UUID(uuidString: "00000000-0000-0000-0000-00000000d002")!
private let now = Date(timeIntervalSince1970: 1_767_225_600)

private func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }
private func amount(_ text: String) -> Decimal { Decimal(string: text)! }

private func entry(_ n: Int, _ value: String, _ currency: Currency = .cny, on day: String = "2026-01-10",
                   customerID: UUID = customer, product: UUID? = gas, item: String = "monthly fee", line: String = "gas") -> RevenueLedger.Entry {
    RevenueLedger.Entry(id: id(n), customerID: customerID, chargeItem: item, productID: product, businessLine: line,
                        date: date(day), amount: Money(amount(value), currency))
}

private func reading(_ n: Int, _ quantity: String, customerID: UUID = customer, unit: String = "m3",
                     from: String = "2026-01-01", to: String = "2026-01-31") -> RevenueLedger.UsageReading {
    RevenueLedger.UsageReading(id: id(n), customerID: customerID, meter: "M-100", periodStart: date(from), periodEnd: date(to),
                               quantity: amount(quantity), unit: unit)
}

private func recorded(_ e: RevenueLedger.Entry) -> RevenueEvent {
    .entryRecorded(RevenueEntryRecorded(entry: e, recordedBy: "emp-1", recordedAt: now))
}

/// USD→CNY 7.20 from January, 7.00 from 2026-03-01; EUR→USD 1.10 from January.
private let rates = [
    ExchangeRate(from: .usd, to: .cny, rate: amount("7.20"), validFrom: date("2026-01-01")),
    ExchangeRate(from: .usd, to: .cny, rate: amount("7.00"), validFrom: date("2026-03-01")),
    ExchangeRate(from: .eur, to: .usd, rate: amount("1.10"), validFrom: date("2026-01-01")),
]

@Suite("Revenue ledger")
struct RevenueTests {
    @Test func theLedgerOfACustomerHasADerivedStream() {
        #expect(RevenueLedger.id(customerID: customer) == RevenueLedger.id(customerID: customer))
        #expect(RevenueLedger.id(customerID: customer) != RevenueLedger.id(customerID: otherCustomer))
        #expect(RevenueLedger.stream(RevenueLedger.id(customerID: customer)).category == "revenue")
    }

    @Test func recordingAnEntryKeepsItsDimensionsAndExactAmount() {
        var s = Scenario(RevenueLedger.self)
        let e = entry(1, "1234.5678")
        #expect(s.apply(.record(e)) == [recorded(e)])
        #expect(s.state.customerID == customer)
        #expect(s.state.entries == [e])
        #expect(s.state.entries[0].amount.amount == amount("1234.5678"))
    }

    @Test func recordingTheSameEntryAgainRecordsNothingButADifferentOneWithItsIdIsRefused() {
        let s = Scenario(RevenueLedger.self, given: [recorded(entry(1, "10"))])
        #expect(s.when(.record(entry(1, "10"))).isEmpty)
        let error = s.whenRefused(.record(entry(1, "11")))
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "id")
    }

    @Test func entriesAreValidated() {
        let s = Scenario(RevenueLedger.self, given: [recorded(entry(1, "10"))])
        #expect(s.whenRefused(.record(entry(2, "0")))?.field == "amount")
        #expect(s.whenRefused(.record(entry(2, "1e30")))?.field == "amount", "a typo, not a charge")
        #expect(s.whenRefused(.record(entry(2, "-1000000000000000")))?.field == "amount")
        #expect(s.when(.record(entry(2, "999999999999999.99"))).count == 1, "just under the bound")
        #expect(s.when(.record(entry(3, "-25.50"))).count == 1, "a credit")
        #expect(s.whenRefused(.record(entry(2, "5", item: " ")))?.field == "chargeItem")
        #expect(s.whenRefused(.record(entry(2, "5", line: "")))?.field == "businessLine")
        #expect(s.whenRefused(.record(entry(2, "5", customerID: otherCustomer)))?.field == "customerID")
        var linked = entry(2, "-10")
        linked.reversalOf = id(1)
        #expect(s.whenRefused(.record(linked))?.field == "reversalOf")
    }

    @Test func aReversalNegatesTheOriginalOnItsDateAndLeavesItUntouched() throws {
        var s = Scenario(RevenueLedger.self, given: [recorded(entry(1, "100.25", .usd, on: "2026-02-10"))])
        let events = s.apply(.reverse(entryID: id(1), reversalID: id(2), reason: "billed twice"))
        var expected = entry(1, "-100.25", .usd, on: "2026-02-10")
        expected.id = id(2)
        expected.reversalOf = id(1)
        expected.note = "billed twice"
        #expect(events == [.entryReversed(RevenueEntryReversed(reversal: expected, reason: "billed twice", reversedBy: "emp-1", reversedAt: now))])
        #expect(s.state.entries[0] == entry(1, "100.25", .usd, on: "2026-02-10"))
        #expect(s.state.isReversed(id(1)))
        #expect(try RevenueReport.total(s.state.entries, in: .cny, rates: rates) == Money(0, .cny))
    }

    @Test func reversalRulesAreEnforced() {
        let s = Scenario(RevenueLedger.self, given: [
            recorded(entry(1, "10")),
            .entryReversed(RevenueEntryReversed(reversal: {
                var r = entry(2, "-10")
                r.reversalOf = id(1)
                return r
            }(), reason: "wrong", reversedBy: "emp-1", reversedAt: now)),
            recorded(entry(3, "20")),
        ])
        #expect(s.whenRefused(.reverse(entryID: id(9), reversalID: id(10), reason: "x"))?.code == .notFound)
        #expect(s.whenRefused(.reverse(entryID: id(1), reversalID: id(10), reason: "again"))?.code == .invalidTransition)
        #expect(s.whenRefused(.reverse(entryID: id(2), reversalID: id(10), reason: "undo"))?.code == .invalidTransition)
        #expect(s.whenRefused(.reverse(entryID: id(3), reversalID: id(1), reason: "x"))?.field == "reversalID")
        #expect(s.whenRefused(.reverse(entryID: id(3), reversalID: id(10), reason: " "))?.field == "reason")
    }

    @Test func aCorrectionIsAReversalThenANewEntry() throws {
        var s = Scenario(RevenueLedger.self)
        s.apply(.record(entry(1, "100")))
        s.apply(.reverse(entryID: id(1), reversalID: id(2), reason: "wrong amount"))
        s.apply(.record(entry(3, "120")))
        #expect(s.state.entries.map(\.amount.amount) == [100, -100, 120])
        #expect(try RevenueReport.total(s.state.entries, in: .cny, rates: rates) == Money(120, .cny))
    }

    @Test func conversionUsesTheRateValidOnEachEntrysDateAcrossARateChange() throws {
        let before = entry(1, "100", .usd, on: "2026-02-28")
        let after = entry(2, "100", .usd, on: "2026-03-01")
        #expect(try RevenueReport.converted(before, to: .cny, rates: rates) == Money(720, .cny))
        #expect(try RevenueReport.converted(after, to: .cny, rates: rates) == Money(700, .cny))
        let monthly = try RevenueReport.byMonth([before, after], in: .cny, rates: rates)
        #expect(monthly == [RevenueMonth(year: 2026, month: 2): Money(720, .cny), RevenueMonth(year: 2026, month: 3): Money(700, .cny)])
        // The inverse direction divides by the rate valid on the day, exactly to 4 places.
        #expect(try RevenueReport.converted(entry(3, "720", .cny, on: "2026-02-01"), to: .usd, rates: rates) == Money(100, .usd))
        #expect(try RevenueReport.converted(entry(4, "700", .cny, on: "2026-03-15"), to: .usd, rates: rates) == Money(100, .usd))
    }

    @Test func aMissingRateIsNotConfigured() {
        let early = entry(1, "10", .eur, on: "2025-12-31")
        #expect(throws: DomainError.self) { try RevenueReport.converted(early, to: .usd, rates: rates) }
        do {
            _ = try RevenueReport.byCustomer([early], in: .usd, rates: rates)
            Issue.record("expected notConfigured")
        } catch {
            #expect(error.code == .notConfigured)
            #expect(error.field == "exchangeRates")
        }
    }

    @Test func revenueIsAggregatedByProductCustomerChargeItemAndBusinessLineInATargetCurrency() throws {
        let entries = [
            entry(1, "100", .usd, on: "2026-01-05"),
            entry(2, "720", .cny, on: "2026-01-06", product: meterProduct, item: "installation"),
            entry(3, "10", .eur, on: "2026-01-07", customerID: otherCustomer, product: nil, line: "water"),
        ]
        let byProduct = try RevenueReport.byProduct(entries, in: .usd, rates: rates)
        #expect(byProduct == [gas: Money(100, .usd), meterProduct: Money(100, .usd), nil: Money(11, .usd)])
        let byCustomer = try RevenueReport.byCustomer(entries, in: .usd, rates: rates)
        #expect(byCustomer == [customer: Money(200, .usd), otherCustomer: Money(11, .usd)])
        #expect(try RevenueReport.byChargeItem(entries, in: .usd, rates: rates) == ["installation": Money(100, .usd), "monthly fee": Money(111, .usd)])
        #expect(try RevenueReport.byBusinessLine(entries, in: .usd, rates: rates) == ["gas": Money(200, .usd), "water": Money(11, .usd)])
        #expect(try RevenueReport.total(entries, in: .usd, rates: rates) == Money(211, .usd))
        #expect(try RevenueReport.total([], in: .usd, rates: rates) == Money(0, .usd))
    }

    @Test func usageReadingsAreRecordedOnceAndValidated() {
        var s = Scenario(RevenueLedger.self)
        let r = reading(1, "12.5")
        #expect(s.apply(.recordUsage(r)) == [.usageRecorded(UsageReadingRecorded(reading: r, recordedBy: "emp-1", recordedAt: now))])
        #expect(s.state.readings == [r])
        #expect(s.when(.recordUsage(r)).isEmpty)
        #expect(s.whenRefused(.recordUsage(reading(1, "13")))?.code == .alreadyExists)
        #expect(s.whenRefused(.recordUsage(reading(2, "-1")))?.field == "quantity")
        #expect(s.whenRefused(.recordUsage(reading(2, "1", unit: " ")))?.field == "unit")
        #expect(s.whenRefused(.recordUsage(reading(2, "1", from: "2026-02-01", to: "2026-01-31")))?.field == "periodEnd")
        #expect(s.whenRefused(.recordUsage(reading(2, "1", customerID: otherCustomer)))?.field == "customerID")
        var unnamed = reading(2, "1")
        unnamed.meter = ""
        #expect(s.whenRefused(.recordUsage(unnamed))?.field == "meter")
    }

    @Test func importingABillingBatchRecordsItsEntriesAndReadingsOnce() {
        var s = Scenario(RevenueLedger.self)
        let source = RevenueLedger.BatchSource(system: "billing", batchID: "2026-01")
        let events = s.apply(.importBatch(source, entries: [entry(1, "10"), entry(2, "20")], readings: [reading(3, "40")]))
        #expect(events == [.batchImported(BillingBatchImported(source: source, entries: [entry(1, "10"), entry(2, "20")],
                                                               readings: [reading(3, "40")], importedAt: now))])
        #expect(s.state.entries.count == 2)
        #expect(s.state.readings.count == 1)
        #expect(s.state.customerID == customer)
        #expect(s.when(.importBatch(source, entries: [entry(1, "10"), entry(2, "20")], readings: [reading(3, "40")])).isEmpty)
        #expect(s.when(.importBatch(source, entries: [entry(7, "99")], readings: [])).isEmpty, "the batch id alone decides")
    }

    @Test func importedBatchesAreValidated() {
        let s = Scenario(RevenueLedger.self, given: [recorded(entry(1, "10"))])
        let source = RevenueLedger.BatchSource(system: "billing", batchID: "b-2")
        #expect(s.whenRefused(.importBatch(source, entries: [], readings: []))?.field == "batch")
        #expect(s.whenRefused(.importBatch(RevenueLedger.BatchSource(system: " ", batchID: "b"), entries: [entry(2, "1")], readings: []))?.field == "system")
        #expect(s.whenRefused(.importBatch(RevenueLedger.BatchSource(system: "billing", batchID: ""), entries: [entry(2, "1")], readings: []))?.field == "batchID")
        #expect(s.whenRefused(.importBatch(source, entries: [entry(1, "10")], readings: []))?.code == .alreadyExists)
        #expect(s.whenRefused(.importBatch(source, entries: [entry(2, "1"), entry(2, "1")], readings: []))?.code == .alreadyExists)
        #expect(s.whenRefused(.importBatch(source, entries: [], readings: [reading(3, "1"), reading(3, "1")]))?.code == .alreadyExists)
        #expect(s.whenRefused(.importBatch(source, entries: [entry(2, "0")], readings: []))?.field == "amount")
        #expect(s.whenRefused(.importBatch(source, entries: [entry(2, "5", customerID: otherCustomer)], readings: []))?.field == "customerID")
        #expect(s.whenRefused(.importBatch(source, entries: [], readings: [reading(3, "1", customerID: otherCustomer)]))?.field == "customerID")
        let fresh = Scenario(RevenueLedger.self)
        #expect(fresh.whenRefused(.importBatch(source, entries: [entry(2, "5"), entry(3, "5", customerID: otherCustomer)], readings: []))?.field == "customerID")
    }

    @Test func usageIsSummedPerCustomerInOneUnitWithinAPeriod() {
        let readings = [
            reading(1, "10.5"), reading(2, "4.5", from: "2026-01-15", to: "2026-01-31"),
            reading(3, "99", unit: "kWh"), reading(4, "7", customerID: otherCustomer),
            reading(5, "50", from: "2025-12-20", to: "2026-01-10"),
        ]
        let january = RevenueReport.usageByCustomer(readings, unit: "m3", within: date("2026-01-01")...date("2026-01-31"))
        #expect(january == [customer: 15, otherCustomer: 7])
    }

    @Test func everyRevenueEventRoundTripsThroughBothEncodings() throws {
        var reversal = entry(2, "-0.0001", .eur)
        reversal.reversalOf = id(1)
        reversal.note = "冲销"
        try expectRoundTrips([
            recorded(entry(1, "12345678901234.5678", .usd)),
            .entryReversed(RevenueEntryReversed(reversal: reversal, reason: "冲销", reversedBy: "emp-1", reversedAt: now)),
            .usageRecorded(UsageReadingRecorded(reading: reading(3, "0.001"), recordedBy: "emp-1", recordedAt: now)),
            .batchImported(BillingBatchImported(source: RevenueLedger.BatchSource(system: "billing", batchID: "b1"),
                                                entries: [entry(4, "1", product: nil)], readings: [reading(5, "2")], importedAt: now)),
        ])
    }
}
