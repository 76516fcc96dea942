import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Fields used across the customer tests.
enum FormFixtures {
    static let meters = FieldDefinition(name: "meterCount", label: "Meters", type: .number, required: true, minimum: 1, maximum: 10)
    static let note = FieldDefinition(name: "note", label: "Note", type: .text, maxLength: 5)
    static let tariff = FieldDefinition(name: "tariff", label: "Tariff", type: .enumeration, options: ["day", "night"])
    static let deposit = FieldDefinition(name: "deposit", label: "Deposit", type: .money, minimum: 0)
    static let since = FieldDefinition(name: "since", label: "Customer since", type: .date)
    static let paperless = FieldDefinition(name: "paperless", label: "Paperless", type: .boolean)

    static let residential = FormDefinition(group: "residential", fields: [meters, note, tariff, deposit, since, paperless])
}

@Suite("Customer forms")
struct CustomerFormTests {
    static let defined = CustomerFormEvent.defined(CustomerFormDefined(group: "residential", fields: [FormFixtures.meters, FormFixtures.note]))

    @Test func definingAFormRecordsItsFieldsAndGivesTheDefinition() {
        var s = Scenario(CustomerForm.self)
        let events = s.apply(.define(group: "residential", fields: [FormFixtures.meters, FormFixtures.note]))
        #expect(events == [Self.defined])
        #expect(s.state.definition == FormDefinition(group: "residential", fields: [FormFixtures.meters, FormFixtures.note]))
    }

    @Test func aFormIsDefinedOnce() {
        let s = Scenario(CustomerForm.self, given: [Self.defined])
        #expect(s.whenRefused(.define(group: "residential", fields: []))?.code == .alreadyExists)
    }

    @Test func theFormStreamDerivesFromTheGroup() {
        #expect(CustomerForm.stream(group: "residential") == CustomerForm.stream(group: "residential"))
        #expect(CustomerForm.stream(group: "residential") != CustomerForm.stream(group: "sme"))
        #expect(CustomerForm.stream(group: "sme").description.hasPrefix("form-"))
    }

    @Test(arguments: [
        (FieldDefinition(name: "9lives", label: "x", type: .text), "name"),
        (FieldDefinition(name: "has space", label: "x", type: .text), "name"),
        (FieldDefinition(name: "ok", label: " ", type: .text), "label"),
        (FieldDefinition(name: "ok", label: "x", type: .number, maxLength: 3), "maxLength"),
        (FieldDefinition(name: "ok", label: "x", type: .text, maxLength: 0), "maxLength"),
        (FieldDefinition(name: "ok", label: "x", type: .date, minimum: 1), "minimum"),
        (FieldDefinition(name: "ok", label: "x", type: .number, minimum: 5, maximum: 1), "maximum"),
        (FieldDefinition(name: "ok", label: "x", type: .enumeration), "options"),
        (FieldDefinition(name: "ok", label: "x", type: .enumeration, options: ["a", "a"]), "options"),
        (FieldDefinition(name: "ok", label: "x", type: .boolean, options: ["a"]), "options"),
    ])
    func malformedFieldDefinitionsAreRefused(field: FieldDefinition, problem: String) {
        let error = Scenario(CustomerForm.self).whenRefused(.define(group: "g", fields: [field]))
        #expect(error?.code == .invalid)
        #expect(error?.field == problem)
    }

    @Test func fieldNamesAreUniqueWithinADefinition() {
        let error = Scenario(CustomerForm.self).whenRefused(.define(group: "g", fields: [FormFixtures.note, FormFixtures.note]))
        #expect(error?.field == "name")
    }

    @Test func addingAFieldNeedsAFormAndAFreshName() {
        #expect(Scenario(CustomerForm.self).whenRefused(.addField(FormFixtures.tariff))?.code == .notFound)
        var s = Scenario(CustomerForm.self, given: [Self.defined])
        #expect(s.apply(.addField(FormFixtures.tariff)) == [.fieldAdded(CustomerFormFieldAdded(group: "residential", field: FormFixtures.tariff))])
        #expect(s.state.definition?.field("tariff") == FormFixtures.tariff)
        #expect(s.whenRefused(.addField(FormFixtures.tariff))?.code == .alreadyExists)
    }

