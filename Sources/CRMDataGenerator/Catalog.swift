import CRMDomain
import Foundation

/// The fixed parts of the generated organisation: products, customer forms, SLAs, texts of work items.
enum Catalog {
    struct ProductSpec {
        var line: String
        var name: String
        /// Standard price in US dollars; other currencies scale it by ``priceFactor(_:)``.
        var usdPrice: Decimal
        var chargeItem: String
    }

    static let products: [ProductSpec] = [
        ProductSpec(line: "gas", name: "Smart gas meter", usdPrice: 120, chargeItem: "gas supply"),
        ProductSpec(line: "gas", name: "Gas safety inspection", usdPrice: 45, chargeItem: "inspection fee"),
        ProductSpec(line: "water", name: "Water meter service plan", usdPrice: 18, chargeItem: "water supply"),
        ProductSpec(line: "heating", name: "Boiler installation", usdPrice: 2400, chargeItem: "installation"),
        ProductSpec(line: "heating", name: "Heating maintenance contract", usdPrice: 320, chargeItem: "maintenance fee"),
        ProductSpec(line: "services", name: "Energy efficiency audit", usdPrice: 600, chargeItem: "consulting"),
    ]

    static let groups = ["residential", "business", "key-account"]

    /// The demo's KPI rules (R-ANA-1): monthly targets per employee of indicators the history produces,
    /// weights summing to 100; winning deals above target earns bonus points.
    static let kpiRules: [KPIRule] = [
        KPIRule(indicator: "contactsMade", weight: 20, target: 20),
        KPIRule(indicator: "visitsMade", weight: 15, target: 4),
        KPIRule(indicator: "newOpportunities", weight: 15, target: 3),
        KPIRule(indicator: "dealsWon", weight: 20, target: 1, bonusPoints: 10),
        KPIRule(indicator: "tasksOnTime", weight: 15, target: 10),
        KPIRule(indicator: "ticketsResolvedInSLA", weight: 15, target: 5),
    ]

    /// Roughly how many units of `currency` a dollar buys (whole numbers keep prices exact).
    static func priceFactor(_ currency: Currency) -> Decimal {
        switch currency.rawValue {
        case "CNY": return 7
        case "JPY": return 150
        case "INR": return 83
        case "BRL": return 5
        case "AUD": return Decimal(string: "1.5") ?? 1
        case "EUR", "GBP", "USD": return 1
        default: return 1
        }
    }

    static func forms() -> [(group: String, fields: [FieldDefinition])] {
        [
            ("residential", [
                FieldDefinition(name: "meterType", label: "Meter type", type: .enumeration, required: true, options: ["gas", "water", "heating"]),
                FieldDefinition(name: "housing", label: "Housing", type: .enumeration, options: ["apartment", "house", "villa"]),
                FieldDefinition(name: "contactWindow", label: "Preferred contact time", type: .text, maxLength: 50),
                FieldDefinition(name: "moveInDate", label: "Move-in date", type: .date),
            ]),
            ("business", [
                FieldDefinition(name: "employees", label: "Employees", type: .number, required: true, minimum: 1, maximum: 100_000),
                FieldDefinition(name: "vatNumber", label: "VAT number", type: .text, maxLength: 32),
                FieldDefinition(name: "annualVolume", label: "Annual volume", type: .money, minimum: 0),
            ]),
            ("key-account", [
                FieldDefinition(name: "creditLimit", label: "Credit limit", type: .money, required: true, minimum: 0),
                FieldDefinition(name: "tier", label: "Tier", type: .enumeration, required: true, options: ["gold", "silver", "bronze"]),
                FieldDefinition(name: "contractRenewal", label: "Contract renewal", type: .date),
            ]),
        ]
    }

    /// Response and resolution minutes by severity, stretched for slower kinds.
    static func sla(kind: TicketKind, severity: TicketSeverity) -> SLADeadline {
        let base: (Int, Int)
        switch severity {
        case .critical: base = (30, 240)
        case .high: base = (60, 480)
        case .normal: base = (240, 1440)
        case .low: base = (480, 4320)
        }
        let stretch = kind == .suggestion || kind == .praise ? 2 : 1
        return SLADeadline(kind: kind, severity: severity, responseMinutes: base.0 * stretch, resolutionMinutes: base.1 * stretch)
    }

    static let taskTitles: [WorkTask.Kind: [String]] = [
        .followUp: ["Follow up on last visit", "Call back about the bill", "Confirm meter reading", "Send contract renewal offer",
                    "Check satisfaction after repair", "Discuss tariff change"],
        .reminder: ["Birthday greeting", "Contract renewal due", "Annual safety check due", "Payment reminder"],
        .supportRequest: ["Investigate billing complaint", "Arrange meter replacement", "Update bank details", "Resolve access issue"],
        .visit: ["Prepare site visit", "On-site inspection", "Installation survey"],
        .other: ["Update customer records", "Collect documents"],
    ]
    static let taskResults = ["Done as agreed", "Customer informed", "Resolved by phone", "Documents received", "Meter reading confirmed",
                              "Offer sent", "Customer satisfied"]
    static let logSubjects = ["Meter reading", "Bill explanation", "Payment arrangement", "Service outage question", "Tariff change",
                              "Appointment confirmation", "Complaint follow-up", "New connection enquiry", "Contract renewal"]
    static let ticketSubjects: [TicketKind: [String]] = [
        .faultRepair: ["No gas supply", "Leaking meter", "Boiler not heating", "Low water pressure"],
        .billingQuery: ["Bill too high", "Double charge", "Missing payment", "Estimated reading wrong"],
        .complaint: ["Technician late", "Rude call center", "Repeated outage", "Damage after repair"],
        .consultation: ["Tariff options", "Moving house", "Energy saving advice"],
        .praise: ["Great service by technician", "Fast repair"],
        .suggestion: ["Online payment option", "SMS reminders"],
    ]
    static let resolutions = ["Repaired on site", "Bill corrected", "Explained to the customer", "Meter replaced", "Credit issued",
                              "Apologised and compensated", "Advice given"]
    static let visitAgendas = ["Contract renewal", "Annual review", "Safety inspection", "New product presentation", "Complaint follow-up"]
    static let visitTopics = ["pricing", "service quality", "renewal", "new connection", "maintenance", "payment terms"]
    static let opportunityTitles = ["Boiler replacement", "Smart meter rollout", "Maintenance contract", "Energy audit", "Heating upgrade",
                                    "Multi-site supply contract"]
    static let opportunitySources = ["referral", "campaign", "visit", "inbound", "website"]
    static let lostReasons = ["Price too high", "Chose a competitor", "Project postponed", "No budget"]
    static let wonReasons = ["Best offer", "Strong relationship", "Fast delivery"]
}
