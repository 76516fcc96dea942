import EventSourcing
import Foundation

/// A new connection for a customer at an address (R-SRV-6, the utility spec's customer development):
/// application → site survey → fee → design → construction → acceptance → commissioning → archived,
/// strictly in order. Each stage has a deadline, an assignee, materials and fees; a stage can be sent back
/// to the previous one with a reason; the whole connection can be cancelled. Stream `connection-<id>`.
///
/// The fee stage is complete only when at least one fee was assessed in it and every fee assessed in it is paid.
///
/// ```swift
/// let (_, state) = try NewConnection.execute(.advance(note: "survey done", deadline: due, assignee: "emp-7"),
///                                            state: state, context: context)
/// state.summary?.stage   // .fee
/// ```
public enum NewConnection: Aggregate {
    public static let category = "connection"

    public struct State: Sendable, Equatable {
        public var connectionID: UUID?
        public var customerID: UUID?
        public var address: String = ""
        /// Every stay in a stage, in order; the last one is the current stage.
        public var visits: [StageVisit] = []
        public var materials: [ConnectionStage: [ConnectionMaterial]] = [:]
        public var fees: [ConnectionFee] = []
        public var cancelledAt: Date?
        public var cancelReason: String?

        public init() {}

        /// Whether the connection was opened.
        public var exists: Bool { connectionID != nil }
        /// Whether the connection still moves: opened, not cancelled, not archived.
        public var isActive: Bool { exists && cancelledAt == nil && currentStage != .archived }

        /// The stage the connection is in; nil before it is opened.
        public var currentStage: ConnectionStage? { visits.last?.stage }
        /// The current stage's deadline; nil once archived.
        public var currentDeadline: Date? { visits.last?.deadline }
        /// Who works on the current stage.
        public var currentAssignee: String? { visits.last?.assignee }

        /// Whether the current stage's deadline has passed at `instant` (never for a cancelled or archived connection).
        public func isStageLate(at instant: Date) -> Bool {
            guard isActive, let deadline = currentDeadline else { return false }
            return instant > deadline
        }

        /// Seconds spent in each stage (summed over send-backs), the current stage counted up to `instant`.
        public func timeSpent(at instant: Date) -> [ConnectionStage: TimeInterval] {
            var result: [ConnectionStage: TimeInterval] = [:]
            for visit in visits where visit.stage != .archived {
                let end = visit.leftAt ?? instant
                result[visit.stage, default: 0] += max(0, end.timeIntervalSince(visit.enteredAt))
            }
            return result
        }

        /// The assessed fees, totalled per currency (paid or not).
        public var totalFees: [Currency: Decimal] { Self.total(fees) }
        /// The fees still unpaid, totalled per currency.
        public var outstandingFees: [Currency: Decimal] { Self.total(fees.filter { $0.paidAt == nil }) }

        private static func total(_ fees: [ConnectionFee]) -> [Currency: Decimal] {
            fees.reduce(into: [:]) { $0[$1.amount.currency, default: 0] += $1.amount.amount }
        }

        /// What the customer's record shows; nil before the connection is opened.
        public var summary: ConnectionSummary? {
            guard let connectionID, let stage = currentStage else { return nil }
            return ConnectionSummary(connectionID: connectionID, stage: stage, deadline: currentDeadline,
                                     assignee: currentAssignee, isCancelled: cancelledAt != nil)
        }
    }

    public enum Command: Sendable {
        /// Opens the connection in the application stage.
        case open(connectionID: UUID, customerID: UUID, address: String, deadline: Date, assignee: String)
        /// Records a material used in the current stage.
        case addMaterial(ConnectionMaterial)
        /// Assesses a fee in the current stage.
        case assessFee(feeID: UUID, amount: Money, description: String)
        /// Records a fee as paid; paying it again records nothing.
        case payFee(feeID: UUID)
        /// Completes the current stage and enters the next; `deadline` and `assignee` are the next stage's
        /// (both nil when the next stage is `archived`).
        case advance(note: String?, deadline: Date?, assignee: String?)
        /// Sends the current stage back to the previous one, with the reopened stage's deadline and assignee.
        case sendBack(reason: String, deadline: Date, assignee: String)
        /// Changes the current stage's deadline and/or assignee; records exactly what changed.
        case replan(deadline: Date, assignee: String)
        case cancel(reason: String)
    }

    public typealias Event = NewConnectionEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        if case .open(let id, let customerID, let address, let deadline, let assignee) = command {
            guard !state.exists else { throw DomainError(.alreadyExists, "the connection is already open") }
            let address = try Validate.text(address, field: "address", max: 500)
            let assignee = try Validate.text(assignee, field: "assignee", max: 100)
            guard deadline > context.now else { throw .invalid("deadline", "must be in the future") }
            return [.opened(ConnectionOpened(connectionID: id, customerID: customerID, address: address,
                                             openedAt: context.now, deadline: deadline, assignee: assignee))]
        }
        guard let id = state.connectionID, let stage = state.currentStage else { throw .notFound("no such connection") }
        if case .payFee(let feeID) = command, state.fees.first(where: { $0.id == feeID })?.paidAt != nil { return [] }
        guard state.cancelledAt == nil else { throw .transition("the connection is cancelled") }
        guard stage != .archived else { throw .transition("the connection is archived") }

