import CRMDomain
import EventSourcing
import Foundation

/// The domain's event → command rules, as the engine's reactor runs them.
public enum CRMReactions {
    /// Every reaction the engine runs by default.
    public static var all: [Reaction] { [ticketRuleChains, loyaltyFromRevenue, loyaltyFromActivity, approvalRouting, approvalBackfill, externalWriteBack, appointmentReminders] }

    /// Write-back of external tasks (R-TSK-5): a completed task imported from another system is queued in the
    /// outbox (channel `write-back`, template = the system's name, reference = the task's stream, whose
    /// external reference and result note the adapter reads) until the adapter acknowledges delivery. The
    /// item's id derives from the completion event.
    public static let externalWriteBack = Reaction(name: "external-write-back", eventTypes: [TaskCompletionQueuedForWriteBack.eventType]) { event, engine in
        guard let queued = event.payload as? TaskCompletionQueuedForWriteBack else { return [] }
        let task = try await engine.load(WorkTask.self, stream: event.stream).state
        let id = UUID.derived("write-back", event.id.uuidString)
        let item = OutboxItemQueued(itemID: id, channel: "write-back", template: queued.system, customerID: task.details?.customerID,
                                    reference: event.stream.rawValue, queuedAt: event.recordedAt)
        return [.execute(OutboxItem.self, id: id, .queue(item), key: "write-back")]
    }

    /// Ticket rule chains (R-SRV-2): a ticket opened or escalated triggers the follow-ups its settings
    /// chain: a task for the customer's owner or for a department, a letter queued in the outbox, a raised
    /// severity. Ids derive from the triggering event (``FollowUp/id``).
    ///
    /// The chains are those of the settings in force at the triggering event (``CRMEngine/settings(asOf:)``),
    /// so a reactor catching up over the history decides what it decided then and writes nothing again. A
    /// chain runs once per ticket: a raise triggers none that ran for the ticket before — at its opening or an
    /// earlier raise, each judged by the settings in force then (``TicketRules/chainsRun(by:kind:)``), so a
    /// chain added since the ticket first reached its severity does run. The owner's task goes to the
    /// customer's owner as of the triggering event; a customer without an owner then, to the department
    /// holding the ticket then (both read as of the event, so a reactor catching up routes as the first run did);
    /// an owner deactivated by then (the organisation as of the event) counts as none.
    public static let ticketRuleChains = Reaction(
        name: "ticket-rule-chains", eventTypes: [TicketOpened.eventType, TicketSeverityChanged.eventType]
    ) { event, engine in
        guard let ticketEvent = TicketEvent(payload: event.payload), let ticketID = UUID(text: String(event.stream.rawValue.dropFirst(Ticket.category.count + 1))) else { return [] }
        // The ticket as of the event: the department holding it then.
        let position = event.position
        let ticket = try await engine.load(Ticket.self, stream: Ticket.stream(ticketID), upTo: { $0.position <= position }).state
        var ran: Set<TicketSeverity>?
        if case .severityChanged(let changed) = ticketEvent, changed.isEscalation {
            ran = try await chainsRun(before: event, kind: ticket.kind, engine: engine)
        }
        // After the earlier events' settings: the as-of cache then folds forward to this event.
        let settings = try await engine.settings(asOf: position)
        var commands: [ReactionCommand] = []
        for followUp in TicketRules.followUps(for: ticketEvent, eventID: event.id, ticket: ticket, settings: settings, ran: ran) {
            let key = followUp.id.lowercasedString
            switch followUp.action {
            case let .notifyOwner(customerID, ticketID, subject):
                // No owner to notify — none, or one deactivated by the event (new work never goes to someone who
                // has left; judged as of the event, so a reactor catching up routes as the first run did): the
                // department holding the ticket gets the task instead of nobody.
                var owner = try await engine.load(Customer.self, stream: Customer.stream(customerID), upTo: { $0.position <= position }).state.owner
                if let named = owner, try await engine.namesDeactivatedEmployee(named, asOf: position) { owner = nil }
                guard let assignee = owner ?? (ticket.department.isEmpty ? nil : ticket.department) else {
                    engine.logger.warning("rule chain's owner notice has nobody to go to", metadata: ["position": "\(event.position.rawValue)"])
                    continue
                }
                let details = WorkTask.Details(title: "Ticket: \(subject)", note: "ticket-\(ticketID.lowercasedString)", customerID: customerID,
                                               kind: .followUp, dueAt: event.recordedAt.addingTimeInterval(86_400))
                commands.append(.execute(WorkTask.self, id: followUp.id, .dispatch(taskID: followUp.id, details: details, assignee: assignee), key: key))
            case let .createTask(department, subject, dueAt, customerID, ticketID):
                let details = WorkTask.Details(title: subject, note: "ticket-\(ticketID.lowercasedString)", customerID: customerID,
                                               kind: .supportRequest, dueAt: dueAt ?? event.recordedAt.addingTimeInterval(86_400))
                commands.append(.execute(WorkTask.self, id: followUp.id, .dispatch(taskID: followUp.id, details: details, assignee: department), key: key))
            case let .queueLetter(template, customerID, ticketID):
                let item = OutboxItemQueued(itemID: followUp.id, channel: "letter", template: template, customerID: customerID,
                                            reference: Ticket.stream(ticketID).rawValue, queuedAt: event.recordedAt)
                commands.append(.execute(OutboxItem.self, id: followUp.id, .queue(item), key: key))
            case let .escalate(ticketID, _, to):
                commands.append(.execute(Ticket.self, id: ticketID, .changeSeverity(to: to, sla: nil, reason: "rule chain"), key: key))
            }
        }
        return commands
    }

