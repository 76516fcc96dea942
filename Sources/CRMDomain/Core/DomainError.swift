/// A command refused by the business rules. Nothing is recorded; the text never holds personal data.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The record does not exist (or is archived where a live record is needed).
        public static let notFound = Code("notFound")
        /// The record already exists.
        public static let alreadyExists = Code("alreadyExists")
        /// An input is missing or malformed; ``DomainError/field`` names it.
        public static let invalid = Code("invalid")
        /// The record's status does not allow this step (e.g. completing a cancelled task).
        public static let invalidTransition = Code("invalidTransition")
        /// The record is archived; restore it first.
        public static let archived = Code("archived")
        /// A setting the command needs is missing (e.g. no SLA for this ticket kind).
        public static let notConfigured = Code("notConfigured")
        /// The acting principal lacks what the command needs (e.g. granting a right one does not hold).
        public static let forbidden = Code("forbidden")
    }

    public let code: Code
    /// The input field at fault, if one is.
    public let field: String?
    public let detail: String

    public init(_ code: Code, field: String? = nil, _ detail: String) {
        self.code = code
        self.field = field
        self.detail = detail
    }

    public var description: String {
        field.map { "\(code) (\($0)): \(detail)" } ?? "\(code): \(detail)"
    }

    public static func invalid(_ field: String, _ detail: String) -> DomainError { DomainError(.invalid, field: field, detail) }
    public static func notFound(_ detail: String) -> DomainError { DomainError(.notFound, detail) }
    public static func transition(_ detail: String) -> DomainError { DomainError(.invalidTransition, detail) }
}
