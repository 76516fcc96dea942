import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Fixtures shared by the customer tests.
enum CustomerFixtures {
    static let id = UUID.derived("test", "customer")
    static let other = UUID.derived("test", "other customer")
    static let form = FormFixtures.residential
    static let billing = ExternalKey(system: "billing", key: "ACC-1001")

    static let person = NewCustomer(
        kind: .person, name: "Li Wei", group: "residential", branch: "shanghai", owner: "emp-7", status: .active,
        birthday: date("1980-11-27"), customFields: ["meterCount": .number(1)], externalKeys: [billing])

    static var created: CustomerEvent {
        .created(CustomerCreated(
            customerID: id, kind: .person, name: "Li Wei", group: "residential", industry: nil, branch: "shanghai", community: nil,
            owner: "emp-7", status: .active, birthday: date("1980-11-27"), founded: nil, customFields: ["meterCount": .number(1)],
            externalKeys: [billing]))
    }

    /// A scenario with the active person customer created.
    static func scenario(_ more: [CustomerEvent] = []) -> Scenario<Customer> {
        Scenario(Customer.self, given: [created] + more)
    }
}

@Suite("Customers")
struct CustomerTests {
    // MARK: create

    @Test func creatingACustomerRecordsItsProfileCustomValuesAndKeys() {
        var s = Scenario(Customer.self)
        let events = s.apply(.create(customerID: CustomerFixtures.id, CustomerFixtures.person, form: CustomerFixtures.form))
        #expect(events == [CustomerFixtures.created])
        #expect(s.state.id == CustomerFixtures.id)
        #expect(s.state.status == .active)
        #expect(s.state.externalKey(system: "billing") == CustomerFixtures.billing)
        #expect(s.state.keyDate?.kind == .birthday)
        #expect(s.state.accountHolder == "Li Wei")
    }

    @Test func aCustomerIsCreatedOnce() {
        let error = CustomerFixtures.scenario().whenRefused(.create(customerID: CustomerFixtures.id, CustomerFixtures.person, form: CustomerFixtures.form))
        #expect(error?.code == .alreadyExists)
    }

    @Test func creationValidatesCustomValuesAgainstTheGroupsForm() {
        var missing = CustomerFixtures.person
        missing.customFields = [:]
        let s = Scenario(Customer.self)
        #expect(s.whenRefused(.create(customerID: CustomerFixtures.id, missing, form: CustomerFixtures.form))?.field == "meterCount")
        var wrongOption = CustomerFixtures.person
        wrongOption.customFields["tariff"] = .option("weekend")
        #expect(s.whenRefused(.create(customerID: CustomerFixtures.id, wrongOption, form: CustomerFixtures.form))?.field == "tariff")
        #expect(s.whenRefused(.create(customerID: CustomerFixtures.id, CustomerFixtures.person, form: .empty(group: "sme")))?.field == "group")
    }

    @Test(arguments: [
        ("name", NewCustomer(kind: .person, name: " ", group: "residential", customFields: ["meterCount": .number(1)])),
        ("status", NewCustomer(kind: .person, name: "A", group: "residential", status: .suspended, customFields: ["meterCount": .number(1)])),
        ("birthday", NewCustomer(kind: .organisation, name: "A", group: "residential", birthday: date("1990-01-01"), customFields: ["meterCount": .number(1)])),
        ("founded", NewCustomer(kind: .person, name: "A", group: "residential", founded: date("1990-01-01"), customFields: ["meterCount": .number(1)])),
        ("birthday", NewCustomer(kind: .person, name: "A", group: "residential", birthday: date("2030-01-01"), customFields: ["meterCount": .number(1)])),
        ("externalKey", NewCustomer(kind: .person, name: "A", group: "residential", customFields: ["meterCount": .number(1)],
                                    externalKeys: [ExternalKey(system: "Billing", key: "1")])),
        ("externalKey", NewCustomer(kind: .person, name: "A", group: "residential", customFields: ["meterCount": .number(1)],
                                    externalKeys: [ExternalKey(system: "billing", key: "has space")])),
        ("externalKey", NewCustomer(kind: .person, name: "A", group: "residential", customFields: ["meterCount": .number(1)],
                                    externalKeys: [ExternalKey(system: "billing", key: "1"), ExternalKey(system: "billing", key: "2")])),
    ])
    func malformedNewCustomersAreRefused(field: String, customer: NewCustomer) {
        let error = Scenario(Customer.self).whenRefused(.create(customerID: CustomerFixtures.id, customer, form: CustomerFixtures.form))
        #expect(error?.code == .invalid)
        #expect(error?.field == field)
    }

