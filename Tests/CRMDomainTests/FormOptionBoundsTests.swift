import CRMDomain
import EventSourcing
import Foundation
import Testing

/// An enumeration field has at most 1,000 options of at most 200 characters: every customer create and
/// edit of the group reads its form. Forms recorded before the bounds replay as they are and stay editable.
@Suite struct FormOptionBoundsTests {
    static func options(_ count: Int, length: Int = 10, prefix: String = "o") -> [String] {
        (0..<count).map { i in
            let tag = "\(prefix)\(i)"
            return tag + String(repeating: "x", count: max(0, length - tag.count))
        }
    }

    static func size(_ options: [String]) -> FieldDefinition {
        FieldDefinition(name: "size", label: "Size", type: .enumeration, options: options)
    }

    @Test func anEnumerationOfMoreThanAThousandOptionsIsRefused() {
        let s = Scenario(CustomerForm.self)
        let refused = s.whenRefused(.define(group: "sme", fields: [Self.size(Self.options(FieldDefinition.maxOptions + 1))]))
        #expect(refused?.code == .invalid && refused?.field == "options")
        #expect(s.when(.define(group: "sme", fields: [Self.size(Self.options(FieldDefinition.maxOptions, length: FieldDefinition.maxOptionLength))])).count == 1)
    }

    @Test func anOptionLongerThanTwoHundredCharactersIsRefused() {
        let long = String(repeating: "y", count: FieldDefinition.maxOptionLength + 1)
        let refused = Scenario(CustomerForm.self).whenRefused(.define(group: "sme", fields: [Self.size(["small", long])]))
        #expect(refused?.code == .invalid && refused?.field == "options")
        let given = Scenario(CustomerForm.self, given: [.defined(CustomerFormDefined(group: "sme", fields: [Self.size(["small"])]))])
        #expect(given.whenRefused(.changeField(Self.size(["small", long])))?.field == "options")
        #expect(given.whenRefused(.addField(FieldDefinition(name: "colour", label: "Colour", type: .enumeration, options: [long])))?.field == "options")
    }

    /// A field recorded with more (and longer) options before the bounds replays as it is, and a change may
    /// keep as many options and its long ones — not add more.
    @Test func aFieldRecordedBeforeTheBoundsReplaysAndStaysEditable() {
        let long = String(repeating: "z", count: 300)
        let legacy = Self.options(1_500) + [long]
        let s = Scenario(CustomerForm.self, given: [.defined(CustomerFormDefined(group: "sme", fields: [Self.size(legacy)]))])
        #expect(s.state.definition?.field("size")?.options.count == 1_501)
        var relabelled = Self.size(legacy)
        relabelled.label = "Sizes"
        #expect(s.when(.changeField(relabelled)).count == 1)
        #expect(s.when(.changeField(Self.size(Array(legacy.dropFirst(10))))).count == 1)
        #expect(s.whenRefused(.changeField(Self.size(legacy + ["one more"])))?.field == "options")
        #expect(s.whenRefused(.changeField(Self.size(Array(legacy.dropFirst()) + [String(repeating: "w", count: 300)])))?.field == "options")
    }

    static func fields(_ count: Int, from first: Int = 0) -> [FieldDefinition] {
        (first..<(first + count)).map { FieldDefinition(name: "f\($0)", label: "Field \($0)", type: .text) }
    }

    /// A form has at most 200 active fields: defined with more, or adding one more, is refused naming
    /// `fields`; retiring one makes room again.
    @Test func aFormOfMoreThanTwoHundredActiveFieldsIsRefusedAndRetiringOneMakesRoom() {
        #expect(FormDefinition.maxFields == 200)
        let refused = Scenario(CustomerForm.self).whenRefused(.define(group: "sme", fields: Self.fields(FormDefinition.maxFields + 1)))
        #expect(refused?.code == .invalid && refused?.field == "fields", "\(String(describing: refused))")
        let full = Scenario(CustomerForm.self, given: [.defined(CustomerFormDefined(group: "sme", fields: Self.fields(FormDefinition.maxFields)))])
        let extra = FieldDefinition(name: "extra", label: "Extra", type: .text)
        #expect(full.whenRefused(.addField(extra))?.field == "fields")
        let retired = Scenario(CustomerForm.self, given: [
            .defined(CustomerFormDefined(group: "sme", fields: Self.fields(FormDefinition.maxFields))),
            .fieldRetired(CustomerFormFieldRetired(group: "sme", name: "f0")),
        ])
        #expect(retired.when(.addField(extra)).count == 1)
        #expect(Scenario(CustomerForm.self).when(.define(group: "sme", fields: Self.fields(FormDefinition.maxFields))).count == 1)
    }
}
