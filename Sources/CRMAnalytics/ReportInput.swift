import CRMDomain

extension Currency {
    /// The currency of a report, revenue query or export as a person writes it (`currency=` over HTTP,
    /// `--currency` in the CLI): exactly an ISO 4217 code in capitals (``Currency/isISO4217``) — `usd`,
    /// `ABC` and `XXX` are nil. One parser, so both adapters accept and refuse the same codes.
    public init?(reportCode text: String) {
        guard let currency = Currency(rawValue: text), currency.isISO4217 else { return nil }
        self = currency
    }
}
