extension Customer {
    /// The external keys a command claims and releases (R-CUS-6). The engine reserves claimed keys per
    /// system (so no two customers hold one) in the same append as the command's events, and frees
    /// released ones; the domain only checks their format. Call it on a command `decide` accepted.
    ///
    /// ```swift
    /// let (claimed, released) = Customer.claims(.setExternalKey(ExternalKey(system: "billing", key: "A-1")), state: state)
    /// ```
    public static func claims(_ command: Command, state: State) -> (claimed: [ExternalKey], released: [ExternalKey]) {
        switch command {
        case .create(_, let new, _):
            return state.exists ? ([], []) : (new.externalKeys, [])
        case .setExternalKey(let key):
            let previous = state.externalKey(system: key.system)
            guard previous != key else { return ([], []) }
            return ([key], previous.map { [$0] } ?? [])
        case .removeExternalKey(let system):
            return ([], state.externalKey(system: system).map { [$0] } ?? [])
        case .markMerged:
            return ([], state.status == .merged ? [] : state.externalKeys)
        default:
            return ([], [])
        }
    }
}