        switch command {
        case .open:
            return []  // decided above, before the record must exist

        case .addMaterial(var material):
            material.name = try Validate.text(material.name, field: "name", max: 200)
            material.unit = try Validate.text(material.unit, field: "unit", max: 20)
            guard material.quantity > 0 else { throw .invalid("quantity", "must be positive") }
            try Validate.amount(material.quantity, field: "quantity")
            return [.materialAdded(ConnectionMaterialAdded(connectionID: id, stage: stage, material: material))]

        case .assessFee(let feeID, let amount, let description):
            guard !state.fees.contains(where: { $0.id == feeID }) else {
                throw DomainError(.alreadyExists, field: "feeID", "a fee with this id was already assessed")
            }
            guard amount.amount > 0 else { throw .invalid("amount", "must be positive") }
            try Validate.amount(amount.amount, field: "amount")
            try Validate.currency(amount.currency, field: "amount")
            let description = try Validate.text(description, field: "description", max: 200)
            return [.feeAssessed(ConnectionFeeAssessed(connectionID: id, feeID: feeID, stage: stage, amount: amount,
                                                       description: description, assessedAt: context.now))]

        case .payFee(let feeID):
            guard state.fees.contains(where: { $0.id == feeID }) else { throw .notFound("no such fee") }
            return [.feePaid(ConnectionFeePaid(connectionID: id, feeID: feeID, paidAt: context.now))]

        case .advance(let note, let deadline, let assignee):
            guard let next = stage.next else { throw .transition("the connection is archived") }
            if stage == .fee {
                let stageFees = state.fees.filter { $0.stage == .fee }
                guard !stageFees.isEmpty else { throw .transition("no fee was assessed in the fee stage") }
                guard stageFees.allSatisfy({ $0.paidAt != nil }) else { throw .transition("the fee is not paid") }
            }
            let note = try Validate.optionalMultilineText(note, field: "note")
            if next == .archived {
                return [.advanced(ConnectionStageAdvanced(connectionID: id, from: stage, to: next, completedAt: context.now,
                                                          note: note, deadline: nil, assignee: nil))]
            }
            guard let deadline else { throw .invalid("deadline", "the next stage needs a deadline") }
            guard deadline > context.now else { throw .invalid("deadline", "must be in the future") }
            let assignee = try Validate.text(assignee ?? "", field: "assignee", max: 100)
            return [.advanced(ConnectionStageAdvanced(connectionID: id, from: stage, to: next, completedAt: context.now,
                                                      note: note, deadline: deadline, assignee: assignee))]

        case .sendBack(let reason, let deadline, let assignee):
            guard let previous = stage.previous else { throw .transition("the application stage has no previous stage") }
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard deadline > context.now else { throw .invalid("deadline", "must be in the future") }
            let assignee = try Validate.text(assignee, field: "assignee", max: 100)
            return [.sentBack(ConnectionStageSentBack(connectionID: id, from: stage, to: previous, reason: reason,
                                                      sentBackAt: context.now, deadline: deadline, assignee: assignee))]

        case .replan(let deadline, let assignee):
            let assignee = try Validate.text(assignee, field: "assignee", max: 100, unlessUnchangedFrom: state.currentAssignee)
            var changes: [FieldChange] = []
            if deadline != state.currentDeadline {
                guard deadline > context.now else { throw .invalid("deadline", "must be in the future") }
                changes.record("deadline", state.currentDeadline.map(Self.fieldValue), Self.fieldValue(deadline))
            }
            changes.record("assignee", state.currentAssignee.map(FieldValue.text), .text(assignee))
            guard !changes.isEmpty else { return [] }
            return [.replanned(ConnectionStageReplanned(connectionID: id, stage: stage, changes: changes,
                                                        deadline: deadline, assignee: assignee))]

        case .cancel(let reason):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.cancelled(ConnectionCancelled(connectionID: id, stage: stage, reason: reason, cancelledAt: context.now))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .opened(let e):
            s.connectionID = e.connectionID
            s.customerID = e.customerID
            s.address = e.address
            s.visits = [StageVisit(stage: .application, enteredAt: e.openedAt, deadline: e.deadline, assignee: e.assignee)]
        case .materialAdded(let e):
            s.materials[e.stage, default: []].append(e.material)
        case .feeAssessed(let e):
            s.fees.append(ConnectionFee(id: e.feeID, stage: e.stage, amount: e.amount, description: e.description, assessedAt: e.assessedAt))
        case .feePaid(let e):
            if let index = s.fees.firstIndex(where: { $0.id == e.feeID }) { s.fees[index].paidAt = e.paidAt }
        case .advanced(let e):
            s.closeCurrentVisit(at: e.completedAt, note: e.note)
            s.visits.append(StageVisit(stage: e.to, enteredAt: e.completedAt, deadline: e.deadline, assignee: e.assignee))
        case .sentBack(let e):
            s.closeCurrentVisit(at: e.sentBackAt, note: e.reason)
            s.visits.append(StageVisit(stage: e.to, enteredAt: e.sentBackAt, deadline: e.deadline, assignee: e.assignee))
        case .replanned(let e):
            if let last = s.visits.indices.last {
                let visit = s.visits[last]
                s.visits[last] = StageVisit(stage: visit.stage, enteredAt: visit.enteredAt, deadline: e.deadline, assignee: e.assignee)
            }
        case .cancelled(let e):
            s.closeCurrentVisit(at: e.cancelledAt, note: e.reason)
            s.cancelledAt = e.cancelledAt
            s.cancelReason = e.reason
        }
        return s
    }
}

extension NewConnection {
    /// An instant as a trail value: ISO 8601 text in UTC.
    static func fieldValue(_ instant: Date) -> FieldValue {
        .text(instant.formatted(.iso8601))
    }
}

extension NewConnection.State {
    fileprivate mutating func closeCurrentVisit(at instant: Date, note: String?) {
        guard let last = visits.indices.last else { return }
        visits[last].leftAt = instant
        visits[last].note = note
    }
}
