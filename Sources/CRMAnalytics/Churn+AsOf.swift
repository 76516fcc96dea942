import CRMDomain
import Foundation

extension Churn {
    /// A contract as churn reads it from an instant on (until its next change): whether it is active, its
    /// last day and whether it renews by itself. A contract is `active` from its activation until it expires
    /// or is terminated.
    public struct ContractState: Hashable, Sendable {
        /// When the change was recorded.
        public var since: Date
        public var active: Bool
        public var expiry: LocalDate
        /// The terms have an auto-renewal clause (it renews on its expiry: not an expiring contract).
        public var renews: Bool

        public init(since: Date, active: Bool, expiry: LocalDate, renews: Bool) {
            self.since = since
            self.active = active
            self.expiry = expiry
            self.renews = renews
        }
    }

    /// An opportunity as churn reads it from an instant on: open or closed (won or lost).
    public struct OpportunityState: Hashable, Sendable {
        /// When the change was recorded.
        public var since: Date
        public var open: Bool

        public init(since: Date, open: Bool) {
            self.since = since
            self.open = open
        }
    }

    /// The customers' contracts and opportunities with every change churn cares about, oldest first per
    /// record, so the contract-expiring signal of a day is judged from the records **as they stood at its
    /// end** (a contract terminated or renewed, an opportunity won or lost later does not change a past day).
    ///
    /// ```swift
    /// let end = calendar.endOfDay(day)
    /// let expiresIn = history.contractExpiresInDays(of: customer, on: day, before: end)
    /// let renewing = history.hasOpenOpportunity(customer, before: end)
    /// ```
    public struct RecordHistory: Sendable {
        /// Customer → each of its contracts' changes, oldest first.
        public var contracts: [UUID: [[ContractState]]]
        /// Customer → each of its opportunities' changes, oldest first.
        public var opportunities: [UUID: [[OpportunityState]]]

        public init(contracts: [UUID: [[ContractState]]] = [:], opportunities: [UUID: [[OpportunityState]]] = [:]) {
            self.contracts = contracts
            self.opportunities = opportunities
        }

        /// Days from `day` to the last day of the customer's nearest contract that was active without an
        /// auto-renewal clause before `end` (the end of `day`) and ends on or after `day`; nil: none.
        public func contractExpiresInDays(of customerID: UUID, on day: LocalDate, before end: Date) -> Int? {
            (contracts[customerID] ?? []).compactMap { changes -> Int? in
                guard let state = Self.state(changes, before: end), state.active, !state.renews else { return nil }
                let days = day.days(until: state.expiry)
                return days >= 0 ? days : nil
            }.min()
        }

        /// Whether an opportunity of the customer was open before `end` (the end of the day judged).
        public func hasOpenOpportunity(_ customerID: UUID, before end: Date) -> Bool {
            (opportunities[customerID] ?? []).contains { Self.state($0, before: end)?.open == true }
        }

        /// The last state recorded before `end`; nil when the record did not exist yet.
        static func state<State>(_ changes: [State], before end: Date) -> State? where State: Stamped {
            changes.last { $0.since < end }
        }
    }
}

/// A state with the instant it was recorded.
protocol Stamped {
    var since: Date { get }
}

extension Churn.ContractState: Stamped {}
extension Churn.OpportunityState: Stamped {}