    @Test func aBirthdayIsRefusedOnceItIsTomorrowEverywhereButNotWhileItIsTodaySomewhere() {
        // 2026-01-01 00:00 UTC: it is 1 January from UTC−10 to UTC+14, nowhere yet the 2nd.
        let midnight = Date(timeIntervalSince1970: 1_767_225_600)
        var person = CustomerFixtures.person
        person.birthday = date("2026-01-02")
        #expect(Scenario(Customer.self, at: midnight).whenRefused(.create(customerID: CustomerFixtures.id, person, form: CustomerFixtures.form))?.field == "birthday")
        person.birthday = date("2026-01-01")
        #expect(Scenario(Customer.self, at: midnight).when(.create(customerID: CustomerFixtures.id, person, form: CustomerFixtures.form)).count == 1)
        // At 10:00 UTC it is already 2 January in Kiribati (UTC+14).
        person.birthday = date("2026-01-02")
        #expect(Scenario(Customer.self, at: midnight.addingTimeInterval(10 * 3600)).when(.create(customerID: CustomerFixtures.id, person, form: CustomerFixtures.form)).count == 1)
    }

    @Test func anOrganisationHasAFoundingAnniversary() {
        var s = Scenario(Customer.self)
        let org = NewCustomer(kind: .organisation, name: "Acme Ltd", group: "sme", industry: "retail", founded: date("2001-06-15"))
        s.apply(.create(customerID: CustomerFixtures.other, org, form: .empty(group: "sme")))
        #expect(s.state.keyDate?.kind == .anniversary)
        #expect(s.state.keyDate?.date == date("2001-06-15"))
        #expect(s.state.status == .prospect)
    }

    @Test func commandsOnAMissingCustomerAreRefused() {
        let s = Scenario(Customer.self)
        #expect(s.whenRefused(.edit(CustomerEdit(name: "X"), form: CustomerFixtures.form))?.code == .notFound)
        #expect(s.whenRefused(.archive(reason: nil))?.code == .notFound)
        #expect(s.whenRefused(.suspend(reason: "debt"))?.code == .notFound)
    }

    // MARK: edit

