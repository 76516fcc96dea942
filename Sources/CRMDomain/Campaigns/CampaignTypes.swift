import Foundation

extension Campaign {
    /// Where a campaign is in its life (R-MKT-1). A send-back returns it to `planned`.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case planned, feasibility, approved, executing, closed
    }

    /// A piece of the campaign's work, split down to a department, optionally a team and a person.
    public struct WorkItem: Hashable, Sendable, Codable {
        public var id: UUID
        public var title: String
        public var department: String
        public var team: String?
        public var person: String?

        public init(id: UUID, title: String, department: String, team: String? = nil, person: String? = nil) {
            self.id = id
            self.title = title
            self.department = department
            self.team = team
            self.person = person
        }
    }

    /// A progress report on one work item: percent complete, and who reported it (its owner), when.
    public struct ProgressReport: Hashable, Sendable, Codable {
        public var workItemID: UUID
        /// 0…100.
        public var percent: Int
        public var owner: String
        public var at: Date
        public var note: String?

        public init(workItemID: UUID, percent: Int, owner: String, at: Date, note: String? = nil) {
            self.workItemID = workItemID
            self.percent = percent
            self.owner = owner
            self.at = at
            self.note = note
        }
    }

    /// An actual cost of the campaign, in the budget's currency (R-MKT-2).
    public struct CostLine: Hashable, Sendable, Codable {
        public var id: UUID
        public var description: String
        public var amount: Money
        public var date: LocalDate

        public init(id: UUID, description: String, amount: Money, date: LocalDate) {
            self.id = id
            self.description = description
            self.amount = amount
            self.date = date
        }
    }

    /// The stages a marketing material passes after it is requested (R-MKT-2).
    public enum MaterialStage: String, CaseIterable, Hashable, Sendable, Codable {
        case approved, purchased, consumed
    }

    /// A marketing material and its quantities at each stage: approved ≤ requested, purchased ≤ approved,
    /// consumed ≤ purchased.
    public struct Material: Hashable, Sendable {
        public var id: UUID
        public var name: String
        public var unit: String
        public var requested: Decimal
        /// Who requested it (who may not decide the request: the engine's rule); empty when not known.
        public var requestedBy: String = ""
        public var approved: Decimal = 0
        public var purchased: Decimal = 0
        public var consumed: Decimal = 0
        /// Why the request was declined (`CampaignMaterialDeclined`, e.g. its approval workflow sent back or
        /// rejected); nil once a quantity is approved.
        public var declinedReason: String?

        public init(id: UUID, name: String, unit: String, requested: Decimal) {
            self.id = id
            self.name = name
            self.unit = unit
            self.requested = requested
        }

        /// Whether the request still waits for its approval: nothing approved and not declined.
        public var waitsForApproval: Bool { approved == 0 && declinedReason == nil }

        /// The quantity at `stage`.
        public func quantity(at stage: MaterialStage) -> Decimal {
            switch stage {
            case .approved: return approved
            case .purchased: return purchased
            case .consumed: return consumed
            }
        }

        /// The quantity the stage before `stage` allows.
        public func allowed(at stage: MaterialStage) -> Decimal {
            switch stage {
            case .approved: return requested
            case .purchased: return approved
            case .consumed: return purchased
            }
        }
    }

    /// Customers selected for the campaign by segment or criteria (R-MKT-3); the selection itself is done
    /// by the caller, the list records what was selected and how.
    public struct TargetList: Hashable, Sendable, Codable {
        public var id: UUID
        /// The segment chosen, if the selection was by segment.
        public var segment: String?
        /// The criteria as the user gave them, e.g. `birthday in March, branch sh`.
        public var criteria: String
        public var customerIDs: [UUID]

        public init(id: UUID, segment: String? = nil, criteria: String, customerIDs: [UUID]) {
            self.id = id
            self.segment = segment
            self.criteria = criteria
            self.customerIDs = customerIDs
        }
    }

    /// What a targeted message is (R-MKT-3).
    public enum MessageKind: String, CaseIterable, Hashable, Sendable, Codable {
        case greeting, promotion, surveyInvitation
    }

    /// One message sent to one customer; the sending channel itself is an adapter.
    public struct SentMessage: Hashable, Sendable, Codable {
        public var id: UUID
        public var listID: UUID
        public var customerID: UUID
        public var kind: MessageKind
        /// E.g. `sms`, `email`, `letter`.
        public var channel: String
        public var sentAt: Date

        public init(id: UUID, listID: UUID, customerID: UUID, kind: MessageKind, channel: String, sentAt: Date) {
            self.id = id
            self.listID = listID
            self.customerID = customerID
            self.kind = kind
            self.channel = channel
            self.sentAt = sentAt
        }
    }

    /// The closing summary: responses, sales effect and the cost against that return.
    public struct Summary: Hashable, Sendable, Codable {
        public var responses: Int
        /// The sales attributed to the campaign, in the budget's currency.
        public var salesEffect: Money
        public var note: String

        public init(responses: Int, salesEffect: Money, note: String) {
            self.responses = responses
            self.salesEffect = salesEffect
            self.note = note
        }
    }
}
