import Foundation

/// A sales pipeline: the ordered open stages an opportunity moves through (R-SAL-1, R-SAL-2). Winning and
/// losing are not stages but outcomes (``Opportunity/Command/win(reason:)``, ``Opportunity/Command/lose(reason:)``).
/// Pipelines are configurable: the command that opens an opportunity carries the pipeline to use.
///
/// ```swift
/// let pipeline = Pipeline(name: "projects", stages: ["lead", "tender", "negotiation"])
/// ```
public struct Pipeline: Hashable, Sendable, Codable {
    public var name: String
    /// The open stages, in order.
    public var stages: [String]

    public init(name: String, stages: [String]) {
        self.name = name
        self.stages = stages
    }

    /// The sales-status ladder of R-SAL-1: maintaining relationship → opportunity found → opportunity
    /// confirmed → in sales (→ won / lost).
    public static let `default` = Pipeline(name: "default", stages: [
        "maintainingRelationship", "opportunityFound", "opportunityConfirmed", "inSales",
    ])

    /// Whether `stage` is one of this pipeline's stages.
    public func contains(_ stage: String) -> Bool { stages.contains(stage) }
}

extension Opportunity {
    /// Where an open opportunity stands, or how it ended.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case open, won, lost

        /// Won or lost: no stage, forecast or owner change until reopened.
        public var isClosed: Bool { self != .open }
    }

    /// How the owner was chosen (R-SAL-2).
    public enum Assignment: String, CaseIterable, Hashable, Sendable, Codable {
        /// The owner named when the opportunity was opened.
        case opener
        /// Chosen by the routing rules from the settings.
        case rules
        /// Named by a manager.
        case manager
    }

    /// What an opportunity is: the content given when it is opened.
    public struct Details: Hashable, Sendable, Codable {
        public var customerID: UUID
        public var title: String
        /// Where it came from, e.g. `referral`, `campaign`, `visit`, `inbound`.
        public var source: String
        public var expectedRevenue: Money
        public var closeDate: LocalDate

        public init(customerID: UUID, title: String, source: String, expectedRevenue: Money, closeDate: LocalDate) {
            self.customerID = customerID
            self.title = title
            self.source = source
            self.expectedRevenue = expectedRevenue
            self.closeDate = closeDate
        }
    }
}

enum Percent {
    /// A percentage between 0 and 100 inclusive.
    static func check(_ value: Decimal, field: String) throws(DomainError) -> Decimal {
        guard !value.isNaN, value >= 0, value <= 100 else { throw .invalid(field, "must be between 0 and 100") }
        return value
    }
}
