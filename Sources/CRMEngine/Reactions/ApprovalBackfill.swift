import CRMDomain
import EventSourcing
import Foundation

extension CRMReactions {
    /// Approvals asked before their kind had a workflow (R-ORG-5): a quote over its author's limit, a contract
    /// submitted, a campaign's feasibility study, a feedback form submitted or a campaign's material requested
    /// (each of a campaign's requests, not only its last), recorded while no default definition of its kind
    /// existed, started no workflow, so it reached nobody's approval inbox. When the kind's default definition
    /// is first defined, each such record that still waits gets the workflow its request would have started
    /// then (``approvalRouting``'s rule, the same instance id), as submitted by whoever asked.
    ///
    /// The requests are found in the log before the definition (read in batches, not from a view, so the
    /// reactor never waits on one). A record that asked again after the definition is ``approvalRouting``'s
    /// alone: its new request starts the workflow, and the old one starts none here (``isLatestRequest(_:of:engine:)``).
    public static let approvalBackfill = Reaction(name: "approval-backfill", eventTypes: [WorkflowDefined.eventType]) { event, engine in
        guard let defined = event.payload as? WorkflowDefined else { return [] }
        let kind = defined.definition.kind
        guard defined.definition.definitionID == WorkflowDefinition.defaultID(for: kind),
              let (category, requestTypes) = approvalRequests(of: kind) else { return [] }
        // Each record's requests before the definition, in log order; records in the order they first asked.
        var requests: [StreamID: [RecordedEvent]] = [:]
        var order: [StreamID] = []
        var next = GlobalPosition.start.next
        scan: while next < event.position {
            let batch = try await engine.store.readAll(from: next, direction: .forward, limit: 4096)
            for recorded in batch {
                guard recorded.position < event.position else { break scan }
                guard requestTypes.contains(recorded.type), recorded.stream.category == category else { continue }
                if requests[recorded.stream] == nil { order.append(recorded.stream) }
                requests[recorded.stream, default: []].append(recorded)
            }
            guard let last = batch.last, batch.count == 4096 else { break }
            next = last.position.next
        }
        var commands: [ReactionCommand] = []
        for stream in order {
            guard let asked = requests[stream], let latest = asked.last else { continue }
            if kind == .materialRequest {
                // Each material of a campaign is requested once and approved on its own: every request counts.
                for request in asked {
                    let key = "start:\(stream.rawValue):\(request.id.lowercasedString)"
                    commands += try await approvalStarts(after: try engine.projectionEvent(request), engine: engine, key: key) ?? []
                }
                continue
            }
            commands += try await approvalStarts(after: try engine.projectionEvent(latest), engine: engine, key: "start:\(stream.rawValue)") ?? []
        }
        return commands
    }

    /// The stream category of a workflow kind's records and the event types that ask for their approval; nil
    /// for kinds ``approvalRouting`` does not start workflows for. A material request's record is its campaign.
    static func approvalRequests(of kind: WorkflowSubjectKind) -> (category: String, types: Set<String>)? {
        switch kind {
        case .quote: return (Quote.category, [QuoteCreated.eventType, QuoteRevised.eventType])
        case .contract: return (Contract.category, [ContractSubmittedForApproval.eventType])
        case .campaign: return (Campaign.category, [CampaignFeasibilitySubmitted.eventType])
        case .feedbackForm: return (FeedbackForm.category, [FeedbackFormSubmitted.eventType, FeedbackFormAmended.eventType])
        case .materialRequest: return (Campaign.category, [CampaignMaterialRequested.eventType])
        }
    }
}
