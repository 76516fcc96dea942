import CRMDomain
import Foundation

extension Reports {
    // MARK: - Two-layer assessment (R-CUS-9, R-ANA-1)

    /// A customer's current two-layer pair.
    public struct Pairing: Hashable, Sendable {
        public var customerID: UUID
        public var agent: String
        public var manager: String

        public init(customerID: UUID, agent: String, manager: String) {
            self.customerID = customerID
            self.agent = agent
            self.manager = manager
        }
    }

    /// One mutual-feedback rating, with its local month (the customer's branch zone).
    public struct Rating: Hashable, Sendable {
        public var direction: FeedbackDirection
        public var giver: String
        public var subject: String
        /// 1…5.
        public var rating: Int
        public var month: RevenueMonth

        public init(direction: FeedbackDirection, giver: String, subject: String, rating: Int, month: RevenueMonth) {
            self.direction = direction
            self.giver = giver
            self.subject = subject
            self.rating = rating
            self.month = month
        }
    }

    /// How one employee was assessed by the other layer: account managers by the agents
    /// (`agentRatesManager`), agents by the account managers (`managerRatesAgent`).
    public struct TwoLayerRow: Hashable, Sendable, ReportRow {
        public var direction: FeedbackDirection
        /// The employee rated.
        public var employee: String
        /// `manager` or `agent`: the employee's layer.
        public var role: String
        /// Customers the employee currently holds in that layer.
        public var pairedCustomers: Int
        /// Distinct partners of the other layer currently paired with the employee.
        public var partners: Int
        public var ratings: Int
        /// Distinct employees who rated.
        public var raters: Int
        /// Mean rating, 2 places; nil without ratings.
        public var averageRating: Decimal?
        /// Ratings of 1 or 2.
        public var lowRatings: Int

        public static let header = ["direction", "employee", "role", "paired_customers", "partners", "ratings", "raters", "average_rating", "low_ratings"]
        public var cells: [String] {
            [direction.rawValue, employee, role, Cell.text(pairedCustomers), Cell.text(partners), Cell.text(ratings), Cell.text(raters),
             Cell.text(averageRating), Cell.text(lowRatings)]
        }
    }

    /// The assessment both ways between call-center agents and account managers: every employee of a
    /// current pairing or rated in `period`, managers (rated by agents) first, then agents, by employee id.
    public static func twoLayer(pairings: [Pairing], ratings: [Rating], in period: ClosedRange<RevenueMonth>) -> [TwoLayerRow] {
        var rows: [TwoLayerRow] = []
        for direction in [FeedbackDirection.agentRatesManager, .managerRatesAgent] {
            let asManager = direction == .agentRatesManager
            let held = Dictionary(grouping: pairings) { asManager ? $0.manager : $0.agent }
            let given = Dictionary(grouping: ratings.filter { $0.direction == direction && period.contains($0.month) }, by: \.subject)
            for employee in Set(held.keys).union(given.keys).sorted() {
                let pairs = held[employee] ?? [], received = given[employee] ?? []
                let total = received.reduce(0) { $0 + $1.rating }
                rows.append(TwoLayerRow(
                    direction: direction, employee: employee, role: asManager ? "manager" : "agent",
                    pairedCustomers: Set(pairs.map(\.customerID)).count,
                    partners: Set(pairs.map { asManager ? $0.agent : $0.manager }).count,
                    ratings: received.count, raters: Set(received.map(\.giver)).count,
                    averageRating: received.isEmpty ? nil : (Decimal(total) / Decimal(received.count)).rounded(2),
                    lowRatings: received.filter { $0.rating <= 2 }.count))
            }
        }
        return rows
    }

    // MARK: - Feedback forms per branch (R-ORG-3)

    /// One submitted feedback form as the report reads it.
    public struct FeedbackForm: Hashable, Sendable {
        public var branch: String
        public var template: String
        public var status: FeedbackStatus
        /// The local month of the submission (the form's branch zone).
        public var month: RevenueMonth
        public var submittedAt: Date
        public var reviewedAt: Date?
        public var values: [FeedbackValue]

