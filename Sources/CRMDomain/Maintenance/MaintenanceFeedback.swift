import Foundation

/// Which way a two-layer maintenance feedback goes (R-CUS-9).
public enum FeedbackDirection: String, Codable, Hashable, Sendable, CaseIterable {
    /// The call-center agent rates the account manager's follow-up.
    case agentRatesManager
    /// The account manager rates the agent's handling.
    case managerRatesAgent
}

/// One feedback entry: who rated whom, how, about what and when.
public struct MaintenanceFeedback: Hashable, Sendable {
    public let id: UUID
    public let direction: FeedbackDirection
    /// The employee who gave the rating.
    public let giver: String
    /// The employee rated.
    public let subject: String
    /// 1 (poor) to 5 (excellent).
    public let rating: Int
    public let comment: String?
    /// The ticket or task the rating is about, if any.
    public let about: UUID?
    public let givenAt: Date

    public init(id: UUID, direction: FeedbackDirection, giver: String, subject: String, rating: Int, comment: String?,
                about: UUID?, givenAt: Date) {
        self.id = id
        self.direction = direction
        self.giver = giver
        self.subject = subject
        self.rating = rating
        self.comment = comment
        self.about = about
        self.givenAt = givenAt
    }
}

/// The feedback an employee received, for the assessment (R-ANA-1).
public struct FeedbackSummary: Hashable, Sendable {
    public let employee: String
    public let count: Int
    /// The mean rating, rounded half-up to 2 decimal places; 0 when there is none.
    public let averageRating: Decimal

    public init(employee: String, count: Int, averageRating: Decimal) {
        self.employee = employee
        self.count = count
        self.averageRating = averageRating
    }
}

extension Array where Element == MaintenanceFeedback {
    /// The feedback received per rated employee, optionally only one direction (e.g. managers' ratings by
    /// agents) and only entries given in `period` (half-open: start included, end excluded).
    public func summaryByEmployee(direction: FeedbackDirection? = nil, period: Range<Date>? = nil) -> [String: FeedbackSummary] {
        let selected = filter { entry in
            (direction.map { entry.direction == $0 } ?? true) && (period.map { $0.contains(entry.givenAt) } ?? true)
        }
        let grouped = Dictionary(grouping: selected, by: \.subject)
        return grouped.mapValues { entries in
            let total = entries.reduce(Decimal(0)) { $0 + Decimal($1.rating) }
            var mean = total / Decimal(entries.count)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &mean, 2, .plain)
            return FeedbackSummary(employee: entries.first?.subject ?? "", count: entries.count, averageRating: rounded)
        }
    }
}
