import EventSourcing

/// Every event type of the CRM domain, in one ``PayloadRegistry``: what the engine decodes the log with.
///
/// ```swift
/// let registry = try CRMEvents.registry()   // validated: every schema version has its decoder
/// ```
public enum CRMEvents {
    /// The event enums of every aggregate.
    public static let eventTypes: [any DomainEvent.Type] = [
        SettingsEvent.self,
        CustomerFormEvent.self, CustomerEvent.self, ContactEvent.self,
        WorkTaskEvent.self, DiaryEvent.self,
        TicketEvent.self, VisitEvent.self, ContactLogEvent.self,
        LoyaltyEvent.self, OrganisationEvent.self,
        OpportunityEvent.self, QuoteEvent.self, ProductEvent.self,
        ContractEvent.self, RevenueEvent.self, CampaignEvent.self,
        SensitiveWordListEvent.self, BoardEvent.self,
        NewConnectionEvent.self, MaintenanceEvent.self,
        SurveyTemplateEvent.self, SurveyEvent.self, AnnouncementEvent.self,
        WorkflowDefinitionEvent.self, WorkflowEvent.self, FeedbackEvent.self,
    ]

    /// A registry holding every CRM payload type and its upcasters, checked with ``PayloadRegistry/validate()``
    /// so that a missing upcaster stops start-up instead of failing a replay later.
    public static func registry() throws -> PayloadRegistry {
        var registry = PayloadRegistry()
        for type in eventTypes { register(type, in: &registry) }
        // Upcasters of older schema versions go here as payloads evolve (none yet: all at version 1).
        try registry.validate()
        return registry
    }

    /// Every payload type, for checks that span the domain (unique type names, round trips).
    public static var payloadTypes: [any EventPayload.Type] { eventTypes.flatMap { $0.payloadTypes } }

    private static func register<E: DomainEvent>(_ type: E.Type, in registry: inout PayloadRegistry) {
        registry.register(events: type)
    }
}
