import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A form's names and labels each name one field (case and width ignored, profile fields reserved), group
/// names fold, bounds read back as sent, and custom texts are trimmed.
@Suite("Customer forms: clashing names, folded groups, trimmed texts")
struct CustomerFormFindingsTests {
    static let employees = FieldDefinition(name: "employees", label: "Employees", type: .number)
    static let sme = CustomerFormEvent.defined(CustomerFormDefined(group: "sme", fields: [employees]))

    @Test func aFieldNameClashingWithAnotherFieldsNameOrLabelIsRefused() {
        let s = Scenario(CustomerForm.self, given: [Self.sme])
        let upper = s.whenRefused(.addField(FieldDefinition(name: "Employees", label: "Staff", type: .number)))
        #expect(upper?.code == .alreadyExists && upper?.field == "name")
        let labelled = s.whenRefused(.addField(FieldDefinition(name: "headcount", label: "employees", type: .number)))
        #expect(labelled?.code == .invalid && labelled?.field == "label")
        // Full-width letters fold to the same label.
        let wide = s.whenRefused(.addField(FieldDefinition(name: "headcount", label: "ＥＭＰＬＯＹＥＥＳ", type: .number)))
        #expect(wide?.field == "label")
        // A name that is another field's label.
        let t = Scenario(CustomerForm.self, given: [.defined(CustomerFormDefined(group: "sme", fields: [
            FieldDefinition(name: "headcount", label: "Staff", type: .number)]))])
        #expect(t.whenRefused(.addField(FieldDefinition(name: "staff", label: "Staff count", type: .number)))?.field == "name")
        // A field's own name and label may be alike; unrelated fields are fine.
        #expect(s.when(.addField(FieldDefinition(name: "vatNumber", label: "VAT number", type: .text))).count == 1)
    }

    @Test func aFieldNamedOrLabelledLikeAProfileFieldIsRefused() {
        let s = Scenario(CustomerForm.self, given: [Self.sme])
        #expect(s.whenRefused(.addField(FieldDefinition(name: "Name", label: "Full name", type: .text)))?.field == "name")
        #expect(s.whenRefused(.addField(FieldDefinition(name: "ext", label: "External key", type: .text)))?.field == "label")
        #expect(Scenario(CustomerForm.self).whenRefused(.define(group: "x", fields: [FieldDefinition(name: "status", label: "S", type: .text)]))?.field == "name")
    }

    @Test func aFormDefinedWithClashingFieldsIsRefused() {
        let error = Scenario(CustomerForm.self).whenRefused(.define(group: "sme", fields: [
            Self.employees, FieldDefinition(name: "headcount", label: "employees", type: .number)]))
        #expect(error?.field == "label")
    }

    @Test func aChangedLabelMustNotClashButAnUnchangedOneStays() {
        let s = Scenario(CustomerForm.self, given: [.defined(CustomerFormDefined(group: "sme", fields: [
            Self.employees, FieldDefinition(name: "headcount", label: "Headcount", type: .number)]))])
        #expect(s.whenRefused(.changeField(FieldDefinition(name: "headcount", label: "EMPLOYEES", type: .number)))?.field == "label")
        #expect(s.when(.changeField(FieldDefinition(name: "headcount", label: "Headcount", type: .number, required: true))).count == 1)
    }

    @Test func aRetiredKeyIsReservedCaseIgnored() {
        let s = Scenario(CustomerForm.self, given: [Self.sme, .fieldRetired(CustomerFormFieldRetired(group: "sme", name: "employees"))])
        #expect(s.whenRefused(.addField(FieldDefinition(name: "EMPLOYEES", label: "Staff", type: .number)))?.code == .alreadyExists)
    }

    @Test func groupNamesFoldAndTheFormIdIgnoresSurroundingSpaces() {
        #expect(CustomerForm.id(group: " sme ") == CustomerForm.id(group: "sme"))
        #expect(CustomerGroups.key("SME") == CustomerGroups.key("ｓｍｅ"))
        #expect(CustomerGroups.key(" sme ") == "sme")
        #expect(CustomerGroups(["sme", "大客户"]).otherSpelling(of: "ＳＭＥ") == "sme")
        #expect(CustomerGroups(["sme"]).otherSpelling(of: " sme ") == nil)
    }

