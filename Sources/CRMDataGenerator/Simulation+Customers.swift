import CRMDomain
import EventSourcing
import Foundation

// Customers: creation with the group's custom fields, contacts, installations, activation, monthly billing.
extension Simulation {
    func createCustomer(_ i: Int, at time: Double) throws {
        let planned = plan.customers[i]
        let info = plan.world.customers[i]
        let branch = plan.world.branches[planned.branch]
        let form = forms[planned.group] ?? .empty(group: planned.group)
        let today = plan.localDate(of: time, branch: planned.branch)
        var new = NewCustomer(kind: planned.kind, name: info.name, group: planned.group, branch: branch.name, community: info.community,
                              owner: plan.actors[planned.owner], status: planned.status)
        switch planned.kind {
        case .person:
            new.birthday = LocalDate(year: today.year - 18 - random.below(62), month: 1 + random.below(12), day: 1 + random.below(28))
        case .organisation:
            new.industry = random.pick(Names.industries)
            new.founded = LocalDate(year: today.year - 1 - random.below(60), month: 1 + random.below(12), day: 1 + random.below(28))
        }
        new.customFields = customFields(group: planned.group, currency: branch.currency, today: today)
        if random.chance(0.4) { new.externalKeys = [ExternalKey(system: "billing", key: "B\(100_000 + i)")] }
        var runtime = CustomerRuntime(id: info.id, state: Customer.initialState, version: 0, code: "C\(100_000 + i)")
        try execute(Customer.self, stream: Customer.stream(info.id), .create(customerID: info.id, new, form: form),
                    state: &runtime.state, version: &runtime.version, actor: plan.actors[planned.owner], at: time)
        customers[i] = runtime
        created.append(i)
        for (k, offset) in planned.contactOffsets.enumerated() {
            schedule(.addContact(customer: i, primary: k == 0), at: time + offset)
        }
        if let offset = planned.installationOffset { schedule(.addInstallation(i), at: time + offset) }
        if let at = planned.activateAt { schedule(.activate(i), at: at) }
        let firstBill = plan.billingTime(branch: planned.branch, month: planned.firstBilledMonth, day: planned.billingDay)
        if firstBill < plan.end { schedule(.bill(customer: i, month: planned.firstBilledMonth), at: firstBill) }
    }

    private func customFields(group: String, currency: Currency, today: LocalDate) -> [String: FieldValue] {
        var values: [String: FieldValue] = [:]
        switch group {
        case "residential":
            values["meterType"] = .option(random.pick(["gas", "water", "heating"]) ?? "gas")
            if random.chance(0.8) { values["housing"] = .option(random.pick(["apartment", "house", "villa"]) ?? "apartment") }
            if random.chance(0.3) { values["contactWindow"] = .text(random.pick(["mornings", "evenings", "weekends", "after 18:00"]) ?? "mornings") }
            if random.chance(0.5) { values["moveInDate"] = .date(today.adding(days: -random.int(in: 30...5000))) }
        case "business":
            values["employees"] = .number(Decimal(random.int(in: 2...2000)))
            if random.chance(0.7) { values["vatNumber"] = .text("VAT\(random.int(in: 10_000_000...99_999_999))") }
            if random.chance(0.6) { values["annualVolume"] = .money(Money(Decimal(random.int(in: 5...500) * 1000), currency)) }
        default:
            values["creditLimit"] = .money(Money(Decimal(random.int(in: 50...2000) * 1000), currency))
            values["tier"] = .option(random.pick(["gold", "silver", "bronze"]) ?? "silver")
            if random.chance(0.5) { values["contractRenewal"] = .date(today.adding(days: random.int(in: 30...700))) }
        }
        return values
    }

    func addContact(_ i: Int, primary: Bool, at time: Double) throws {
        guard var customer = customers[i] else { return }
        let planned = plan.customers[i]
        let style = plan.configuration.branches[planned.branch].names
        contactSerial += 1
        let id = recordIDs.next(at: date(time))
        let name = planned.kind == .person && primary ? plan.world.customers[i].name : Names.person(style, &random)
        let new = NewContact(customerID: customer.id, name: name, role: primary ? .primary : (random.chance(0.5) ? .backup : .other),
                             title: planned.kind == .organisation ? random.pick(["Facility manager", "CFO", "Office manager", "Owner", "Purchasing"]) : nil,
                             phone: Names.phone(style, &random), email: random.chance(0.7) ? Names.email(contactSerial) : nil)
        var state = Contact.initialState
        var version: UInt64 = 0
        try execute(Contact.self, stream: Contact.stream(id), .create(contactID: id, new), state: &state, version: &version,
                    actor: plan.actors[planned.owner], at: time)
        customer.contacts.append(id)
        customers[i] = customer
    }

