import CRMDomain
import EventSourcing
import Foundation

/// The classifying facts of every customer (kind, group, industry, branch, community, owner, status),
/// kept like ``CustomerScopes`` in a table of each projection that needs them: `customer id → Profile`.
/// No names or contact data.
public enum CustomerProfiles {
    public static let table = ViewTable("customer-profile")

    /// One customer's classes.
    public struct Profile: Codable, Hashable, Sendable {
        public var customerID: UUID
        public var kind: CustomerKind
        public var group: String
        public var industry: String?
        public var status: CustomerStatus
        public var archived: Bool

        /// Neither archived nor merged: a customer the analysis and the reports count.
        public var isAnalysed: Bool { !archived && status != .merged }
        public var createdAt: Date
        public var scope: RecordScope
    }

    /// The customer events that change a profile.
    public static let eventTypes: Set<String> = CustomerScopes.eventTypes.union([
        CustomerActivated.eventType, CustomerSuspended.eventType, CustomerResumed.eventType, CustomerArchived.eventType,
        CustomerRestored.eventType, CustomerMergedInto.eventType,
    ])

    /// Records what a customer event changes of its customer's profile (after ``CustomerScopes/apply(_:to:)``
    /// ran on the same views); other events are ignored.
    public static func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try Self.apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private static func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as CustomerCreated:
            let profile = Profile(customerID: e.customerID, kind: e.kind, group: e.group, industry: e.industry, status: e.status, archived: false,
                                  createdAt: event.recordedAt, scope: try CustomerScopes.scope(of: e.customerID, in: views))
            try views.put(row: profile, forKey: key(e.customerID), in: table)
        case let e as CustomerEdited:
            try change(e.customerID, in: views) { p in
                for change in e.changes where change.field == "industry" { p.industry = change.new?.textValue }
                for change in e.changes where change.field == "group" { p.group = change.new?.textValue ?? p.group }
            }
        case let e as CustomerActivated: try change(e.customerID, in: views) { $0.status = .active }
        case let e as CustomerSuspended: try change(e.customerID, in: views) { $0.status = .suspended }
        case let e as CustomerResumed: try change(e.customerID, in: views) { $0.status = .active }
        case let e as CustomerArchived: try change(e.customerID, in: views) { $0.archived = true }
        case let e as CustomerRestored: try change(e.customerID, in: views) { $0.archived = false }
        case let e as CustomerMergedInto: try change(e.customerID, in: views) { $0.status = .merged }
        default: return
        }
    }

    /// A customer's profile, or nil when unknown.
    public static func profile(of customerID: UUID?, in views: any ViewReader) throws -> Profile? {
        guard let customerID else { return nil }
        return try views.row(Profile.self, forKey: key(customerID), in: table)
    }

    static func key(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }

    private static func change(_ id: UUID, in views: any ViewWriter, _ body: (inout Profile) -> Void) throws {
        try views.update(Profile.self, forKey: key(id), in: table) { old in
            guard var p = old else { return nil }
            body(&p)
            p.scope = try CustomerScopes.scope(of: id, in: views)
            return p
        }
    }
}

/// Every customer's classes for the customer composition report (R-ANA-5): kind, group, industry,
/// branch, community, owner, status.
///
/// ```swift
/// let profiles = try CustomerDirectory.all(in: views)
/// ```
public struct CustomerDirectory: Projection {
    public let name = "customer-directory"
    public let version: UInt32 = 1
    public var tables: [ViewTable] { [CustomerProfiles.table, CustomerScopes.table] }
    public var eventTypes: Set<String>? { CustomerProfiles.eventTypes }

    public init() {}

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try CustomerProfiles.apply(event, to: views)
    }

    /// Every profile `include` admits, in customer id order.
    public static func all(in views: any ViewReader, where include: (CustomerProfiles.Profile) -> Bool = { _ in true }) throws -> [CustomerProfiles.Profile] {
        try views.rows(CustomerProfiles.Profile.self, in: CustomerProfiles.table, where: include).map(\.row)
    }
}