    /// The bounds are plain `Decimal` members: a decimal string (`"0"`, as reads answer them) is a type
    /// mismatch on `Decimal` here, which a request body's reader answers by reading the string by the one rule
    /// of every decimal a body takes (Tests/CRMHTTPTests/FormBoundsInputTests.swift).
    @Test func boundsAreDecimalMembersWhoseTextTheBodyReaderReads() throws {
        let json = #"{"name":"employees","label":"Employees","type":"number","required":false,"minimum":0,"maximum":12.5,"options":[]}"#
        let field = try JSONDecoder().decode(FieldDefinition.self, from: Data(json.utf8))
        #expect(field.minimum == 0 && field.maximum == Decimal(string: "12.5"))
        let text = #"{"name":"e","label":"E","type":"number","required":false,"minimum":"0","options":[]}"#
        do {
            _ = try JSONDecoder().decode(FieldDefinition.self, from: Data(text.utf8))
            Issue.record("a decimal string read outside the body reader")
        } catch DecodingError.typeMismatch(let type, let context) {
            #expect(type == Decimal.self && context.codingPath.map(\.stringValue) == ["minimum"])
        }
        // `required` and `options` may be left out, as the API documents.
        let short = try JSONDecoder().decode(FieldDefinition.self, from: Data(#"{"name":"n","label":"N","type":"text"}"#.utf8))
        #expect(short == FieldDefinition(name: "n", label: "N", type: .text))
        // The recorded (binary) form is unchanged.
        try expectRoundTrips([CustomerFormEvent.defined(CustomerFormDefined(group: "sme", fields: [
            FieldDefinition(name: "employees", label: "Employees", type: .number, minimum: 0, maximum: Decimal(string: "12.5")),
            FieldDefinition(name: "note", label: "Note", type: .text, maxLength: 5)]))])
    }

    @Test func customTextsAreTrimmedAndABlankOneIsNoValue() throws {
        let new = NewCustomer(kind: .person, name: "Li", group: "residential",
                              customFields: ["meterCount": .number(1), "note": .text("   "), "tariff": .option("day")])
        let created = Scenario(Customer.self).when(.create(customerID: CustomerFixtures.id, new, form: FormFixtures.residential))
        guard case .created(let event)? = created.first else { Issue.record("not created"); return }
        #expect(event.customFields["note"] == nil)
        #expect(event.customFields.count == 2)

        let trimmed = NewCustomer(kind: .person, name: "Li", group: "residential", customFields: ["meterCount": .number(1), "note": .text(" ab ")])
        guard case .created(let second)? = Scenario(Customer.self).when(.create(customerID: CustomerFixtures.id, trimmed, form: FormFixtures.residential)).first
        else { Issue.record("not created"); return }
        #expect(second.customFields["note"] == .text("ab"))

        // An edit setting a blank text clears the value; a required text left blank is missing.
        var s = Scenario(Customer.self)
        s.apply(.create(customerID: CustomerFixtures.id, trimmed, form: FormFixtures.residential))
        let cleared = s.when(.edit(CustomerEdit(setCustomFields: ["note": .text("  ")]), form: FormFixtures.residential))
        guard case .edited(let edited)? = cleared.first else { Issue.record("not edited"); return }
        #expect(edited.changes == [FieldChange(field: "custom.note", old: .text("ab"), new: nil)])
        let required = FormDefinition(group: "residential", fields: [FieldDefinition(name: "remark", label: "Remark", type: .text, required: true)])
        let refused = Scenario(Customer.self).whenRefused(.create(customerID: CustomerFixtures.id, NewCustomer(
            kind: .person, name: "Li", group: "residential", customFields: ["remark": .text(" \t ")]), form: required))
        #expect(refused?.field == "remark")
    }
}