    func addInstallation(_ i: Int, at time: Double) throws {
        guard var customer = customers[i] else { return }
        let planned = plan.customers[i]
        let meter = "M\(plan.configuration.seed % 1000)-\(100_000 + i)"
        let address = Names.address(plan.configuration.branches[planned.branch].names, &random)
        try execute(Customer.self, stream: Customer.stream(customer.id),
                    .addInstallation(id: recordIDs.next(at: date(time)), address: address, meterNumber: meter),
                    state: &customer.state, version: &customer.version, actor: plan.actors[planned.owner], at: time)
        customer.meter = meter
        customers[i] = customer
    }

    func activate(_ i: Int, at time: Double) throws {
        guard var customer = customers[i] else { return }
        try execute(Customer.self, stream: Customer.stream(customer.id), .activate, state: &customer.state, version: &customer.version,
                    actor: plan.actors[plan.customers[i].owner], at: time)
        customers[i] = customer
    }

    /// The month's bill from the billing system: one revenue entry and one usage reading for the month before.
    func bill(_ i: Int, month: Int, at time: Double) throws {
        guard var customer = customers[i] else { return }
        let planned = plan.customers[i]
        let refs = products[planned.branch]
        let product = refs.isEmpty ? nil : refs[i % min(refs.count, 3)]
        let currency = plan.world.branches[planned.branch].currency
        let base: Int
        switch planned.group {
        case "residential": base = random.int(in: 20...180)
        case "business": base = random.int(in: 300...4000)
        default: base = random.int(in: 5000...60_000)
        }
        let amount = Decimal(base) * Catalog.priceFactor(currency) + Decimal(random.below(100)) / 100
        let stream = RevenueLedger.stream(RevenueLedger.id(customerID: customer.id))
        // The ledger's past entries are not kept: ids are unique by construction, so the rules only need the customer.
        var ledger = RevenueLedger.initialState
        ledger.customerID = customer.id
        let billDay = plan.localDate(of: time, branch: planned.branch)
        let entry = RevenueLedger.Entry(id: recordIDs.next(at: date(time)), customerID: customer.id,
                                        chargeItem: product?.chargeItem ?? "supply", productID: product?.id,
                                        businessLine: product?.line ?? "gas", date: billDay, amount: Money(amount, currency))
        try execute(RevenueLedger.self, stream: stream, .record(entry), state: &ledger, version: &customer.ledgerVersion,
                    actor: "system", at: time, source: "billing")
        // The month billed is the one before `month`; a history that starts mid-month has its first month's
        // first day before the calendar (a negative index): the period then starts on the calendar's first day.
        let periodStart = plan.localDates[min(max(plan.monthFirstDay[max(month - 1, 0)], 0), plan.localDates.count - 1)]
        let periodEnd = plan.localDates[min(max(plan.monthFirstDay[month] - 1, 0), plan.localDates.count - 1)]
        let unit = product?.line == "water" ? "m3" : (product?.line == "heating" ? "kWh" : "m3")
        let quantity = Decimal(base) * 3 + Decimal(random.below(1000)) / 10
        let reading = RevenueLedger.UsageReading(id: recordIDs.next(at: date(time)), customerID: customer.id,
                                                 meter: customer.meter ?? "svc-\(customer.code)", periodStart: min(periodStart, periodEnd),
                                                 periodEnd: periodEnd, quantity: quantity, unit: unit)
        ledger = RevenueLedger.initialState
        ledger.customerID = customer.id
        try execute(RevenueLedger.self, stream: stream, .recordUsage(reading), state: &ledger, version: &customer.ledgerVersion,
                    actor: "system", at: time + 1, source: "billing")
        customers[i] = customer
        let next = plan.billingTime(branch: planned.branch, month: month + 1, day: planned.billingDay)
        if next < plan.end { schedule(.bill(customer: i, month: month + 1), at: next) }
    }
}