        public init(branch: String, template: String, status: FeedbackStatus, month: RevenueMonth, submittedAt: Date, reviewedAt: Date?,
                    values: [FeedbackValue]) {
            self.branch = branch
            self.template = template
            self.status = status
            self.month = month
            self.submittedAt = submittedAt
            self.reviewedAt = reviewedAt
            self.values = values
        }
    }

    /// One branch's forms of one template; with `field` set, one field's answers.
    public struct FeedbackRow: Hashable, Sendable, ReportRow {
        public var branch: String
        public var template: String
        /// Nil on the totals row of the branch and template; else the field summarised.
        public var field: String?
        /// A choice field's option; nil for the totals row and for number fields.
        public var answer: String?
        /// Totals row: forms submitted; field rows: forms that answered (with that option).
        public var count: Int
        public var reviewed: Int?
        public var returned: Int?
        /// Submitted or in review.
        public var open: Int?
        /// Mean hours from submission to review, of the reviewed forms.
        public var averageReviewHours: Decimal?
        /// Number fields: the sum and mean of the answers.
        public var sum: Decimal?
        public var mean: Decimal?

        public static let header = ["branch", "template", "field", "answer", "count", "reviewed", "returned", "open", "average_review_hours", "sum", "mean"]
        public var cells: [String] {
            [branch, template, Cell.text(field), Cell.text(answer), Cell.text(count), Cell.text(reviewed), Cell.text(returned), Cell.text(open),
             Cell.text(averageReviewHours), Cell.text(sum), Cell.text(mean)]
        }
    }

    /// Feedback forms submitted in `period`, aggregated per branch and template: a totals row, then per
    /// number field the sum and mean of its answers and per choice field the count of each option chosen
    /// (text fields: how many answered). Branches, templates and fields in name order.
    public static func feedbackByBranch(_ forms: [FeedbackForm], in period: ClosedRange<RevenueMonth>) -> [FeedbackRow] {
        struct Group: Hashable { var branch: String; var template: String }
        let groups = Dictionary(grouping: forms.filter { period.contains($0.month) }) { Group(branch: $0.branch, template: $0.template) }
        var rows: [FeedbackRow] = []
        for group in groups.keys.sorted(by: { ($0.branch, $0.template) < ($1.branch, $1.template) }) {
            let list = groups[group] ?? []
            let hours = list.compactMap { f in f.reviewedAt.map { Decimal($0.timeIntervalSince(f.submittedAt)) / 3600 } }
            rows.append(FeedbackRow(
                branch: group.branch, template: group.template, count: list.count,
                reviewed: list.filter { $0.status == .reviewed }.count, returned: list.filter { $0.status == .returned }.count,
                open: list.filter { $0.status == .submitted || $0.status == .inReview }.count,
                averageReviewHours: hours.isEmpty ? nil : (hours.reduce(0, +) / Decimal(hours.count)).rounded(2)))
            let answers = Dictionary(grouping: list.flatMap(\.values), by: \.field)
            for field in answers.keys.sorted() {
                let values = answers[field] ?? []
                let numbers = values.compactMap { v -> Decimal? in if case .number(let d) = v.value { return d } else { return nil } }
                let options = values.compactMap { v -> String? in if case .option(let o) = v.value { return o } else { return nil } }
                if !numbers.isEmpty {
                    let sum = numbers.reduce(0, +)
                    rows.append(FeedbackRow(branch: group.branch, template: group.template, field: field, count: numbers.count,
                                            sum: sum, mean: (sum / Decimal(numbers.count)).rounded(2)))
                } else if !options.isEmpty {
                    for (option, n) in Dictionary(grouping: options, by: { $0 }).mapValues(\.count).sorted(by: { $0.key < $1.key }) {
                        rows.append(FeedbackRow(branch: group.branch, template: group.template, field: field, answer: option, count: n))
                    }
                } else {
                    rows.append(FeedbackRow(branch: group.branch, template: group.template, field: field, count: values.count))
                }
            }
        }
        return rows
    }
}
