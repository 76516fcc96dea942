import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Contacts")
struct ContactTests {
    static let id = UUID.derived("test", "contact")
    static let boss = UUID.derived("test", "boss")
    static let new = NewContact(customerID: CustomerFixtures.id, name: "Zhang Min", role: .primary, title: "CFO", phone: "+86 21 5555-0101", email: "zhang@example.cn")
    static let created = ContactEvent.created(ContactCreated(
        contactID: id, customerID: CustomerFixtures.id, name: "Zhang Min", role: .primary, title: "CFO", phone: "+86 21 5555-0101", email: "zhang@example.cn"))
    static let reportsToBoss = ContactRelationship(contactID: boss, kind: .reportsTo)

    static func scenario(_ more: [ContactEvent] = []) -> Scenario<Contact> { Scenario(Contact.self, given: [created] + more) }

    @Test func creatingAContactRecordsItsDetails() {
        var s = Scenario(Contact.self)
        #expect(s.apply(.create(contactID: Self.id, Self.new)) == [Self.created])
        #expect(s.state.customerID == CustomerFixtures.id)
        #expect(s.state.role == .primary)
        #expect(s.state.email == "zhang@example.cn")
        #expect(Self.scenario().whenRefused(.create(contactID: Self.id, Self.new))?.code == .alreadyExists)
    }

    @Test func blankOptionalDetailsAreLeftEmpty() {
        let events = Scenario(Contact.self).when(.create(contactID: Self.id, NewContact(customerID: CustomerFixtures.id, name: "A", phone: " ", email: "")))
        #expect(events == [.created(ContactCreated(contactID: Self.id, customerID: CustomerFixtures.id, name: "A", role: .other, title: nil, phone: nil, email: nil))])
    }

    @Test(arguments: ["no-at-sign", "two@@example.com", "@example.com", "a@nodot", "a b@example.com", "a@example.", "a@.com"])
    func malformedEmailsAreRefused(email: String) {
        let error = Scenario(Contact.self).whenRefused(.create(contactID: Self.id, NewContact(customerID: CustomerFixtures.id, name: "A", email: email)))
        #expect(error?.code == .invalid)
        #expect(error?.field == "email")
    }

    @Test(arguments: ["12", "call me", "+86 21 5555 0101 0101 0101 0101 0101", "555#123"])
    func malformedPhonesAreRefused(phone: String) {
        let error = Scenario(Contact.self).whenRefused(.create(contactID: Self.id, NewContact(customerID: CustomerFixtures.id, name: "A", phone: phone)))
        #expect(error?.field == "phone")
    }

    @Test func aContactNeedsAName() {
        #expect(Scenario(Contact.self).whenRefused(.create(contactID: Self.id, NewContact(customerID: CustomerFixtures.id, name: "  ")))?.field == "name")
    }

    @Test func commandsOnAMissingContactAreRefused() {
        let s = Scenario(Contact.self)
        #expect(s.whenRefused(.edit(ContactEdit(name: "B")))?.code == .notFound)
        #expect(s.whenRefused(.restore)?.code == .notFound)
    }

