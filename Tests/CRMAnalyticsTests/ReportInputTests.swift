import CRMAnalytics
import CRMDomain
import Foundation
import Testing

/// The one parser of report months and of report currencies that the HTTP adapter, the CLI and the engine share.
@Suite struct ReportInputTests {
    @Test(arguments: ["2026-3", "26-03", "026-03", "+2026-03", "2026-+3", "2026-003", "20260-03", "2026-13", "2026-00", "0000-01",
                      "2026-03-01", "2026/03", " 2026-03", "2026-03 ", "２０２６-03", "2026-1e", ""])
    func aMonthIsExactlyFourDigitsAHyphenAndTwo(_ text: String) {
        #expect(RevenueMonth(text: text) == nil, "\(text)")
    }

    @Test func wellFormedMonthsOfTheYears1To9999Read() {
        #expect(RevenueMonth(text: "2026-03") == RevenueMonth(year: 2026, month: 3))
        #expect(RevenueMonth(text: "9999-12") == RevenueMonth(year: 9999, month: 12))
        // A four-digit year with leading zeros is that year, as the day 0026-11-01 is.
        #expect(RevenueMonth(text: "0026-11") == RevenueMonth(year: 26, month: 11))
        #expect(RevenueMonth(text: "0001-01")?.description == "0001-01")
    }

    @Test func aReportCurrencyIsAnISO4217CodeInCapitals() {
        #expect(Currency(reportCode: "USD") == .usd && Currency(reportCode: "CNY") == .cny)
        for text in ["XXX", "XTS", "ABC", "usd", "Usd", "US", "USDD", ""] {
            #expect(Currency(reportCode: text) == nil, "\(text)")
        }
    }
}
