import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Campaign target selection by RFM segment and birthday month (R-MKT-3), survey recipients that must be
/// customers, revenue entries that must name catalog products, and the revenue report's single rounding.
@Suite struct MarketingRound4Tests {
    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    func purchase(_ f: EngineFixture, _ customer: UUID, _ label: String, on day: String, _ amount: Decimal, _ currency: Currency = .cny,
                  chargeItem: String = "gas", product: UUID? = nil) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", label), customerID: customer, chargeItem: chargeItem, productID: product, businessLine: "gas",
            date: try EngineFixture.day(day), amount: Money(amount, currency))), as: f.admin)
    }

    func campaign(_ f: EngineFixture) async throws -> UUID {
        let campaign = UUID.derived("campaign", "greetings")
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Greetings", objective: "Keep customers", owner: f.admin.id,
                                                                     budget: Money(5_000, .cny), start: try EngineFixture.day("2026-01-01"),
                                                                     end: try EngineFixture.day("2026-03-31")), as: f.admin)
        return campaign
    }

    func person(_ f: EngineFixture, _ name: String, birthday: String?) async throws -> UUID {
        let id = UUID.derived("customer", name)
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: name, group: "residential", branch: "north", birthday: try birthday.map(EngineFixture.day)),
            form: .empty(group: "residential")), as: f.admin)
        return id
    }

    @Test func selectingTargetsBySegmentKeepsOnlyTheCustomersOfThatRFMSegment() async throws {
        let f = try await EngineFixture.make("select-by-segment")
        var customers: [UUID] = []
        // Different recencies and amounts over 2025 (the clock's today is 2026-01-01): different segments.
        for (n, purchases) in [[("2025-12-20", 900), ("2025-12-10", 800), ("2025-11-15", 700)], [("2025-12-01", 300)], [("2025-06-01", 200), ("2025-05-01", 200)],
                                [("2025-02-01", 10)], [], [("2025-09-01", 50)]].enumerated() {
            let customer = try await f.customer("Segmented \(n)", branch: "north")
            customers.append(customer)
            for (k, (day, amount)) in purchases.enumerated() { try await purchase(f, customer, "segmented-\(n)-\(k)", on: day, Decimal(amount)) }
        }
        try await caughtUp(f)
        let scores = try await f.engine.rfm(currency: .cny, as: f.admin)
        let segment = try #require(scores.first { $0.customerID == customers[0] }?.segment)
        let expected = Set(scores.filter { $0.segment == segment }.map(\.customerID))
        #expect(!expected.isEmpty && expected.count < customers.count, "\(scores.map(\.segment))")

        let campaign = try await campaign(f)
        let selection = try await f.engine.selectTargets(campaign: campaign, listID: UUID.derived("list", "segment"), filter: CustomerFilter(),
                                                         segment: segment, as: f.admin)
        #expect(Set(selection.list.customerIDs) == expected)
        #expect(selection.list.segment == segment && selection.list.criteria == "segment=\(segment)")

        // An unknown segment name is refused, naming the field; nothing is written.
        let head = try await f.engine.store.headPosition()
        let unknown = await #expect(throws: EngineError.self) {
            _ = try await f.engine.selectTargets(campaign: campaign, listID: UUID.derived("list", "typo"), filter: CustomerFilter(), segment: "atRsik", as: f.admin)
        }
        #expect(unknown?.code == .invalid && unknown?.field == "segment", "\(String(describing: unknown))")
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }

    @Test func selectingTargetsByBirthdayMonthKeepsThePersonsBornThatMonth() async throws {
        let f = try await EngineFixture.make("select-by-birthday")
        let may1 = try await person(f, "May One", birthday: "1980-05-04")
        let june = try await person(f, "June", birthday: "1975-06-01")
        let may2 = try await person(f, "May Two", birthday: "1990-05-31")
        _ = try await person(f, "Unknown Birthday", birthday: nil)
        try await caughtUp(f)
        let campaign = try await campaign(f)
        let selection = try await f.engine.selectTargets(campaign: campaign, listID: UUID.derived("list", "may"), filter: CustomerFilter(branch: "north"),
                                                         birthdayMonth: 5, as: f.admin)
        #expect(Set(selection.list.customerIDs) == [may1, may2] && !selection.list.customerIDs.contains(june))
        #expect(selection.list.criteria == "branch=north&birthdayMonth=5")

        let error = await #expect(throws: EngineError.self) {
            _ = try await f.engine.selectTargets(campaign: campaign, listID: UUID.derived("list", "m13"), filter: CustomerFilter(), birthdayMonth: 13, as: f.admin)
        }
        #expect(error?.field == "birthdayMonth")
        // No one born in a month: nothing matches.
        let none = await #expect(throws: EngineError.self) {
            _ = try await f.engine.selectTargets(campaign: campaign, listID: UUID.derived("list", "dec"), filter: CustomerFilter(), birthdayMonth: 12, as: f.admin)
        }
        #expect(none?.field == "filter")
        await f.close()
    }

    @Test func aSurveyIsDistributedOnlyToCustomersThatExist() async throws {
        let f = try await EngineFixture.make("survey-recipients")
        let customer = try await f.customer("Asked", branch: "north")
        let survey = UUID.derived("survey", "recipients")
        try await f.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Satisfaction", questions: [
            SurveyQuestion(id: "q1", prompt: "How satisfied are you?", kind: .rating, isRequired: true, scale: 5),
        ])), as: f.admin)
        let head = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(customer), .customer(UUID.derived("customer", "nobody"))]), as: f.admin)
        }
        #expect(error?.code == .invalid && error?.field == "recipients" && error?.message.contains("entry 2") == true, "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head)
        try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(customer)]), as: f.admin)
        #expect(try await f.engine.state(Survey.self, id: survey, as: f.admin).state.recipients == [.customer(customer)])
        await f.close()
    }

    @Test func aRevenueEntryNamesOnlyACatalogProduct() async throws {
        let f = try await EngineFixture.make("revenue-product")
        let customer = try await f.customer("Billed", branch: "north")
        let head = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) {
            try await purchase(f, customer, "unknown-product", on: "2025-12-01", 10, product: UUID.derived("product", "nowhere"))
        }
        #expect(error?.code == .invalid && error?.field == "productID", "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head)
        try await f.meterProduct()
        try await purchase(f, customer, "meter", on: "2025-12-01", 10, product: UUID.derived("product", "meter"))
        try await purchase(f, customer, "no-product", on: "2025-12-02", 10)
        #expect(try await f.engine.state(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), as: f.admin).state.entries.count == 2)
        await f.close()
    }

    @Test func convertedRevenueIsRoundedOnceNotEntryByEntry() async throws {
        let f = try await EngineFixture.make("revenue-rounding")
        let customer = try await f.customer("Converted", branch: "north")
        for (from, to, rate) in [(Currency.usd, Currency.cny, Decimal(7)), (Currency(rawValue: "GBP") ?? .cny, .cny, 9), (.eur, .usd, Decimal(string: "1.1") ?? 1)] {
            try await f.engine.execute(Settings.self, id: UUID(), .setExchangeRate(ExchangeRate(from: from, to: to, rate: rate, validFrom: try EngineFixture.day("2025-01-01"))), as: f.admin)
        }
        // fee: −10 CNY + 10 GBP (90 CNY) = 80 CNY = 80/7 USD = 11.428571…; other: 1000 CNY + 1500 EUR (1650 USD).
        try await purchase(f, customer, "credit", on: "2025-12-01", -10, chargeItem: "fee")
        try await purchase(f, customer, "gbp", on: "2025-12-02", 10, Currency(rawValue: "GBP") ?? .cny, chargeItem: "fee")
        try await purchase(f, customer, "cny", on: "2025-12-03", 1000, chargeItem: "other")
        try await purchase(f, customer, "eur", on: "2025-12-04", 1500, .eur, chargeItem: "other")
        let december = RevenueMonth(year: 2025, month: 12)
        let report = try await f.engine.revenue(RevenueQuery(by: .chargeItem, from: december, through: december, currency: .usd), as: f.admin,
                                                consistentWith: try await f.engine.store.headPosition())
        // Entry by entry: −1.4286 + 12.8571 = 11.4285; exactly 11.428571… → 11.4286. Total 1080/7 + 1650 = 1804.285714… → 1804.2857.
        #expect(report.rows.map { "\($0.key) \($0.amount)" } == ["fee 11.4286", "other 1792.8571"])
        #expect(report.total == Decimal(string: "1804.2857"))
        await f.close()
    }
}
