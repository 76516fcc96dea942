import CRMDomain
import EventSourcing
import Foundation

/// Every submitted feedback form (R-ORG-3) for the aggregation per branch: branch, template, reporter
/// and reviewer, status, submission and review times, and the current values.
///
/// ```swift
/// let forms = try FeedbackForms.all(in: views)
/// ```
public struct FeedbackForms: Projection {
    public let name = "feedback-forms"
    public let version: UInt32 = 1

    /// `form id → Form`.
    public static let forms = ViewTable("forms")

    public var tables: [ViewTable] { [Self.forms] }
    public var eventTypes: Set<String>? {
        [FeedbackFormSubmitted.eventType, FeedbackFormReviewStarted.eventType, FeedbackFormReviewed.eventType,
         FeedbackFormReturned.eventType, FeedbackFormAmended.eventType]
    }

    public init() {}

    public struct Form: Codable, Hashable, Sendable {
        public var formID: UUID
        public var branch: String
        public var template: String
        public var department: String
        public var status: FeedbackStatus
        public var submittedAt: Date
        public var reviewedAt: Date?
        public var values: [FeedbackValue]
        /// The branch, with the submitter, reporter and reviewer as owners.
        public var scope: RecordScope
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        guard let id = UUID(text: String(event.stream.rawValue.dropFirst(FeedbackForm.category.count + 1))) else { return }
        let key = ViewKey().uuid(id).bytes
        if let e = event.payload as? FeedbackFormSubmitted {
            let form = Form(formID: id, branch: e.branch, template: e.template.name, department: e.template.department, status: .submitted,
                            submittedAt: e.submittedAt, values: e.values,
                            scope: RecordScope(branch: e.branch, owners: [e.submittedBy, e.reporter, e.reviewer]))
            try views.put(row: form, forKey: key, in: Self.forms)
            return
        }
        try views.update(Form.self, forKey: key, in: Self.forms) { old in
            guard var f = old else { return nil }
            switch event.payload {
            case is FeedbackFormReviewStarted:
                f.status = .inReview
            case let e as FeedbackFormReviewed:
                f.status = .reviewed
                f.reviewedAt = e.reviewedAt
            case is FeedbackFormReturned:
                f.status = .returned
            case let e as FeedbackFormAmended:
                f.status = .submitted
                for change in e.changes {
                    f.values.removeAll { $0.field == change.field }
                    if let new = change.new { f.values.append(FeedbackValue(field: change.field, value: new)) }
                }
                f.values.sort { $0.field < $1.field }
            default:
                break
            }
            return f
        }
    }

    /// Every form `include` admits, in id order.
    public static func all(in views: any ViewReader, where include: (Form) -> Bool = { _ in true }) throws -> [Form] {
        try views.rows(Form.self, in: forms, where: include).map(\.row)
    }
}