    @Test func changingAFieldRecordsEachChangedSettingOldToNew() {
        var s = Scenario(CustomerForm.self, given: [Self.defined])
        var changed = FormFixtures.meters
        changed.label = "Meter count"
        changed.maximum = 20
        let events = s.apply(.changeField(changed))
        #expect(events == [.fieldChanged(CustomerFormFieldChanged(group: "residential", field: changed, changes: [
            FieldChange(field: "label", old: .text("Meters"), new: .text("Meter count")),
            FieldChange(field: "maximum", old: .number(10), new: .number(20)),
        ]))])
        #expect(s.state.definition?.field("meterCount")?.maximum == 20)
        #expect(s.when(.changeField(changed)).isEmpty)
    }

    @Test func aFieldsTypeCannotChangeAndUnknownFieldsCannotBeChanged() {
        let s = Scenario(CustomerForm.self, given: [Self.defined])
        var retyped = FormFixtures.note
        retyped.type = .number
        retyped.maxLength = nil
        #expect(s.whenRefused(.changeField(retyped))?.field == "type")
        #expect(s.whenRefused(.changeField(FormFixtures.tariff))?.code == .notFound)
    }

    @Test func retiringAFieldKeepsItsNameReservedAndIsIdempotent() {
        var s = Scenario(CustomerForm.self, given: [Self.defined])
        #expect(s.apply(.retireField(name: "note")) == [.fieldRetired(CustomerFormFieldRetired(group: "residential", name: "note"))])
        #expect(s.state.definition?.field("note") == nil)
        #expect(s.state.definition?.retired == ["note"])
        #expect(s.when(.retireField(name: "note")).isEmpty)
        #expect(s.whenRefused(.addField(FormFixtures.note))?.code == .alreadyExists)
        #expect(s.whenRefused(.retireField(name: "nothing"))?.code == .notFound)
        #expect(s.whenRefused(.changeField(FormFixtures.note))?.code == .notFound)
    }

    @Test func valuesThatFitTheFormHaveNoViolations() {
        let values: [String: FieldValue] = [
            "meterCount": .number(2), "note": .text("hi"), "tariff": .option("night"),
            "deposit": .money(Money(100, .cny)), "since": .date(date("2020-01-01")), "paperless": .bool(true),
        ]
        #expect(FormFixtures.residential.violations(of: values).isEmpty)
    }

    @Test func everyViolationNamesItsField() {
        var form = FormFixtures.residential
        form.retired = ["old"]
        let problems = form.violations(of: [
            "note": .text("too long"), "tariff": .option("weekend"), "deposit": .money(Money(-1, .cny)),
            "since": .text("2020"), "old": .bool(true), "unknown": .number(1),
        ])
        #expect(problems.map(\.field) == ["deposit", "meterCount", "note", "old", "since", "tariff", "unknown"])
        #expect(problems.allSatisfy { $0.code == .invalid })
        #expect(throws: DomainError.self) { try form.validate(["meterCount": .number(11)]) }
        #expect(form.violations(of: ["meterCount": .number(0)]).first?.field == "meterCount")
        #expect(form.violations(of: ["meterCount": .text("2")]).first?.field == "meterCount")
    }

    @Test func blankTextDoesNotSatisfyARequiredField() {
        let form = FormDefinition(group: "g", fields: [FieldDefinition(name: "code", label: "Code", type: .text, required: true)])
        #expect(form.violations(of: ["code": .text("  ")]).map(\.field) == ["code"])
        #expect(form.violations(of: ["code": .text("A1")]).isEmpty)
    }

    @Test func everyFormEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            Self.defined,
            .fieldAdded(CustomerFormFieldAdded(group: "residential", field: FormFixtures.tariff)),
            .fieldAdded(CustomerFormFieldAdded(group: "residential", field: FormFixtures.deposit)),
            .fieldChanged(CustomerFormFieldChanged(group: "residential", field: FormFixtures.meters, changes: [
                FieldChange(field: "maximum", old: .number(10), new: nil),
                FieldChange(field: "options", old: .list(["a"]), new: .list(["a", "b"])),
            ])),
            .fieldRetired(CustomerFormFieldRetired(group: "residential", name: "note")),
        ])
    }
}
