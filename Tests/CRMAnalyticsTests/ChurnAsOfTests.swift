import CRMAnalytics
import CRMDomain
import Foundation
import Testing

/// The contract-expiring facts of a day read from the records as they stood at its end
/// (``Churn/RecordHistory``): a later termination, renewal, win or loss does not change a past day.
@Suite struct ChurnAsOfTests {
    let customer = UUID.derived("customer", "as-of")
    let calendar = LocalCalendar.utc

    func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }
    /// Noon (UTC) of a day.
    func noon(_ text: String) throws -> Date { calendar.startOfDay(try day(text)).addingTimeInterval(12 * 3600) }

    @Test func aContractTerminatedOrRenewedAfterTheDayKeepsTheDaysExpiry() throws {
        // Active from 1 January with its last day 15 March; renewed on 20 February to 15 March 2027; another
        // active from 1 January ending 30 March, terminated on 10 February.
        let renewed = [Churn.ContractState(since: try noon("2026-01-01"), active: true, expiry: try day("2026-03-15"), renews: false),
                       Churn.ContractState(since: try noon("2026-02-20"), active: true, expiry: try day("2027-03-15"), renews: false)]
        let terminated = [Churn.ContractState(since: try noon("2026-01-01"), active: true, expiry: try day("2026-03-30"), renews: false),
                          Churn.ContractState(since: try noon("2026-02-10"), active: false, expiry: try day("2026-03-30"), renews: false)]
        let history = Churn.RecordHistory(contracts: [customer: [renewed, terminated]])
        func expiresIn(_ text: String) throws -> Int? {
            let d = try day(text)
            return history.contractExpiresInDays(of: customer, on: d, before: calendar.endOfDay(d))
        }
        #expect(try expiresIn("2025-12-31") == nil, "neither was active yet")
        #expect(try expiresIn("2026-02-01") == 42, "15 March, 42 days on: the renewal was still to come")
        #expect(try expiresIn("2026-02-10") == 33, "terminated that day: only the other one, 15 March")
        #expect(try expiresIn("2026-02-20") == 388, "renewed that day: 15 March 2027")
        #expect(try expiresIn("2026-02-21") == 387)
    }

    @Test func anOpportunityWonAfterTheDayWasOpenThatDay() throws {
        let opportunity = [Churn.OpportunityState(since: try noon("2026-01-05"), open: true),
                           Churn.OpportunityState(since: try noon("2026-02-01"), open: false),
                           Churn.OpportunityState(since: try noon("2026-03-01"), open: true)]
        let history = Churn.RecordHistory(opportunities: [customer: [opportunity]])
        func open(_ text: String) throws -> Bool { history.hasOpenOpportunity(customer, before: calendar.endOfDay(try day(text))) }
        #expect(try !open("2026-01-04"), "not opened yet")
        #expect(try open("2026-01-05") && open("2026-01-31"), "opened on 5 January, won on 1 February")
        #expect(try !open("2026-02-01") && !open("2026-02-28"))
        #expect(try open("2026-03-01"), "reopened")
        #expect(!history.hasOpenOpportunity(UUID.derived("customer", "other"), before: calendar.endOfDay(try day("2026-03-01"))))
    }

    @Test func anAutoRenewingContractIsNeverExpiringAsOfItsDay() throws {
        // The clause was added on 1 February: before then the contract was expiring.
        let contract = [Churn.ContractState(since: try noon("2026-01-01"), active: true, expiry: try day("2026-03-01"), renews: false),
                        Churn.ContractState(since: try noon("2026-02-01"), active: true, expiry: try day("2026-03-01"), renews: true)]
        let history = Churn.RecordHistory(contracts: [customer: [contract]])
        let before = try day("2026-01-31"), after = try day("2026-02-01")
        #expect(history.contractExpiresInDays(of: customer, on: before, before: calendar.endOfDay(before)) == 29)
        #expect(history.contractExpiresInDays(of: customer, on: after, before: calendar.endOfDay(after)) == nil)
    }
}