    @Test func anEditRecordsExactlyTheChangedFieldsOldToNew() {
        var s = CustomerFixtures.scenario()
        let edit = CustomerEdit(name: "Li Wei", industry: .set("energy"), owner: .set("emp-9"), birthday: .keep,
                                setCustomFields: ["meterCount": .number(2), "tariff": .option("night")])
        let events = s.apply(.edit(edit, form: CustomerFixtures.form))
        #expect(events == [.edited(CustomerEdited(customerID: CustomerFixtures.id, changes: [
            FieldChange(field: "industry", old: nil, new: .text("energy")),
            FieldChange(field: "owner", old: .text("emp-7"), new: .text("emp-9")),
            FieldChange(field: "custom.meterCount", old: .number(1), new: .number(2)),
            FieldChange(field: "custom.tariff", old: nil, new: .option("night")),
        ]))])
        #expect(s.state.owner == "emp-9")
        #expect(s.state.industry == "energy")
        #expect(s.state.customFields == ["meterCount": .number(2), "tariff": .option("night")])
    }

    @Test func anEditThatChangesNothingRecordsNothing() {
        let s = CustomerFixtures.scenario()
        let same = CustomerEdit(name: "Li Wei", branch: .set("shanghai"), owner: .set("emp-7"), setCustomFields: ["meterCount": .number(1)])
        #expect(s.when(.edit(same, form: CustomerFixtures.form)).isEmpty)
        #expect(s.when(.edit(CustomerEdit(), form: CustomerFixtures.form)).isEmpty)
    }

    @Test func clearingFieldsIsTracedAndRequiredCustomFieldsCannotBeCleared() {
        var s = CustomerFixtures.scenario()
        let events = s.apply(.edit(CustomerEdit(branch: .clear, birthday: .clear), form: CustomerFixtures.form))
        #expect(events == [.edited(CustomerEdited(customerID: CustomerFixtures.id, changes: [
            FieldChange(field: "branch", old: .text("shanghai"), new: nil),
            FieldChange(field: "birthday", old: .date(date("1980-11-27")), new: nil),
        ]))])
        #expect(s.state.branch == nil && s.state.birthday == nil)
        let error = s.whenRefused(.edit(CustomerEdit(clearCustomFields: ["meterCount"]), form: CustomerFixtures.form))
        #expect(error?.code == .invalid)
        #expect(error?.field == "meterCount")
    }

    @Test func anEditsNewValuesAreValidated() {
        let s = CustomerFixtures.scenario()
        #expect(s.whenRefused(.edit(CustomerEdit(setCustomFields: ["meterCount": .number(99)]), form: CustomerFixtures.form))?.field == "meterCount")
        #expect(s.whenRefused(.edit(CustomerEdit(setCustomFields: ["nope": .bool(true)]), form: CustomerFixtures.form))?.field == "nope")
        #expect(s.whenRefused(.edit(CustomerEdit(name: ""), form: CustomerFixtures.form))?.field == "name")
        #expect(s.whenRefused(.edit(CustomerEdit(founded: .set(date("2000-01-01"))), form: CustomerFixtures.form))?.field == "founded")
        #expect(s.whenRefused(.edit(CustomerEdit(name: "X"), form: .empty(group: "sme")))?.field == "group")
    }

    @Test func aValueOfARetiredFieldStaysUntilClearedButCannotBeSetAnew() {
        var s = CustomerFixtures.scenario()
        s.apply(.edit(CustomerEdit(setCustomFields: ["note": .text("vip")]), form: CustomerFixtures.form))
        var form = CustomerFixtures.form
        form.fields.removeAll { $0.name == "note" }
        form.retired = ["note"]
        #expect(s.when(.edit(CustomerEdit(owner: .set("emp-2")), form: form)).count == 1)
        #expect(s.whenRefused(.edit(CustomerEdit(setCustomFields: ["note": .text("new")]), form: form))?.field == "note")
        let cleared = s.apply(.edit(CustomerEdit(clearCustomFields: ["note"]), form: form))
        #expect(cleared == [.edited(CustomerEdited(customerID: CustomerFixtures.id, changes: [FieldChange(field: "custom.note", old: .text("vip"), new: nil)]))])
    }

    @Test func changingGroupRevalidatesAllCustomValuesAgainstTheNewForm() {
        var s = CustomerFixtures.scenario()
        let sme = FormDefinition(group: "sme", fields: [FieldDefinition(name: "employees", label: "Employees", type: .number, required: true)])
        #expect(s.whenRefused(.edit(CustomerEdit(group: "sme"), form: sme))?.field == "employees")
        let events = s.apply(.edit(CustomerEdit(group: "sme", setCustomFields: ["employees": .number(12)], clearCustomFields: ["meterCount"]), form: sme))
        #expect(events.count == 1)
        #expect(s.state.group == "sme")
        #expect(s.state.customFields == ["employees": .number(12)])
    }

    // MARK: archive, restore

    @Test func archivingBlocksChangesUntilRestored() {
        var s = CustomerFixtures.scenario()
        #expect(s.apply(.archive(reason: "duplicate entry")) == [.archived(CustomerArchived(customerID: CustomerFixtures.id, reason: "duplicate entry"))])
        #expect(s.state.isArchived)
        #expect(s.when(.archive(reason: nil)).isEmpty)
        #expect(s.whenRefused(.edit(CustomerEdit(name: "X"), form: CustomerFixtures.form))?.code == .archived)
        #expect(s.whenRefused(.suspend(reason: "debt"))?.code == .archived)
        #expect(s.whenRefused(.setExternalKey(ExternalKey(system: "crm", key: "1")))?.code == .archived)
        #expect(s.apply(.restore) == [.restored(CustomerRestored(customerID: CustomerFixtures.id))])
        #expect(!s.state.isArchived && s.state.status == .active)
        #expect(s.when(.restore).isEmpty)
        #expect(s.when(.edit(CustomerEdit(name: "X"), form: CustomerFixtures.form)).count == 1)
    }

    // MARK: merge

    @Test func aMergedDuplicateRecordsItsSurvivorReleasesItsKeysAndIsFinal() {
        var s = CustomerFixtures.scenario()
        let events = s.apply(.markMerged(into: CustomerFixtures.other))
        #expect(events == [.mergedInto(CustomerMergedInto(customerID: CustomerFixtures.id, survivorID: CustomerFixtures.other, releasedKeys: [CustomerFixtures.billing]))])
        #expect(s.state.status == .merged)
        #expect(s.state.mergedInto == CustomerFixtures.other)
        #expect(s.state.externalKeys.isEmpty)
        #expect(s.whenRefused(.edit(CustomerEdit(name: "X"), form: CustomerFixtures.form))?.code == .invalidTransition)
        #expect(s.whenRefused(.restore)?.code == .invalidTransition)
        #expect(s.whenRefused(.markMerged(into: UUID.derived("third")))?.code == .invalidTransition)
    }

    @Test func aCustomerCannotBeMergedIntoItself() {
        let error = CustomerFixtures.scenario().whenRefused(.markMerged(into: CustomerFixtures.id))
        #expect(error?.field == "survivorID")
    }

    @Test func theSurvivorRecordsWhatItAbsorbedOnce() {
        var s = CustomerFixtures.scenario()
        let contact = UUID.derived("contact")
        let task = UUID.derived("task")
        let events = s.apply(.absorbDuplicate(duplicateID: CustomerFixtures.other, contactIDs: [contact], openWorkIDs: [task]))
        #expect(events == [.absorbedDuplicate(CustomerAbsorbedDuplicate(customerID: CustomerFixtures.id, duplicateID: CustomerFixtures.other, contactIDs: [contact], openWorkIDs: [task]))])
        #expect(s.state.absorbed == [CustomerFixtures.other])
        #expect(s.when(.absorbDuplicate(duplicateID: CustomerFixtures.other, contactIDs: [contact], openWorkIDs: [task])).isEmpty)
        #expect(s.whenRefused(.absorbDuplicate(duplicateID: CustomerFixtures.id, contactIDs: [], openWorkIDs: []))?.field == "duplicateID")
    }

    // MARK: external keys

    @Test func settingAnExternalKeyReplacesTheSystemsKeyAndDeclaresClaims() {
        var s = CustomerFixtures.scenario()
        let newKey = ExternalKey(system: "billing", key: "ACC-2002")
        let command = Customer.Command.setExternalKey(newKey)
        let claims = Customer.claims(command, state: s.state)
        #expect(claims.claimed == [newKey])
        #expect(claims.released == [CustomerFixtures.billing])
        #expect(s.apply(command) == [.externalKeySet(CustomerExternalKeySet(customerID: CustomerFixtures.id, key: newKey, previousKey: "ACC-1001"))])
        #expect(s.state.externalKey(system: "billing") == newKey)
        #expect(s.state.externalKeys.count == 1)
        #expect(s.when(command).isEmpty)
        #expect(Customer.claims(command, state: s.state).claimed.isEmpty)
        #expect(s.whenRefused(.setExternalKey(ExternalKey(system: "", key: "1")))?.field == "externalKey")
    }

    @Test func removingAnExternalKeyReleasesIt() {
        var s = CustomerFixtures.scenario()
        #expect(Customer.claims(.removeExternalKey(system: "billing"), state: s.state).released == [CustomerFixtures.billing])
        #expect(s.apply(.removeExternalKey(system: "billing")) == [.externalKeyRemoved(CustomerExternalKeyRemoved(customerID: CustomerFixtures.id, key: CustomerFixtures.billing))])
        #expect(s.state.externalKeys.isEmpty)
        #expect(s.whenRefused(.removeExternalKey(system: "billing"))?.code == .notFound)
    }

    @Test func creationClaimsItsKeysAndMergingReleasesThem() {
        let create = Customer.Command.create(customerID: CustomerFixtures.id, CustomerFixtures.person, form: CustomerFixtures.form)
        #expect(Customer.claims(create, state: Customer.initialState).claimed == [CustomerFixtures.billing])
        let s = CustomerFixtures.scenario()
        #expect(Customer.claims(create, state: s.state).claimed.isEmpty)
        #expect(Customer.claims(.markMerged(into: CustomerFixtures.other), state: s.state).released == [CustomerFixtures.billing])
        #expect(Customer.claims(.suspend(reason: "x"), state: s.state) == ([], []))
    }

    @Test func anEditCannotMoveAKeyDateIntoTheFuture() {
        let s = CustomerFixtures.scenario()
        let error = s.whenRefused(.edit(CustomerEdit(birthday: .set(date("2031-05-01"))), form: CustomerFixtures.form))
        #expect(error?.code == .invalid)
        #expect(error?.field == "birthday")
        let events = s.when(.edit(CustomerEdit(birthday: .set(date("1980-11-28"))), form: CustomerFixtures.form))
        #expect(events == [.edited(CustomerEdited(customerID: CustomerFixtures.id, changes: [
            FieldChange(field: "birthday", old: .date(date("1980-11-27")), new: .date(date("1980-11-28"))),
        ]))])
    }

    @Test func aCustomerWithoutAKeyDateHasNone() {
        var s = Scenario(Customer.self)
        s.apply(.create(customerID: CustomerFixtures.id, NewCustomer(kind: .person, name: "A", group: "g"), form: .empty(group: "g")))
        #expect(s.state.keyDate == nil)
    }

    @Test func changeValidationIgnoresMissingRequiredFieldsButFullValidationDoesNot() {
        let form = CustomerFixtures.form
        #expect(form.changeViolations(of: ["note": .text("ok")]).isEmpty)
        #expect(form.violations(of: ["note": .text("ok")]).map(\.field) == ["meterCount"])
    }
}
