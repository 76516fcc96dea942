import EventSourcing
import Foundation

/// Tenure points (R-CUS-8): the settings' `tenure` rule grants its points on every anniversary of the day
/// a customer became one — the day it was created active, or the day a prospect was activated (a prospect
/// is not yet a customer), read in the customer's branch calendar. The engine's scheduler asks these pure
/// functions every run; the lot's reference names the anniversary's year, so an anniversary earns once
/// however often, and on however many nodes, the scheduler runs.
extension LoyaltyRules {
    /// How many days after an anniversary its points are still granted: a scheduler that did not run on the
    /// day (a server down, a node restarted) catches up within this window. A tenure rule introduced later
    /// than that after an anniversary grants nothing for it: the customer's next anniversary earns.
    public static let tenureCatchUpDays = 31

    /// The source reference of the tenure lot an anniversary in `year` earns (`tenure-2026`).
    public static func tenureReference(year: Int) -> String { "tenure-\(year)" }

    /// Full years from `since` to `day`: 0 before the first anniversary. An anniversary of February 29th
    /// falls on February 28th in common years (``LocalDate/anniversary(in:)``).
    public static func fullYears(from since: LocalDate, to day: LocalDate) -> Int {
        guard since < day else { return 0 }
        let years = day.year - since.year
        return day < since.anniversary(in: day.year) ? max(0, years - 1) : years
    }

    /// The most recent anniversary of `since` on or before `day` and the years it completes; nil before the first.
    public static func latestAnniversary(of since: LocalDate, on day: LocalDate) -> (years: Int, date: LocalDate)? {
        let years = fullYears(from: since, to: day)
        guard years >= 1 else { return nil }
        return (years, since.anniversary(in: since.year + years))
    }

    /// The tenure accrual due on `day` for a customer since `since`: the settings' tenure rule's points for the
    /// latest anniversary when it fell at most `catchUpDays` before `day`, earned on the anniversary itself and
    /// valid for the rule's `validityMonths` from then. Nil without a tenure rule, before the first anniversary,
    /// after the catch-up window, or when the points would already have lapsed. Accruing the result again
    /// records nothing (its reference is ``tenureReference(year:)`` of the anniversary).
    public static func tenureAccrual(
        customerID: UUID, customerSince since: LocalDate, on day: LocalDate, rules: [LoyaltyAccrualRule],
        catchUpDays: Int = tenureCatchUpDays
    ) -> LoyaltyAccount.Command? {
        guard let rule = rules.first(where: { $0.source == .tenure }), let points = wholePoints(rule.points), points >= 1,
              let latest = latestAnniversary(of: since, on: day), latest.date.days(until: day) <= catchUpDays else { return nil }
        let (years, anniversary) = latest
        let expiresOn = rule.validityMonths.map { anniversary.adding(months: $0) }
        if let expiresOn, expiresOn <= day { return nil }
        return .accrue(
            customerID: customerID, points: points, source: .tenure, sourceReference: tenureReference(year: anniversary.year),
            reason: years == 1 ? "tenure: 1 year" : "tenure: \(years) years", earnedOn: anniversary, expiresOn: expiresOn
        )
    }

    /// The points of a rule that earns whole points per occurrence (tenure, activities); nil when not whole.
    static func wholePoints(_ points: Decimal) -> Int? {
        var value = points
        var whole = Decimal()
        NSDecimalRound(&whole, &value, 0, .down)
        guard whole == points, whole <= Decimal(maximumPointsPerRule) else { return nil }
        return NSDecimalNumber(decimal: whole).intValue
    }

    /// The most points a rule may give per occurrence or per unit spent.
    public static let maximumPointsPerRule = 1_000_000
    /// The longest validity a rule may give its points: 100 years.
    public static let maximumValidityMonths = 1_200
}
