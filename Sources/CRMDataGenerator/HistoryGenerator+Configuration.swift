import CRMDomain
import Foundation

extension HistoryGenerator {
    /// What to generate: how much, from when, for which organisation.
    ///
    /// ```swift
    /// var configuration = HistoryGenerator.Configuration(seed: 42, targetEvents: 100_000, start: start)
    /// configuration.branches = [.init(name: "shanghai", timeZoneID: "Asia/Shanghai", currency: .cny)]
    /// ```
    public struct Configuration: Sendable, Hashable {
        /// Everything random derives from it: the same seed and configuration give the same history, byte for byte.
        public var seed: UInt64
        /// The number of events to aim for (1,000 … 10,000,000); the history lands within a few percent of it.
        public var targetEvents: Int
        /// The first instant of the history (the organisation is set up at it); given by the caller, never read
        /// from the wall clock.
        public var start: Date
        /// How long the history runs, in calendar months (default 12).
        public var months: Int
        /// The branches, each with its IANA time zone and currency (default: Shanghai, Berlin, New York).
        public var branches: [BranchSpec]
        /// Employees per branch (at least 3): one branch manager, about 60 % account managers, the rest service agents.
        public var employeesPerBranch: Int
        /// The number of customers; nil scales it from ``targetEvents`` (about one customer per 80 events over 12 months).
        public var customers: Int?

        public init(seed: UInt64, targetEvents: Int, start: Date, months: Int = 12,
                    branches: [BranchSpec] = BranchSpec.defaults(3), employeesPerBranch: Int = 10, customers: Int? = nil) {
            self.seed = seed
            self.targetEvents = targetEvents
            self.start = start
            self.months = months
            self.branches = branches
            self.employeesPerBranch = employeesPerBranch
            self.customers = customers
        }
    }

    /// A branch to generate: its name (also its data scope, `.branch(name)`), time zone and currency.
    public struct BranchSpec: Sendable, Hashable {
        /// Lowercase name, e.g. `shanghai`.
        public var name: String
        /// An IANA time zone id, e.g. `Asia/Shanghai`.
        public var timeZoneID: String
        /// The currency its prices, quotes and revenue are in.
        public var currency: Currency
        /// The region its names come from (Chinese, German or English personal and company names).
        public var names: NameStyle

        public init(name: String, timeZoneID: String, currency: Currency, names: NameStyle = .english) {
            self.name = name
            self.timeZoneID = timeZoneID
            self.currency = currency
            self.names = names
        }

        /// The first `count` branches of a built-in list (Shanghai, Berlin, New York, Tokyo, London, Sydney,
        /// São Paulo, Mumbai); beyond eight, the list repeats with a numeric suffix (`shanghai-2`).
        public static func defaults(_ count: Int) -> [BranchSpec] {
            let catalog: [(String, String, String, NameStyle)] = [
                ("shanghai", "Asia/Shanghai", "CNY", .chinese), ("berlin", "Europe/Berlin", "EUR", .german),
                ("new-york", "America/New_York", "USD", .english), ("tokyo", "Asia/Tokyo", "JPY", .english),
                ("london", "Europe/London", "GBP", .english), ("sydney", "Australia/Sydney", "AUD", .english),
                ("sao-paulo", "America/Sao_Paulo", "BRL", .english), ("mumbai", "Asia/Kolkata", "INR", .english),
            ]
            return (0..<max(count, 0)).map { i in
                let (name, zone, code, names) = catalog[i % catalog.count]
                let round = i / catalog.count
                return BranchSpec(name: round == 0 ? name : "\(name)-\(round + 1)", timeZoneID: zone,
                                  currency: Currency(rawValue: code) ?? .usd, names: names)
            }
        }
    }

    /// Which names a branch's people and companies get.
    public enum NameStyle: String, Sendable, Hashable, CaseIterable {
        case chinese, german, english
    }
}
