import CRMDomain
import EventSourcing
import Foundation
import Testing

private let customerID = UUID.derived("test", "money bounds customer")
private let oppID = UUID.derived("test", "money bounds opportunity")
private let productID = UUID.derived("test", "money bounds product")
private let quoteID = UUID.derived("test", "money bounds quote")
private let contractID = UUID.derived("test", "money bounds contract")
/// 10^15, the first amount refused.
private let tooLarge = Decimal(string: "1000000000000000") ?? 0
/// 10^15 − 0.01, the largest amount of cents accepted.
private let largest = Decimal(string: "999999999999999.99") ?? 0

private func details(_ amount: Decimal) -> Opportunity.Details {
    Opportunity.Details(customerID: customerID, title: "Meter upgrade", source: "referral", expectedRevenue: Money(amount, .cny), closeDate: date("2026-06-30"))
}

private func quoteLine(price: Decimal = 100, quantity: Decimal = 1) -> QuoteLine {
    QuoteLine(productID: productID, productName: "Smart meter", unitPrice: Money(price, .cny), quantity: quantity)
}

private func createQuote(_ line: QuoteLine) -> Quote.Command {
    .create(quoteID: quoteID, customerID: customerID, customerCode: "acme", date: date("2026-03-09"), sequence: 1,
            draft: QuoteDraft(lines: [line]), authorRole: "salesManager", limits: DiscountLimit.defaults)
}

private func contractLines(quantity: Decimal = 1, price: Decimal = 100) -> [Contract.Line] {
    [Contract.Line(productID: productID, name: "Gas supply", quantity: quantity, unitPrice: Money(price, .cny))]
}

