import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension CRMReactions {
    /// Approvals asked before their kind had a workflow (R-ORG-5): a quote over its author's limit, a contract
    /// submitted, a campaign's feasibility study or a feedback form submitted, recorded while no default
    /// definition of its kind existed, started no workflow, so it reached nobody's approval inbox. When the kind's default definition is first
    /// defined, each such record that still waits gets the workflow its request would have started then
    /// (``approvalRouting``'s rule, the same instance id), as submitted by whoever asked. Requests recorded
    /// after the definition are routed by ``approvalRouting`` itself and left alone here.
    public static let approvalBackfill = Reaction(name: "approval-backfill", eventTypes: [WorkflowDefined.eventType]) { event, engine in
        guard let defined = event.payload as? WorkflowDefined else { return [] }
        let kind = defined.definition.kind
        guard defined.definition.definitionID == WorkflowDefinition.defaultID(for: kind),
              let (category, requestTypes) = approvalRequests(of: kind) else { return [] }
        // Every record of the kind recorded before the definition is in the stream index by then.
        try await engine.consistent(with: event.position, [CRMEngine.history])
        var commands: [ReactionCommand] = []
        var after: String?
        while true {
            let streams = try engine.views.read(CRMEngine.history) { try ModificationHistory.streams(category: category, in: $0, after: after, limit: 200) }
            guard let last = streams.last else { break }
            after = last.rawValue
            for stream in streams {
                let request = try await engine.store.readStream(stream)
                    .last { $0.position < event.position && requestTypes.contains($0.type) }
                guard let request else { continue }
                let starts = try await approvalStarts(after: try engine.projectionEvent(request), engine: engine, key: "start:\(stream.rawValue)")
                commands += starts ?? []
            }
        }
        return commands
    }

    /// The stream category of a workflow kind's records and the event types that ask for their approval; nil
    /// for kinds ``approvalRouting`` does not start workflows for.
    static func approvalRequests(of kind: WorkflowSubjectKind) -> (category: String, types: Set<String>)? {
        switch kind {
        case .quote: return (Quote.category, [QuoteCreated.eventType, QuoteRevised.eventType])
        case .contract: return (Contract.category, [ContractSubmittedForApproval.eventType])
        case .campaign: return (Campaign.category, [CampaignFeasibilitySubmitted.eventType])
        case .feedbackForm: return (FeedbackForm.category, [FeedbackFormSubmitted.eventType, FeedbackFormAmended.eventType])
        case .materialRequest: return nil
        }
    }
}
