import CRMAnalytics
import CRMDomain
import CRMProjections
import Foundation
import Testing

/// A purchase history counts every purchase whatever the rates, and names the months' currencies it
/// could not convert (for the analysis to refuse, as the revenue reports do).
@Suite struct RFMAsOfTests {
    /// January: 2 purchases of 100 CNY in all; February: 3 purchases of 50 USD in all.
    func summary() throws -> CustomerActivity.Summary {
        let json = """
            {"customerID":"\(UUID.derived("customer", "a").uuidString)","scope":{"branch":"north","owners":[]},
             "firstPurchase":"2026-01-03","lastPurchase":"2026-02-20","purchases":5,
             "months":[{"month":"2026-01","currency":"CNY","purchases":2,"amount":100},
                       {"month":"2026-02","currency":"USD","purchases":3,"amount":50}],
             "activity":[],"openComplaints":0,"slaBreaches":[]}
            """
        return try JSONDecoder().decode(CustomerActivity.Summary.self, from: Data(json.utf8))
    }

    @Test func aMonthWithoutARateKeepsItsPurchasesAndNamesItsCurrency() throws {
        let january = RevenueMonth(year: 2026, month: 1), february = RevenueMonth(year: 2026, month: 2)
        let history = PurchaseHistory(try summary(), currency: .cny)
        #expect(history.totals(in: january...february).purchases == 5, "the USD purchases count without a rate")
        #expect(history.totals(in: january...february).amount == 100)
        #expect(history.missingRates(in: january...february) == [.usd: try #require(LocalDate("2026-02-01"))])
        #expect(history.missingRates(in: january...january).isEmpty)
        let input = RFM.Input(history, window: january...february, asOf: try #require(LocalDate("2026-02-28")))
        #expect(input.frequency == 5 && input.recencyDays == 8)

        let rate = ExchangeRate(from: .usd, to: .cny, rate: 7, validFrom: try #require(LocalDate("2026-01-01")))
        let converted = PurchaseHistory(try summary(), currency: .cny, rates: [rate])
        #expect(converted.totals(in: january...february) == (5, 450) as (Int, Decimal))
        #expect(converted.missingRates(in: january...february).isEmpty)
    }
}
