import CRMDomain
import EventSourcing
import Foundation

/// The customer's satisfaction rating (1–5) of every closed ticket, from its last close (R-SRV-5): what
/// the service-quality report joins to the SLA board's tickets.
///
/// ```swift
/// let ratings = try TicketSatisfaction.all(in: views)   // ticket id → 1…5
/// ```
public struct TicketSatisfaction: Projection {
    public let name = "ticket-satisfaction"
    public let version: UInt32 = 1

    /// `ticket id → Rating`.
    public static let ratings = ViewTable("ratings")

    struct Rating: Codable, Hashable, Sendable {
        var satisfaction: Int
    }

    public var tables: [ViewTable] { [Self.ratings] }
    public var eventTypes: Set<String>? { [TicketClosed.eventType] }

    public init() {}

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        guard let e = event.payload as? TicketClosed else { return }
        try views.put(row: Rating(satisfaction: e.satisfaction), forKey: ViewKey().uuid(e.ticketID).bytes, in: Self.ratings)
    }

    /// Every rated ticket's last rating.
    public static func all(in views: any ViewReader) throws -> [UUID: Int] {
        var out: [UUID: Int] = [:]
        try views.scan(ratings) { key, value in
            if let id = UUID(viewKey: key) { out[id] = try BinaryPayloadDecoder.decode(Rating.self, from: value).satisfaction }
            return true
        }
        return out
    }
}
