import Foundation

extension Product {
    /// Whether the product can be sold.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case active, retired
    }

    /// A status milestone of a product (R-SAL-5): planned date, and the actual date once reached.
    public struct Milestone: Hashable, Sendable, Codable {
        public var name: String
        public var plannedDate: LocalDate
        public var actualDate: LocalDate?
        /// Why it was late; required when it was.
        public var delayReason: String?

        public init(name: String, plannedDate: LocalDate, actualDate: LocalDate? = nil, delayReason: String? = nil) {
            self.name = name
            self.plannedDate = plannedDate
            self.actualDate = actualDate
            self.delayReason = delayReason
        }

        /// Early, on time or delayed against the plan, as of `today`: a reached milestone by its actual
        /// date; one not yet reached is delayed once `today` is past its planned date, otherwise nil
        /// (nothing to say yet).
        public func timing(asOf today: LocalDate) -> Timing? {
            if let actualDate { return Timing(planned: plannedDate, actual: actualDate) }
            return today > plannedDate ? .delayed : nil
        }
    }

    /// A milestone's plan-versus-actual classification.
    public enum Timing: String, CaseIterable, Hashable, Sendable, Codable {
        case early, onTime, delayed

        /// Before the planned date: early; on it: on time; after it: delayed.
        public init(planned: LocalDate, actual: LocalDate) {
            self = actual < planned ? .early : (actual == planned ? .onTime : .delayed)
        }
    }

    /// One version of a product document (metadata only; the file lives elsewhere).
    public struct DocumentVersion: Hashable, Sendable, Codable {
        public var title: String
        /// 1, 2, …: increasing per title.
        public var version: Int
        public var uri: String
        public var addedAt: Date

        public init(title: String, version: Int, uri: String, addedAt: Date) {
            self.title = title
            self.version = version
            self.uri = uri
            self.addedAt = addedAt
        }
    }
}