    /// The minimum severities of the chains of `kind` that ran for a ticket before `event`, one of its events
    /// (``TicketRules/chainsRun(by:kind:)`` of its opening and raises before it, each with the settings as of it).
    static func chainsRun(before event: ProjectionEvent, kind: TicketKind, engine: CRMEngine) async throws -> Set<TicketSeverity> {
        var earlier: [(event: TicketEvent, settings: Settings.State)] = []
        var from = StreamVersion.first
        let types: Set<String> = [TicketOpened.eventType, TicketSeverityChanged.eventType]
        pages: while from < event.streamVersion {
            let page = try await engine.store.readStream(event.stream, from: from, direction: .forward, limit: 256)
            for recorded in page {
                guard recorded.streamVersion < event.streamVersion else { break pages }
                guard types.contains(recorded.type) else { continue }
                let payload = try engine.registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: recorded.payload)
                guard let ticketEvent = TicketEvent(payload: payload) else { continue }
                switch ticketEvent {
                case .opened: break
                case .severityChanged(let changed) where changed.isEscalation: break
                default: continue  // a lowering runs no chain
                }
                earlier.append((ticketEvent, try await engine.settings(asOf: recorded.position)))
            }
            guard let last = page.last, page.count == 256 else { break }
            from = last.streamVersion.next
        }
        return TicketRules.chainsRun(by: earlier, kind: kind)
    }

    /// Loyalty points from spend (R-CUS-8): a revenue entry earns the points the settings' spend rule gives,
    /// converted at the rate of the entry's day (``LoyaltyRules/accrual(forRevenueEntry:customerID:amount:on:rules:rates:)``);
    /// the lot's id derives from the entry, so an entry never earns twice. An entry reversed gives back what is
    /// left of the lot it earned (``LoyaltyRules/clawBack(forReversalOf:clawbackID:on:)``, key `clawback`: a
    /// `PointsClawedBack` on the reversal's day in UTC, its clawback id derived from the reversal's event).
    public static let loyaltyFromRevenue = Reaction(
        name: "loyalty-from-revenue", eventTypes: [RevenueEntryRecorded.eventType, RevenueEntryReversed.eventType]
    ) { event, engine in
        if let reversed = event.payload as? RevenueEntryReversed {
            guard let original = reversed.reversal.reversalOf else { return [] }
            let command = LoyaltyRules.clawBack(forReversalOf: original, clawbackID: UUID.derived("loyalty-clawback", event.id.uuidString),
                                                on: LocalCalendar.utc.localDate(of: reversed.reversedAt))
            return [.execute(LoyaltyAccount.self, id: reversed.reversal.customerID, command, key: "clawback")]
        }
        guard let recorded = event.payload as? RevenueEntryRecorded, recorded.entry.reversalOf == nil else { return [] }
        // The rules in force at the entry's recording: a catching-up reactor accrues what the first run did.
        let settings = try await engine.settings(asOf: event.position)
        let entry = recorded.entry
        guard let command = LoyaltyRules.accrual(forRevenueEntry: entry.id, customerID: entry.customerID, amount: entry.amount, on: entry.date,
                                                 rules: settings.loyaltyAccrualRules, rates: settings.exchangeRates) else { return [] }
        return [.execute(LoyaltyAccount.self, id: entry.customerID, command, key: "accrual")]
    }

    /// Loyalty points from activities (R-CUS-8): a customer's survey response earns what the settings'
    /// activity rule for `surveyAnswered` gives (``LoyaltyRules/accrual(forActivity:reference:customerID:on:rules:)``),
    /// once per response (the lot's reference names it).
    public static let loyaltyFromActivity = Reaction(name: "loyalty-from-activity", eventTypes: [SurveyResponseRecorded.eventType]) { event, engine in
        guard let response = event.payload as? SurveyResponseRecorded, response.recipient.kind == .customer else { return [] }
        let rules = try await engine.settings(asOf: event.position).loyaltyAccrualRules
        guard let command = LoyaltyRules.accrual(forActivity: LoyaltyRules.surveyAnswered, reference: response.responseID.lowercasedString,
                                                 customerID: response.recipient.id, on: LocalCalendar.utc.localDate(of: response.respondedAt),
                                                 rules: rules) else { return [] }
        return [.execute(LoyaltyAccount.self, id: response.recipient.id, command, key: "accrual")]
    }

    /// Approvals through workflow definitions (R-ORG-5): a quote over its author's limit, a contract
    /// submitted, a campaign's feasibility study or a feedback form submitted (or amended after a return),
    /// or a campaign's marketing material requested (R-MKT-2) starts a workflow instance of the kind's default
    /// definition (its current version); the instance's outcome is recorded on the quote, contract,
    /// campaign, form or material as done by the employee who decided (``ApprovalRouting``). Instance ids derive from the record
    /// and its revision (a material: its campaign and its id). An instance starts only while its record still waits for the decision (the quote's
    /// revision is the current one and pending, the contract pending approval, the campaign in feasibility,
    /// the material with nothing approved nor declined in a campaign not closed):
    /// a reactor catching up over a history whose approvals were decided directly (an imported or generated
    /// one) starts nothing for them.
    ///
    /// A subject decided outside its workflow (a quote, contract or campaign approved or sent back directly, a
    /// material approved or declined directly, a feedback form reviewed or returned by hand) while its instance
    /// still waits closes that instance (`WorkflowInstance.closeBySubject`, key `close`), so it leaves the
    /// approvers' inboxes (``approvalClosings(after:engine:)``); so does a contract cancelled (decision `cancelled`). A subject asking for approval again (a quote's
    /// new revision, a contract or campaign's feasibility study submitted again, a feedback form amended) closes
    /// the instance of its earlier request the same way while it still waits — running, or returned to its
    /// submitter — (decision `superseded`, key `supersede`; ``approvalSupersedings(after:engine:)``), before the
    /// new request's instance starts.
    ///
    /// A request its submitter withdraws (the instance cancelled) while its subject still waits for that very
    /// request sends the subject back as the submitter, with the withdrawal's reason, so it can go on: a quote
    /// sent back (revised, even unchanged, to ask again), a contract back to negotiation, a campaign back to
    /// planned, a feedback form returned (amended, even unchanged, to ask again), a material declined (still
    /// approvable directly). ``subjectWaits(on:engine:)`` judges the waiting.
    public static let approvalRouting = Reaction(name: "approval-routing", eventTypes: Set([
        QuoteCreated.eventType, QuoteRevised.eventType, ContractSubmittedForApproval.eventType, CampaignFeasibilitySubmitted.eventType,
        CampaignMaterialRequested.eventType, FeedbackFormSubmitted.eventType, FeedbackFormAmended.eventType, WorkflowCompleted.eventType, WorkflowSentBack.eventType, WorkflowRejected.eventType,
        WorkflowCancelled.eventType,
    ]).union(subjectDecisionTypes)) { event, engine in
        if let closes = try await approvalClosings(after: event, engine: engine) { return closes }
        if let starts = try await approvalStarts(after: event, engine: engine, key: "start") {
            return try await approvalSupersedings(after: event, engine: engine) + starts
        }
        guard let e = WorkflowEvent(payload: event.payload) else { return [] }
        let instance = try await engine.load(WorkflowInstance.self, stream: event.stream).state
        return try await approvalOutcomes(after: e, instance: instance, stream: event.stream, engine: engine)
    }

    /// The command recording on its subject what `e`, an event of the workflow instance in `stream` whose state
    /// is now `instance`, decided (``ApprovalRouting``'s routing of an outcome, run as the employee who decided):
    /// `[]` when it decides nothing the subject still waits for. The approval-routing reaction runs it; a
    /// person's decision is refused up front when its dry run is (``CRMEngine/requireSubjectAcceptsOutcome(of:state:principal:)``),
    /// so a workflow never ends with an outcome its subject refused.
    static func approvalOutcomes(after e: WorkflowEvent, instance: WorkflowInstanceState, stream: StreamID,
                                 engine: CRMEngine) async throws -> [ReactionCommand] {
        // A withdrawn request sends back only a subject that still waits for it: one returned to its submitter
        // sent the subject back already, and a subject that asked again waits for its later request.
        if case .cancelled = e, try await !subjectWaits(on: instance, engine: engine) { return [] }
        if let routed = ApprovalRouting.contractCommand(after: e, instance: instance) {
            return [.execute(Contract.self, id: routed.recordID, routed.command, key: "outcome", actor: routed.actor)]
        }
        if let routed = ApprovalRouting.campaignCommand(after: e, instance: instance) {
            return [.execute(Campaign.self, id: routed.recordID, routed.command, key: "outcome", actor: routed.actor)]
        }
        if let routed = ApprovalRouting.feedbackCommand(after: e, instance: instance) {
            return [.execute(FeedbackForm.self, id: routed.recordID, routed.command, key: "outcome", actor: routed.actor)]
        }
        if instance.subjectKind == .materialRequest, let campaignID = instance.subjectID {
            let campaign = try await engine.load(Campaign.self, stream: Campaign.stream(campaignID)).state
            guard let routed = ApprovalRouting.materialCommand(after: e, instance: instance, campaign: campaign) else { return [] }
            if case .advanceMaterial(let materialID, _, _) = routed.command,
               campaign.materials.first(where: { $0.id == materialID })?.declinedReason != nil,
               try await declinedOutsideWorkflow(materialID, campaignID: campaignID, instance: stream, engine: engine) {
                return []  // a person declined it directly meanwhile: the instance's approval does not undo that
            }
            return [.execute(Campaign.self, id: routed.recordID, routed.command, key: "outcome", actor: routed.actor)]
        }
        guard instance.subjectKind == .quote, let quoteID = instance.subjectID,
              let outcome = ApprovalRouting.outcome(of: e, instance: instance) else { return [] }
        let quote = try await engine.load(Quote.self, stream: Quote.stream(quoteID)).state
        let limits = try await engine.settings().effectiveDiscountLimits
        var role = ""
        if case .approved(let by, _) = outcome, let approver = UUID(text: by), let draft = quote.current?.draft {
            let principal = try await engine.principal(employeeID: approver)
            role = ApprovalRouting.coveringRole(among: try await engine.roleNames(of: principal, at: engine.clock.now()), draft: draft, limits: limits) ?? ""
        }
        guard let routed = ApprovalRouting.quoteCommand(after: e, instance: instance, currentRevision: quote.current?.number ?? 0,
                                                        approverRole: role, limits: limits) else { return [] }
        return [.execute(Quote.self, id: routed.recordID, routed.command, key: "outcome", actor: routed.actor)]
    }

    /// Whether the subject of the workflow `instance` still waits for this very instance's decision: a quote
    /// pending approval whose current revision the instance approves; a contract pending approval, or a campaign
    /// in feasibility review, whose latest request for approval started the instance; a feedback form in review
    /// under the instance; a material with nothing approved nor declined, in a campaign not closed.
    static func subjectWaits(on instance: WorkflowInstanceState, engine: CRMEngine) async throws -> Bool {
        guard let id = instance.instanceID, let kind = instance.subjectKind, let subject = instance.subjectID else { return false }
        func latestRequest(_ stream: StreamID, version: StreamVersion) async throws -> UUID? {
            guard version != .noStream, let (_, types) = approvalRequests(of: kind),
                  let request = try await firstAnswer(in: stream, from: version, .backward, engine: engine, {
                      types.contains($0.type) ? $0.streamVersion : nil
                  }) else { return nil }
            return ApprovalRouting.instanceID(for: kind, recordID: subject, revision: request.rawValue)
        }
        switch kind {
        case .quote:
            let quote = try await engine.load(Quote.self, stream: Quote.stream(subject)).state
            guard quote.status == .pendingApproval, let current = quote.current else { return false }
            return ApprovalRouting.instanceID(for: .quote, recordID: subject, revision: UInt64(max(current.number, 0))) == id
        case .contract:
            let (contract, version) = try await engine.load(Contract.self, stream: Contract.stream(subject))
            guard contract.status == .pendingApproval else { return false }
            return try await latestRequest(Contract.stream(subject), version: version) == id
        case .campaign:
            let (campaign, version) = try await engine.load(Campaign.self, stream: Campaign.stream(subject))
            guard campaign.status == .feasibility else { return false }
            return try await latestRequest(Campaign.stream(subject), version: version) == id
        case .feedbackForm:
            let form = try await engine.load(FeedbackForm.self, stream: FeedbackForm.stream(subject)).state
            return form.status == .inReview && form.workflowID == id
        case .materialRequest:
            let campaign = try await engine.load(Campaign.self, stream: Campaign.stream(subject)).state
            return campaign.status != .closed && ApprovalRouting.material(of: id, in: campaign)?.waitsForApproval == true
        }
    }

    /// The workflow start for a quote, contract, campaign (feasibility or material request) or feedback form event that asks for an approval — `[]` when the
    /// kind has no default definition, the event asks for none or its record no longer waits — or nil when
    /// `event` is of none of these records. The command carries `key`.
    static func approvalStarts(after event: ProjectionEvent, engine: CRMEngine, key: String) async throws -> [ReactionCommand]? {
        func definition(_ kind: WorkflowSubjectKind) async throws -> WorkflowDefinitionVersion? {
            try await currentDefinition(kind, engine: engine)
        }
        func start(_ routed: ApprovalRouting.Routed<WorkflowInstance.Command>?) -> [ReactionCommand] {
            routed.map { [.execute(WorkflowInstance.self, id: $0.recordID, $0.command, key: key, actor: $0.actor)] } ?? []
        }
        if let e = QuoteEvent(payload: event.payload) {
            guard let current = try await definition(.quote),
                  let routed = ApprovalRouting.start(after: e, definition: current) else { return [] }
            let quote = try await engine.load(Quote.self, stream: event.stream).state
            let revision: Int
            switch e {
            case .created(let created): revision = created.revision.number
            case .revised(let revised): revision = revised.revision.number
            default: return []
            }
            guard quote.status == .pendingApproval, quote.current?.number == revision else { return [] }
            return start(routed)
        }
        if let e = ContractEvent(payload: event.payload) {
            guard let current = try await definition(.contract),
                  let routed = ApprovalRouting.start(after: e, version: event.streamVersion, definition: current),
                  try await engine.load(Contract.self, stream: event.stream).state.status == .pendingApproval,
                  try await isLatestRequest(event, of: .contract, engine: engine) else { return [] }
            return start(routed)
        }
        if let e = CampaignEvent(payload: event.payload), case .materialRequested(let requested) = e {
            guard let current = try await definition(.materialRequest),
                  let routed = ApprovalRouting.materialStart(after: e, definition: current) else { return [] }
            let campaign = try await engine.load(Campaign.self, stream: event.stream).state
            guard campaign.status != .closed, campaign.materials.first(where: { $0.id == requested.materialID })?.waitsForApproval == true else { return [] }
            return start(routed)
        }
        if let e = CampaignEvent(payload: event.payload) {
            guard let current = try await definition(.campaign),
                  let routed = ApprovalRouting.start(after: e, version: event.streamVersion, definition: current),
                  try await engine.load(Campaign.self, stream: event.stream).state.status == .feasibility,
                  try await isLatestRequest(event, of: .campaign, engine: engine) else { return [] }
            return start(routed)
        }
        if let e = FeedbackEvent(payload: event.payload), let formID = UUID(text: String(event.stream.rawValue.dropFirst(FeedbackForm.category.count + 1))) {
            // The instance, then the form's review under its id (two commands of the one event).
            guard let current = try await definition(.feedbackForm),
                  let routed = ApprovalRouting.start(after: e, formID: formID, version: event.streamVersion, definition: current),
                  try await engine.load(FeedbackForm.self, stream: event.stream).state.status == .submitted,
                  try await isLatestRequest(event, of: .feedbackForm, engine: engine) else { return [] }
            return start(routed) + [.execute(FeedbackForm.self, id: formID, .startReview(workflowID: routed.recordID), key: key + ":review", actor: routed.actor)]
        }
        return nil
    }

    /// Whether `event` is its record's latest request for approval of `kind`. The record's state says it
    /// waits, but maybe for a later request: a reactor replaying an older submission (a lost checkpoint, a
    /// node far behind, a definition recorded in between) starts no workflow for it once the record asked
    /// again — the later request's own reaction does. (A quote compares its revision number instead.)
    static func isLatestRequest(_ event: ProjectionEvent, of kind: WorkflowSubjectKind, engine: CRMEngine) async throws -> Bool {
        guard let (_, types) = approvalRequests(of: kind) else { return false }
        let later = try await firstAnswer(in: event.stream, from: event.streamVersion.next, .forward, engine: engine) {
            types.contains($0.type) ? true : nil
        }
        return later == nil
    }

    /// The events that decide a workflow's subject, directly or as the workflow's outcome (or end it: a contract cancelled).
    static let subjectDecisionTypes: Set<String> = [
        QuoteApproved.eventType, QuoteSentBack.eventType, ContractApproved.eventType, ContractSentBack.eventType, ContractCancelled.eventType,
        CampaignApproved.eventType, CampaignSentBack.eventType, CampaignMaterialAdvanced.eventType, CampaignMaterialDeclined.eventType,
        FeedbackFormReviewed.eventType, FeedbackFormReturned.eventType,
    ]

    /// The close of the workflow instance that waited to decide what `event` decided outside it — `[]` when
    /// no instance waits for it (none started, it has ended, or the decision is the instance's own outcome:
    /// caused by one of its events) — or nil when `event` decides no subject. The instance is the one of the
    /// decided revision (a quote), of the latest submission before the decision (a contract, a campaign's
    /// feasibility study), of the material, or the one the form names (``ApprovalRouting/closing(after:)``).
    /// Recorded by the system; the command's key is `close`, so a replay closes nothing twice.
    static func approvalClosings(after event: ProjectionEvent, engine: CRMEngine) async throws -> [ReactionCommand]? {
        let routed: ApprovalRouting.Routed<WorkflowInstance.Command>?
        let kind: WorkflowSubjectKind
        if let e = QuoteEvent(payload: event.payload) {
            switch e {
            case .approved, .sentBack: (routed, kind) = (ApprovalRouting.closing(after: e), .quote)
            default: return nil
            }
        } else if let e = ContractEvent(payload: event.payload) {
            switch e {
            case .approved, .sentBack, .cancelled:
                guard let submission = try await latestRequest(before: event, types: [ContractSubmittedForApproval.eventType], engine: engine) else { return [] }
                (routed, kind) = (ApprovalRouting.closing(after: e, submission: submission), .contract)
            default: return nil
            }
        } else if let e = CampaignEvent(payload: event.payload) {
            switch e {
            case .approved, .sentBack:
                let submission = try await latestRequest(before: event, types: [CampaignFeasibilitySubmitted.eventType], engine: engine)
                (routed, kind) = (ApprovalRouting.closing(after: e, feasibilitySubmission: submission), .campaign)
            case .materialAdvanced, .materialDeclined:
                (routed, kind) = (ApprovalRouting.closing(after: e, feasibilitySubmission: nil), .materialRequest)
            default: return nil
            }
        } else if let e = FeedbackEvent(payload: event.payload) {
            switch e {
            case .reviewed, .returned: (routed, kind) = (ApprovalRouting.closing(after: e, actor: event.metadata.actor), .feedbackForm)
            default: return nil
            }
        } else {
            return nil
        }
        return try await close(routed, of: kind, after: event, engine: engine, key: "close")
    }

    /// The close of the instance of the record's earlier request for approval when `event` asks again: a
    /// quote's new revision supersedes the instance of the revision before (``ApprovalRouting/superseding(after:)``);
    /// a contract submitted again, a campaign's feasibility study submitted again or a feedback form amended
    /// supersedes the instance of the latest request before `event` in its stream. `[]` when there is none,
    /// it has ended, or `event` asks for nothing. Recorded by the system as `closeBySubject(decision:
    /// .superseded, decidedBy:)` (by whoever asked again), caused by `event`, under the key `supersede`: a
    /// replay closes nothing twice. The new request's own instance has another id and is never closed here.
    static func approvalSupersedings(after event: ProjectionEvent, engine: CRMEngine) async throws -> [ReactionCommand] {
        let kind: WorkflowSubjectKind
        if let e = QuoteEvent(payload: event.payload) {
            return try await close(ApprovalRouting.superseding(after: e), of: .quote, after: event, engine: engine, key: "supersede")
        } else if let e = ContractEvent(payload: event.payload), case .submittedForApproval = e {
            kind = .contract
        } else if let e = CampaignEvent(payload: event.payload), case .feasibilitySubmitted = e {
            kind = .campaign
        } else if let e = FeedbackEvent(payload: event.payload), case .amended = e {
            kind = .feedbackForm
        } else {
            return []
        }
        guard let (category, types) = approvalRequests(of: kind), event.stream.category == category,
              let recordID = UUID(text: String(event.stream.rawValue.dropFirst(category.count + 1))),
              let earlier = try await latestRequest(before: event, types: types, engine: engine) else { return [] }
        let routed = ApprovalRouting.superseding(kind, recordID: recordID, earlier: earlier.rawValue, by: event.metadata.actor)
        return try await close(routed, of: kind, after: event, engine: engine, key: "supersede")
    }

    /// `routed`'s close, under `key`, when its instance still waits (running or returned to its submitter), is
    /// about the record `event` decided or asked again for (its kind, and the id of `event`'s stream: a
    /// material's instance is about its campaign) and `event` is not the instance's own outcome; else `[]`. The
    /// subject is checked because a feedback form's decision names its workflow by an id its reviewer chose
    /// (in a log from before `startReview` checked it): never someone else's.
    private static func close(_ routed: ApprovalRouting.Routed<WorkflowInstance.Command>?, of kind: WorkflowSubjectKind,
                              after event: ProjectionEvent, engine: CRMEngine, key: String) async throws -> [ReactionCommand] {
        guard let routed else { return [] }
        let stream = WorkflowInstance.stream(routed.recordID)
        let instance = try await engine.load(WorkflowInstance.self, stream: stream).state
        let status = instance.status
        guard instance.subjectKind == kind, let subject = instance.subjectID,
              event.stream == StreamID(category: event.stream.category, id: subject.lowercasedString),
              status == .running || status == .returnedToSubmitter,
              try await !causedByInstance(event.metadata.causationID, instance: stream, engine: engine) else { return [] }
        return [.execute(WorkflowInstance.self, id: routed.recordID, routed.command, key: key)]
    }

    /// The stream version of the latest event of `types` in `event`'s stream before it (a record's latest
    /// request for approval); nil when there is none.
    static func latestRequest(before event: ProjectionEvent, types: Set<String>, engine: CRMEngine) async throws -> StreamVersion? {
        guard event.streamVersion.rawValue > 1 else { return nil }
        return try await firstAnswer(in: event.stream, from: StreamVersion(event.streamVersion.rawValue - 1), engine: engine) {
            types.contains($0.type) ? $0.streamVersion : nil
        }
    }

    /// The first answer `match` gives reading `stream` from `from` in `direction`, a page at a time (so a long
    /// stream, a campaign's sent messages, is never held whole); nil when it answers none to the stream's end.
    static func firstAnswer<T>(in stream: StreamID, from: StreamVersion, _ direction: ReadDirection = .backward, engine: CRMEngine,
                               _ match: (RecordedEvent) throws -> T?) async throws -> T? {
        var from = from
        while true {
            let page = try await engine.store.readStream(stream, from: from, direction: direction, limit: 256)
            for recorded in page { if let answer = try match(recorded) { return answer } }
            guard let last = page.last, page.count == 256 else { return nil }
            switch direction {
            case .forward: from = last.streamVersion.next
            case .backward:
                guard last.streamVersion.rawValue > 1 else { return nil }
                from = StreamVersion(last.streamVersion.rawValue - 1)
            }
        }
    }

    /// Whether an event caused by `causation` is the workflow `instance`'s own doing: the reactor runs an
    /// instance's outcome (the subject's approve, send-back, decline) caused by one of the instance's events.
    static func causedByInstance(_ causation: UUID?, instance: StreamID, engine: CRMEngine) async throws -> Bool {
        guard let causation else { return false }
        return try await engine.store.readStream(instance).contains { $0.id == causation }
    }

    /// Whether a material's latest decline was a person's own decision rather than `instance`'s outcome (whose
    /// commands are caused by the instance's events): found reading the campaign's stream backward a page at
    /// a time, up to the material's request.
    static func declinedOutsideWorkflow(_ materialID: UUID, campaignID: UUID, instance: StreamID, engine: CRMEngine) async throws -> Bool {
        let own = Set(try await engine.store.readStream(instance).map(\.id))
        return try await firstAnswer(in: Campaign.stream(campaignID), from: StreamVersion(UInt64.max), engine: engine) { recorded -> Bool? in
            guard recorded.type == CampaignMaterialDeclined.eventType || recorded.type == CampaignMaterialRequested.eventType else { return nil }
            let payload = try recorded.payload.withUnsafeBytes { try engine.registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: $0) }
            if let declined = payload as? CampaignMaterialDeclined, declined.materialID == materialID {
                return !(recorded.metadata.causationID.map(own.contains) ?? false)
            }
            if let requested = payload as? CampaignMaterialRequested, requested.materialID == materialID { return false }
            return nil
        } ?? false
    }

    /// The current version of a kind's default workflow definition, if defined.
    static func currentDefinition(_ kind: WorkflowSubjectKind, engine: CRMEngine) async throws -> WorkflowDefinitionVersion? {
        let stream = WorkflowDefinition.stream(WorkflowDefinition.defaultID(for: kind))
        let loaded = try await engine.load(WorkflowDefinition.self, stream: stream)
        return loaded.state.current
    }
}
