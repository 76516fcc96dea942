import Foundation

extension Contract.State {
    /// The reminder input for this contract's expiry (R-SAL-4 via R-TSK-4): only a contract that will run
    /// to its expiry — approved or active — is reminded of; drafts, expired and terminated ones are not.
    public var expiryReminder: ReminderSources.ContractExpiry? {
        guard let id, let customerID, let terms, status == .approved || status == .active else { return nil }
        return ReminderSources.ContractExpiry(contractID: id, customerID: customerID, owner: owner, branch: branch, expiry: terms.expiry)
    }
}

extension Contract {
    /// The contract-expiry inputs of ``Reminders`` for many contracts, ordered by expiry then contract id:
    /// put them in ``ReminderSources/contractExpiries``.
    ///
    /// ```swift
    /// let sources = ReminderSources(contractExpiries: Contract.expiryReminders(contracts))
    /// ```
    public static func expiryReminders(_ contracts: [State]) -> [ReminderSources.ContractExpiry] {
        contracts.compactMap(\.expiryReminder)
            .sorted { ($0.expiry, $0.contractID.uuidString) < ($1.expiry, $1.contractID.uuidString) }
    }

    /// A customer's contracts (R-SAL-4: "all of a customer's contracts queryable"), latest expiry first.
    public static func contracts(of customerID: UUID, in contracts: [State]) -> [State] {
        func key(_ c: State) -> (String, String) { (c.terms?.expiry.description ?? "", c.id?.uuidString ?? "") }
        return contracts.filter { $0.exists && $0.customerID == customerID }.sorted { key($0) > key($1) }
    }
}