private func draftContract(_ lines: [Contract.Line]) -> Contract.Command {
    .draft(id: contractID, customerID: customerID, owner: "emp-7", branch: "shanghai", title: "Gas supply 2026", quoteID: quoteID,
           quoteNumber: "C001-20251220-01", lines: lines,
           terms: Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-15"), expiry: date("2026-12-31"), renewalTermMonths: 12))
}

/// Money amounts and quantities (R-SAL): one bound for every one a command brings in — less than 10^15 either
/// way (``Validate/largestAmount``, the revenue ledger's bound) — and events recorded before still replay.
@Suite("Money bounds")
struct MoneyBoundsTests {
    @Test func theRevenueLedgersBoundIsTheOneBoundOfEveryAmount() throws {
        #expect(RevenueLedger.largestAmount == Validate.largestAmount)
        #expect(Validate.largestAmount == tooLarge)
        #expect(try Validate.amount(largest, field: "amount") == largest)
        #expect(try Validate.amount(-largest, field: "amount") == -largest)
        for refused in [tooLarge, -tooLarge, Decimal.nan, Decimal(string: "1e40") ?? 0] {
            #expect(throws: DomainError.invalid("amount", "must be less than 10^15 either way")) { try Validate.amount(refused, field: "amount") }
        }
    }

    @Test func aTextNumberADecimalCannotHoldExactlyIsNoNumberRatherThanRounded() {
        // What the CLI and the console read amounts with.
        #expect(Decimal(wholeText: String(repeating: "9", count: 41)) == nil)
        #expect(Decimal(wholeText: "0." + String(repeating: "1", count: 40), exponent: false) == nil)
        #expect(Decimal(wholeText: "1e-129") == nil)
        #expect(Decimal(wholeText: "999999999999999.99") == largest)
        #expect(Decimal(wholeText: "99999999999999999999999999999999999999000") == Decimal(string: "99999999999999999999999999999999999999000"))
    }

    @Test func anOpportunitysExpectedRevenueOfTenToTheFifteenIsRefusedAndWritesNothing() {
        let s = Scenario(Opportunity.self)
        let refused = s.whenRefused(.open(opportunityID: oppID, details: details(tooLarge), pipeline: .default, stage: nil, owner: "emp-1"))
        #expect(refused?.field == "expectedRevenue")
        #expect(refused?.detail == "must be less than 10^15 either way")
        #expect(s.when(.open(opportunityID: oppID, details: details(largest), pipeline: .default, stage: nil, owner: "emp-1")).count == 1)
    }

    @Test func anOpportunityRecordedWithAHugeRevenueReplaysAndAnEditKeepingItIsNotJudgedAgain() {
        let huge = Decimal(string: "99999999999999999999999999999999999999000") ?? 0
        let opened = OpportunityEvent.opened(OpportunityOpened(opportunityID: oppID, details: details(huge), pipeline: .default,
                                                               stage: "maintainingRelationship", owner: "emp-1"))
        let s = Scenario(Opportunity.self, given: [opened])
        #expect(s.state.details?.expectedRevenue.amount == huge)
        #expect(s.when(.edit(title: "Renamed", source: "referral", expectedRevenue: Money(huge, .cny), closeDate: date("2026-06-30"))).count == 1)
        #expect(s.whenRefused(.edit(title: "Meter upgrade", source: "referral", expectedRevenue: Money(huge + 1000, .cny),
                                    closeDate: date("2026-06-30")))?.field == "expectedRevenue")
    }

    @Test func aProductsStandardPriceOfTenToTheFifteenIsRefused() {
        let s = Scenario(Product.self)
        #expect(s.whenRefused(.create(productID: productID, productLine: "gas", name: "Meter", standardPrice: Money(tooLarge, .cny)))?.field == "standardPrice")
        #expect(s.when(.create(productID: productID, productLine: "gas", name: "Meter", standardPrice: Money(largest, .cny))).count == 1)
    }

    @Test func aQuoteLinesQuantityOrUnitPriceOfTenToTheFifteenIsRefused() {
        let s = Scenario(Quote.self)
        #expect(s.whenRefused(createQuote(quoteLine(quantity: Decimal(string: "99999999999999999999999") ?? 0)))?.field == "quantity")
        #expect(s.whenRefused(createQuote(quoteLine(price: tooLarge)))?.field == "unitPrice")
        #expect(s.when(createQuote(quoteLine(price: largest, quantity: largest))).count == 1)
    }

    @Test func aContractLinesQuantityOrUnitPriceOfTenToTheFifteenIsRefused() {
        let s = Scenario(Contract.self)
        #expect(s.whenRefused(draftContract(contractLines(quantity: tooLarge)))?.field == "quantity")
        #expect(s.whenRefused(draftContract(contractLines(price: tooLarge)))?.field == "unitPrice")
        #expect(s.when(draftContract(contractLines(quantity: largest, price: largest))).count == 1)
    }

    @Test func aCustomNumberOrMoneyValueOfTenToTheFifteenIsRefusedAsAreSuchBounds() {
        let form = FormDefinition(group: "residential", fields: [
            FieldDefinition(name: "creditLimit", label: "Credit limit", type: .money),
            FieldDefinition(name: "meters", label: "Meters", type: .number),
        ])
        let huge = Decimal(string: "99999999999999999999999999999999999999000") ?? 0
        #expect(form.violations(of: ["creditLimit": .money(Money(huge, .cny))]).map(\.field) == ["creditLimit"])
        #expect(form.violations(of: ["meters": .number(-tooLarge)]).map(\.field) == ["meters"])
        #expect(form.violations(of: ["creditLimit": .money(Money(largest, .cny)), "meters": .number(largest)]).isEmpty)
        #expect(throws: DomainError.self) { try FieldDefinition(name: "deposit", label: "Deposit", type: .money, maximum: tooLarge).validated() }
        #expect(throws: Never.self) { try FieldDefinition(name: "deposit", label: "Deposit", type: .money, maximum: largest).validated() }
    }

    @Test func aUsageReadingOfTenToTheFifteenIsRefused() {
        let reading = RevenueLedger.UsageReading(id: UUID.derived("test", "money bounds reading"), customerID: customerID, meter: "gas",
                                                 periodStart: date("2026-01-01"), periodEnd: date("2026-01-31"), quantity: tooLarge, unit: "m3")
        #expect(Scenario(RevenueLedger.self).whenRefused(.recordUsage(reading))?.field == "quantity")
    }
    @Test func theSettingsRatesPaySchemeAndCostBudgetsAreBoundedAlike() throws {
        let s = Scenario(Settings.self)
        let day = try #require(LocalDate(year: 2026, month: 1, day: 1))
        let huge = Validate.largestAmount
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: .usd, to: .cny, rate: huge, validFrom: day)))?.field == "rate")
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, basePerDay: huge, defaultRatePerPoint: 1)))?.field == "basePerDay")
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, defaultRatePerPoint: huge)))?.field == "defaultRatePerPoint")
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, defaultRatePerPoint: 1, rates: [.init(indicator: "dealsWon", perPoint: huge)])))?.field == "perPoint")
        #expect(s.whenRefused(.setCostBudget(CostBudget(dimension: .industry, key: "energy", month: RevenueMonth(year: 2026, month: 3),
                                                        amount: Money(huge, .cny))))?.field == "amount")
        #expect(s.when(.setPayScheme(PayScheme(currency: .cny, basePerDay: huge - 1, defaultRatePerPoint: 1))).count == 1)
    }
}
