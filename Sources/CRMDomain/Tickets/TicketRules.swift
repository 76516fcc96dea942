import Foundation

/// A follow-up command a ticket event leads to under the rule chains in settings (R-SRV-2). The engine's
/// reactor runs it; its ``id`` derives from the triggering event, so a replay never duplicates it.
public struct FollowUp: Hashable, Sendable {
    /// What to do.
    public enum Action: Hashable, Sendable {
        /// Notify the customer's owner (account manager) about the ticket; the engine resolves the owner.
        case notifyOwner(customerID: UUID, ticketID: UUID, subject: String)
        /// Queue a letter to the customer from a template (an outbox item).
        case queueLetter(template: String, customerID: UUID, ticketID: UUID)
        /// Create a task for a department, due at `dueAt` (nil: no due time was configured).
        case createTask(department: String, subject: String, dueAt: Date?, customerID: UUID, ticketID: UUID)
        /// Raise the ticket's severity to `to` (the engine looks up the new SLA).
        case escalate(ticketID: UUID, from: TicketSeverity, to: TicketSeverity)
    }

    /// `UUID.derived("followup", <event id>, <action index>)` (``TicketRules/followUps(for:eventID:ticket:settings:ran:)``).
    public var id: UUID
    public var action: Action

    public init(id: UUID, action: Action) {
        self.id = id
        self.action = action
    }
}

/// The rule chains of tickets as a pure function: which follow-ups an event leads to.
///
/// ```swift
/// let followUps = TicketRules.followUps(for: event, eventID: recorded.id, ticket: state, settings: settings)
/// ```
public enum TicketRules {
    /// The follow-ups of `event`, recorded with `eventID`. `ticket` gives the ticket's id, customer, kind
    /// and subject; the severity and the instant come from the event itself, so a reactor that runs late
    /// (with a newer state) still derives the same follow-ups.
    ///
    /// - A ticket opened triggers the actions of every chain matching its kind and severity
    ///   (``Settings/State/ruleActions(kind:severity:)``).
    /// - A severity raised triggers the actions of the chains it newly reaches (matching the new severity
    ///   but not the old one); escalate actions are skipped there, so an escalation never cascades.
    ///   A chain's actions happen once per ticket: a chain whose minimum severity is in `ran` — the chains of
    ///   the ticket's kind that already ran for it (``chainsRun(by:kind:)``, each earlier event judged by the
    ///   settings in force at it) — does not run again, so a severity lowered and raised again triggers nothing
    ///   more, while a chain added after the ticket first reached its severity runs when the severity is raised
    ///   to it again. Nil: judged from the event's old severity alone.
    /// - Other events trigger nothing.
    ///
    /// Each follow-up's id is `UUID.derived("followup", eventID, index)` where `index` is the action's
    /// position in the list of the chains the event reaches from its old severity (chains skipped as
    /// already reached keep their places), so running this twice gives the same ids — and the ids of the
    /// follow-ups still run are those recorded before chains were run once per ticket.
    public static func followUps(for event: TicketEvent, eventID: UUID, ticket: Ticket.State, settings: Settings.State,
                                 ran: Set<TicketSeverity>? = nil) -> [FollowUp] {
        guard let ticketID = ticket.id, let customerID = ticket.customerID else { return [] }
        let actions: [(action: RuleAction, ranBefore: Bool)]
        let at: Date
        let severity: TicketSeverity
        var allowEscalation = true
        switch event {
        case .opened(let e):
            actions = settings.ruleActions(kind: e.kind, severity: e.severity).map { ($0, false) }
            at = e.openedAt
            severity = e.severity
        case .severityChanged(let e) where e.isEscalation:
            actions = settings.ticketRuleChains
                .filter { $0.kind == ticket.kind && e.newSeverity >= $0.minimumSeverity && e.oldSeverity < $0.minimumSeverity }
                .flatMap { chain in
                    let ranBefore = ran?.contains(chain.minimumSeverity) ?? false
                    return chain.actions.map { ($0, ranBefore) }
                }
            at = e.changedAt
            severity = e.newSeverity
            allowEscalation = false
        default:
            return []
        }
        var result: [FollowUp] = []
        for (index, (rule, ranBefore)) in actions.enumerated() where !ranBefore {
            let action: FollowUp.Action
            switch rule.kind {
            case .notifyOwner:
                action = .notifyOwner(customerID: customerID, ticketID: ticketID, subject: ticket.subject)
            case .queueLetter:
                guard let template = rule.template, !template.isEmpty else { continue }
                action = .queueLetter(template: template, customerID: customerID, ticketID: ticketID)
            case .createTask:
                guard let department = rule.department, !department.isEmpty else { continue }
                let due = rule.dueInHours.map { at.addingTimeInterval(Double($0) * 3600) }
                action = .createTask(department: department, subject: rule.template ?? ticket.subject, dueAt: due,
                                     customerID: customerID, ticketID: ticketID)
            case .escalate:
                guard allowEscalation, let next = severity.nextHigher else { continue }
                action = .escalate(ticketID: ticketID, from: severity, to: next)
            }
            result.append(FollowUp(id: UUID.derived("followup", eventID.uuidString, String(index)), action: action))
        }
        return result
    }

    /// The minimum severities of the chains of `kind` that ran for a ticket, given its earlier `events` each
    /// with the settings in force at it (``Settings/State/ticketRuleChains``, a chain known by its kind and
    /// minimum severity): a ticket opened ran every chain its severity reached, a raise those it newly reached
    /// (from below their minimum to at or above it). A chain missing from the settings at an event did not run
    /// there, whatever the severity. What ``followUps(for:eventID:ticket:settings:ran:)`` takes as `ran`.
    public static func chainsRun(by events: some Sequence<(event: TicketEvent, settings: Settings.State)>, kind: TicketKind) -> Set<TicketSeverity> {
        var ran: Set<TicketSeverity> = []
        for (event, settings) in events {
            let chains = settings.ticketRuleChains.filter { $0.kind == kind }
            switch event {
            case .opened(let e):
                ran.formUnion(chains.filter { e.severity >= $0.minimumSeverity }.map(\.minimumSeverity))
            case .severityChanged(let e) where e.isEscalation:
                ran.formUnion(chains.filter { e.oldSeverity < $0.minimumSeverity && e.newSeverity >= $0.minimumSeverity }.map(\.minimumSeverity))
            default:
                continue
            }
        }
        return ran
    }
}

fileprivate extension TicketSeverity {
    /// The next higher severity; nil for the highest.
    var nextHigher: TicketSeverity? {
        guard let index = Self.allCases.firstIndex(of: self), index + 1 < Self.allCases.count else { return nil }
        return Self.allCases[index + 1]
    }
}
