import ArgumentParser
import CRMDomain
import CRMEngine
import Foundation

/// `crm opportunity open`, `crm opportunity contact add|remove`: sales opportunities and the contact persons
/// of the customer they name (R-SAL-1, R-CUS-3).
struct OpportunityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunity", abstract: "Open opportunities and name the customer's contacts on them.",
        subcommands: [Open.self, ContactCommand.self])

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open an opportunity for a customer; prints its id (writes).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The customer's id.") var customer: String
        @Option(help: "The title.") var title: String
        @Option(help: "Where it came from (a visit, a campaign, …).") var source: String
        @Option(help: "The expected revenue, an amount and a currency: `5000 CNY`.") var revenue: String
        @Option(help: "The expected close day (YYYY-MM-DD).") var close: String
        @Option(help: "The owner's employee id (without it the settings' routing rules choose).") var owner: String?
        @Option(help: "The stage (the pipeline's first without it).") var stage: String?
        @Option(help: "The product line.") var productLine: String?
        @Option(help: "A contact person of the customer to name (repeatable).") var contact: [String] = []

        func run() async throws {
            try await reporting(data: store.data) {
                let customerID = try customerID(customer, "--customer")
                let expected = try money(revenue)
                guard let closeDate = LocalDate(close) else { throw malformed("--close", "not a date", hint: "give YYYY-MM-DD") }
                let contacts = try contact.map { try contactID($0, "--contact") }
                if let remote = try store.remote() {
                    let id = newRecordID().lowercasedString
                    var body: [String: Any] = [
                        "id": id, "customerId": customerID.lowercasedString, "title": title, "source": source,
                        "expectedRevenue": ["amount": NSDecimalNumber(decimal: expected.amount), "currency": expected.currency.rawValue],
                        "closeDate": closeDate.description,
                    ]
                    body["owner"] = owner
                    body["stage"] = stage
                    body["productLine"] = productLine
                    if !contacts.isEmpty { body["contacts"] = contacts.map(\.lowercasedString) }
                    try await remote.post("v1/opportunities", body)
                    if store.json { out(jsonLine(["id": id])) } else { out("Opened opportunity \(id).") }
                    return
                }
                let id = try await withEngine(store) { engine -> UUID in
                    let id = engine.configuration.ids.next()
                    let details = Opportunity.Details(customerID: customerID, title: title, source: source, expectedRevenue: expected, closeDate: closeDate)
                    try await engine.execute(Opportunity.self, id: id, .open(opportunityID: id, details: details, pipeline: .default, stage: stage,
                                                                             owner: owner ?? "", productLine: productLine, contacts: contacts),
                                             as: try await store.principal(engine))
                    return id
                }
                if store.json { out(jsonLine(["id": id.lowercasedString])) } else { out("Opened opportunity \(id.lowercasedString).") }
            }
        }
    }

    /// `crm opportunity contact add|remove OPPORTUNITY CONTACT…`.
    struct ContactCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "contact", abstract: "Name contact persons of the customer on an opportunity, or no longer name them.",
            subcommands: [Add.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Name contacts of the opportunity's customer; ones already named are skipped (writes).")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The opportunity's id.") var id: String
            @Argument(help: "The contacts' ids.") var contacts: [String]

            func run() async throws {
                try await changeContacts(id, contacts, store, path: "contacts", done: "Named the contacts on opportunity") { .addContacts($0) }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "No longer name these contacts on the opportunity (writes).")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The opportunity's id.") var id: String
            @Argument(help: "The contacts' ids.") var contacts: [String]

            func run() async throws {
                try await changeContacts(id, contacts, store, path: "contacts/remove", done: "Removed the contacts from opportunity") { .removeContacts($0) }
            }
        }
    }
}

/// One contacts command on an opportunity, through the server or the local engine.
private func changeContacts(_ id: String, _ contacts: [String], _ store: StoreOptions, path: String, done: String,
                            _ make: ([UUID]) -> Opportunity.Command) async throws {
    try await reporting(data: store.data) {
        let opportunity = try parseID(id, "<id>", "opportunity")
        guard !contacts.isEmpty else { throw CLIError("name at least one contact", exit: .usage) }
        let ids = try contacts.map { try contactID($0, "<contacts>") }
        try await changeRecord(Opportunity.self, opportunity, resource: "opportunities", store, path,
                               body: ["contacts": ids.map(\.lowercasedString)], command: make(ids), done: done)
    }
}

/// A contact id given as argument or option `name` (exit 64 when it is none).
private func contactID(_ text: String, _ name: String) throws -> UUID {
    try parseID(text, name, "contact")
}

/// `5000 CNY` (or `CNY 5000`): an exact amount and a currency (exit 64 otherwise).
private func money(_ text: String) throws -> Money {
    let parts = text.split(separator: " ").map(String.init)
    let usage = malformed("--revenue", "not an amount and a currency", hint: "give e.g. `5000 CNY`")
    guard parts.count == 2 else { throw usage }
    let (amountText, currencyText) = Decimal(wholeText: parts[0], exponent: false) != nil ? (parts[0], parts[1]) : (parts[1], parts[0])
    guard let amount = Decimal(wholeText: amountText, exponent: false), let currency = Currency(rawValue: currencyText.uppercased()) else { throw usage }
    return Money(amount, currency)
}
