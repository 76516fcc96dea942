import CRMDomain
import CRMProjections
import EventSourcing

extension Permission.Module {
    /// The module whose permissions govern a kind of record in the read models.
    public init(_ kind: RecordKind) {
        switch kind {
        case .customer, .loyalty, .connection, .maintenance, .other: self = .customers
        case .contact, .contactLog: self = .contacts
        case .task: self = .tasks
        case .ticket: self = .tickets
        case .visit: self = .visits
        case .opportunity: self = .opportunities
        case .quote: self = .quotes
        case .contract: self = .contracts
        case .campaign, .survey, .surveyResponse: self = .campaigns
        case .revenue: self = .revenue
        }
    }

    /// The module whose permissions govern the records of a stream category (`customer`, `task`, …);
    /// categories of configuration and of the engine itself fall under settings and organisation.
    public init(category: String) {
        switch category {
        case "customer", "loyalty", "connection", "pairing", "diary": self = .customers
        case "contact", "contactlog": self = .contacts
        case "task": self = .tasks
        case "ticket": self = .tickets
        case "visit": self = .visits
        case "opportunity": self = .opportunities
        case "quote": self = .quotes
        case "contract": self = .contracts
        case "campaign": self = .campaigns
        case "revenue": self = .revenue
        case "product": self = .products
        case "organisation", "apitoken", "announcement", "thread", "wordlist", "feedback": self = .organisation
        default: self = .settings
        }
    }
}

extension StreamID {
    /// The part before the first `-`: `customer` for `customer-…`.
    var category: String { String(rawValue.prefix { $0 != "-" }) }
}
