import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Currencies (R-SAL-6): a command refuses a code that is not ISO 4217 (a typo such as `XYZ`), any real
/// currency is accepted, and events already recorded in any three-letter code still decode and replay.
@Suite("Currency validation")
struct CurrencyValidationTests {
    private static func currency(_ code: String) throws -> Currency { try #require(Currency(rawValue: code)) }
    private static let day = LocalDate(year: 2026, month: 1, day: 1) ?? LocalDate(year: 2000, month: 1, day: 1)!

    @Test("ISO 4217 codes are known and made-up ones are not", arguments: [
        ("USD", true), ("EUR", true), ("CNY", true), ("GBP", true), ("JPY", true), ("CHF", true), ("HKD", true),
        ("XYZ", false), ("ABC", false), ("USX", false), ("EUO", false), ("XXX", false), ("XTS", false),
    ])
    func isoCodes(_ code: String, _ known: Bool) throws {
        #expect(try Self.currency(code).isISO4217 == known)
    }

    @Test("setting an exchange rate from or to a code that is not ISO 4217 is refused, naming the side")
    func exchangeRateRefusesUnknownCodes() throws {
        let s = Scenario(Settings.self)
        let xyz = try Self.currency("XYZ")
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: xyz, to: .usd, rate: 2, validFrom: Self.day)))?.field == "from")
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: .cny, to: xyz, rate: 2, validFrom: Self.day)))?.field == "to")
        let gbp = try Self.currency("GBP")
        #expect(s.when(.setExchangeRate(ExchangeRate(from: gbp, to: .usd, rate: 1.27, validFrom: Self.day))).count == 1,
                "a real currency beyond USD, EUR and CNY works")
    }

    @Test("money in a code that is not ISO 4217 is refused by the commands that bring money in")
    func moneyRefusesUnknownCodes() throws {
        let xyz = try Self.currency("XYZ")
        let product = UUID.derived("test", "currency product")
        let refused = Scenario(Product.self).whenRefused(.create(productID: product, productLine: "gas", name: "Meter", standardPrice: Money(10, xyz)))
        #expect(refused?.code == .invalid)
        #expect(refused?.field == "standardPrice")
        #expect(Scenario(Product.self).when(.create(productID: product, productLine: "gas", name: "Meter",
                                                    standardPrice: Money(10, try Self.currency("JPY")))).count == 1)

        let customer = UUID.derived("test", "currency customer")
        let entry = RevenueLedger.Entry(id: UUID.derived("test", "currency entry"), customerID: customer, chargeItem: "gas",
                                        businessLine: "residential", date: Self.day, amount: Money(5, xyz))
        #expect(Scenario(RevenueLedger.self).whenRefused(.record(entry))?.field == "amount")

        let form = FormDefinition(group: "residential", fields: [FieldDefinition(name: "deposit", label: "Deposit", type: .money)])
        #expect(form.violations(of: ["deposit": .money(Money(5, xyz))]).map(\.field) == ["deposit"])
        #expect(form.violations(of: ["deposit": .money(Money(5, .eur))]).isEmpty)
    }

    @Test("a recorded event in a code that is not ISO 4217 still decodes and replays")
    func recordedUnknownCodesStillReplay() throws {
        let rate = ExchangeRate(from: try Self.currency("XYZ"), to: .usd, rate: 2, validFrom: Self.day)
        let event = SettingsEvent.exchangeRateSet(ExchangeRateSet(rate: rate))
        try expectRoundTrips([event])
        #expect(Settings.replay([event]).exchangeRates == [rate])
    }
}