    @Test func anEditRecordsExactlyTheChangedFieldsOldToNew() {
        var s = Self.scenario()
        let events = s.apply(.edit(ContactEdit(name: "Zhang Min", role: .backup, title: .clear, email: .set("min@example.cn"))))
        #expect(events == [.edited(ContactEdited(contactID: Self.id, changes: [
            FieldChange(field: "role", old: .option("primary"), new: .option("backup")),
            FieldChange(field: "title", old: .text("CFO"), new: nil),
            FieldChange(field: "email", old: .text("zhang@example.cn"), new: .text("min@example.cn")),
        ]))])
        #expect(s.state.role == .backup)
        #expect(s.state.title == nil)
        #expect(s.state.email == "min@example.cn")
        #expect(s.state.phone == "+86 21 5555-0101")
    }

    @Test func anEditThatChangesNothingRecordsNothing() {
        let s = Self.scenario()
        #expect(s.when(.edit(ContactEdit(name: "Zhang Min", role: .primary, title: .set("CFO")))).isEmpty)
        #expect(s.when(.edit(ContactEdit())).isEmpty)
    }

    @Test func anEditsNewValuesAreValidated() {
        let s = Self.scenario()
        #expect(s.whenRefused(.edit(ContactEdit(email: .set("bad"))))?.field == "email")
        #expect(s.whenRefused(.edit(ContactEdit(phone: .set("x"))))?.field == "phone")
        #expect(s.whenRefused(.edit(ContactEdit(name: "")))?.field == "name")
    }

    @Test func relationshipsAreAddedOnceAndRemoved() {
        var s = Self.scenario()
        #expect(s.apply(.addRelationship(Self.reportsToBoss)) == [.relationshipAdded(ContactRelationshipAdded(contactID: Self.id, relationship: Self.reportsToBoss))])
        #expect(s.state.relationships == [Self.reportsToBoss])
        #expect(s.whenRefused(.addRelationship(Self.reportsToBoss))?.code == .alreadyExists)
        #expect(s.when(.addRelationship(ContactRelationship(contactID: Self.boss, kind: .assistantOf))).count == 1)
        #expect(s.whenRefused(.addRelationship(ContactRelationship(contactID: Self.id, kind: .colleagueOf)))?.field == "contactID")
        #expect(s.apply(.removeRelationship(Self.reportsToBoss)) == [.relationshipRemoved(ContactRelationshipRemoved(contactID: Self.id, relationship: Self.reportsToBoss))])
        #expect(s.state.relationships.isEmpty)
        #expect(s.whenRefused(.removeRelationship(Self.reportsToBoss))?.code == .notFound)
    }

    @Test func aContactMovesToTheSurvivorOfAMerge() {
        var s = Self.scenario()
        #expect(s.apply(.moveToCustomer(CustomerFixtures.other)) == [.movedToCustomer(ContactMovedToCustomer(contactID: Self.id, fromCustomerID: CustomerFixtures.id, toCustomerID: CustomerFixtures.other))])
        #expect(s.state.customerID == CustomerFixtures.other)
        #expect(s.when(.moveToCustomer(CustomerFixtures.other)).isEmpty)
    }

    @Test func archivingBlocksChangesUntilRestored() {
        var s = Self.scenario()
        #expect(s.apply(.archive(reason: "left the company")) == [.archived(ContactArchived(contactID: Self.id, reason: "left the company"))])
        #expect(s.when(.archive(reason: nil)).isEmpty)
        #expect(s.whenRefused(.edit(ContactEdit(name: "B")))?.code == .archived)
        #expect(s.whenRefused(.addRelationship(Self.reportsToBoss))?.code == .archived)
        #expect(s.whenRefused(.moveToCustomer(CustomerFixtures.other))?.code == .archived)
        #expect(s.apply(.restore) == [.restored(ContactRestored(contactID: Self.id))])
        #expect(!s.state.isArchived)
        #expect(s.when(.restore).isEmpty)
    }

    @Test func everyContactEventRoundTripsThroughBothEncodings() throws {
        let events: [ContactEvent] = [
            Self.created,
            .created(ContactCreated(contactID: Self.id, customerID: CustomerFixtures.id, name: "王芳", role: .other, title: nil, phone: nil, email: nil)),
            .edited(ContactEdited(contactID: Self.id, changes: [FieldChange(field: "phone", old: nil, new: .text("123"))])),
            .movedToCustomer(ContactMovedToCustomer(contactID: Self.id, fromCustomerID: CustomerFixtures.id, toCustomerID: CustomerFixtures.other)),
            .relationshipAdded(ContactRelationshipAdded(contactID: Self.id, relationship: Self.reportsToBoss)),
            .relationshipRemoved(ContactRelationshipRemoved(contactID: Self.id, relationship: Self.reportsToBoss)),
            .archived(ContactArchived(contactID: Self.id, reason: nil)),
            .restored(ContactRestored(contactID: Self.id)),
        ]
        #expect(Set(events.map { type(of: $0.payload).eventType }).count == ContactEvent.payloadTypes.count)
        try expectRoundTrips(events)
    }
}
