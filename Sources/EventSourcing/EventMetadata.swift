import Foundation

/// Who did what, and from where: stored with every event (R-LOG-2).
public struct EventMetadata: Hashable, Sendable {
    /// The principal who caused the event: an employee id, an API client, or `system`.
    public var actor: String
    /// Groups the events of one business operation across streams.
    public var correlationID: UUID?
    /// The event or command that caused this one.
    public var causationID: UUID?
    /// The outside system the action came from (billing, web, an importer, …).
    public var sourceSystem: String?
    /// The client's IP address, as the adapter saw it.
    public var clientIP: String?

    public init(
        actor: String,
        correlationID: UUID? = nil,
        causationID: UUID? = nil,
        sourceSystem: String? = nil,
        clientIP: String? = nil
    ) {
        self.actor = actor
        self.correlationID = correlationID
        self.causationID = causationID
        self.sourceSystem = sourceSystem
        self.clientIP = clientIP
    }

    /// Metadata for actions the system takes by itself.
    public static let system = EventMetadata(actor: "system")
}
