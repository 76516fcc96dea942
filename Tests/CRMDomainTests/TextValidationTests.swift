import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Control characters in texts: single-line texts (names, titles) hold none, not even a line break, and no
/// direction control or invisible character (the joiners ZWNJ/ZWJ only inside); free texts (notes, bodies)
/// may hold line breaks and tabs but no other control character. Refusals name the field, never the value.
@Suite("Text validation")
struct TextValidationTests {
    /// Refused everywhere: C0 controls, DEL, C1 controls, the line and paragraph separators.
    static let neverAllowed: [String] = ["\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{80}", "\u{85}", "\u{9B}", "\u{9F}", "\u{2028}", "\u{2029}"]
    /// Refused in single-line texts only.
    static let lineBreaksAndTabs: [String] = ["\n", "\r", "\r\n", "\t", "\u{B}", "\u{C}"]
    /// Refused in single-line texts only: bidirectional embeddings, overrides and isolates, which can make a
    /// name display as another.
    static let directionControls: [String] = ["\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}"]
    /// Refused in single-line texts only: invisible characters that let two names look identical (zero width
    /// space, word joiner, invisible operators, BOM, Mongolian vowel separator).
    static let invisibles: [String] = ["\u{200B}", "\u{2060}", "\u{2061}", "\u{2062}", "\u{2063}", "\u{2064}", "\u{FEFF}", "\u{180E}"]
    /// Names that need the joiners U+200C/U+200D inside: Persian with a ZWNJ, a Devanagari conjunct with a
    /// ZWJ, an emoji ZWJ sequence (family).
    static let joinedNames: [String] = ["می\u{200C}خواهم", "क्\u{200D}ष Traders", "👨\u{200D}👩\u{200D}👧\u{200D}👦 Family shop"]

    private static let taskID = UUID.derived("test", "text validation task")
    private static let customerID = UUID.derived("test", "text validation customer")

    private static func task(note: String?, title: String = "Call back about the meter") -> WorkTask.Command {
        .dispatch(taskID: taskID, details: WorkTask.Details(title: title, note: note, customerID: customerID, kind: .followUp,
                                                            dueAt: Date(timeIntervalSince1970: 1_767_312_000), branch: "shanghai"),
                  assignee: "emp-7")
    }

    private static func customer(named name: String) -> Customer.Command {
        var new = CustomerFixtures.person
        new.name = name
        return .create(customerID: CustomerFixtures.id, new, form: CustomerFixtures.form)
    }

    @Test("a customer name with a control character, line break or separator is refused, naming the field and not the value",
          arguments: neverAllowed + lineBreaksAndTabs + directionControls)
    func customerNameRefusesControlCharacters(_ character: String) throws {
        let error = try #require(Scenario(Customer.self).whenRefused(Self.customer(named: "Li\(character)Wei")))
        #expect(error.code == .invalid)
        #expect(error.field == "name")
        #expect(!error.description.contains("Li"), "the message must not echo the value")
    }

    @Test("a name may hold right-to-left text and the direction marks U+200E/U+200F; a note may hold direction controls")
    func directionMarksAndRightToLeftNamesAreAccepted() throws {
        for name in ["שרה כהן", "محمد\u{200F} Ltd", "Acme\u{200E} 2"] {
            #expect(!Scenario(Customer.self).when(Self.customer(named: name)).isEmpty, "\(name.unicodeScalars.count) scalars")
        }
        #expect(Scenario(WorkTask.self).when(Self.task(note: "Customer wrote \u{2067}שלום\u{2069} on the form")).isEmpty == false)
    }

    @Test("a customer name with an invisible character (zero width space, word joiner, BOM…) is refused, naming the field",
          arguments: invisibles)
    func customerNameRefusesInvisibleCharacters(_ character: String) throws {
        let error = try #require(Scenario(Customer.self).whenRefused(Self.customer(named: "Li\(character)Wei")))
        #expect(error.code == .invalid)
        #expect(error.field == "name")
        #expect(!error.description.contains("Li"), "the message must not echo the value")
        #expect(throws: DomainError.self) { try Validate.optionalText("Li\(character)Wei", field: "industry") }
        #expect(throws: DomainError.self) { try Validate.characters(of: "Li\(character)Wei", field: "options", multiline: false) }
    }

    @Test("a name may hold ZWNJ and ZWJ inside: Persian, Indic scripts and emoji sequences", arguments: joinedNames)
    func joinersInsideANameAreAccepted(_ name: String) throws {
        #expect(try Validate.text(name, field: "name") == name)
        var s = Scenario(Customer.self)
        #expect(s.apply(Self.customer(named: name)).count == 1)
        #expect(s.state.name == name)
    }

    @Test("a single-line text that starts or ends with ZWJ or ZWNJ is refused, white space aside",
          arguments: ["\u{200D}Li Wei", "Li Wei\u{200C}", " \u{200C}Li Wei", "Li Wei\u{200D} ", "\u{200D}", "\u{200C}\u{200D}"])
    func joinersAtTheEndsAreRefused(_ name: String) {
        #expect(throws: DomainError.self) { try Validate.text(name, field: "name") }
        #expect(throws: DomainError.self) { try Validate.characters(of: name, field: "options", multiline: false) }
        let error = Scenario(Customer.self).whenRefused(Self.customer(named: name))
        #expect(error?.code == .invalid)
        #expect(error?.field == "name")
        #expect(error.map { !$0.description.contains("Li") } ?? false, "the message must not echo the value")
    }

    @Test("free text keeps invisible characters and joiners anywhere")
    func freeTextKeepsInvisibleCharacters() throws {
        for character in Self.invisibles + ["\u{200C}", "\u{200D}"] {
            #expect(try Validate.multilineText("asked\(character)twice", field: "note") == "asked\(character)twice")
        }
        #expect(try Validate.multilineText("\u{200D}asked", field: "note") == "\u{200D}asked")
        #expect(Scenario(WorkTask.self).when(Self.task(note: "Customer wrote \u{200B}twice\u{2060}")).count == 1)
    }

    @Test("renaming a customer to a name with a control character is refused", arguments: ["\u{0}", "\u{1B}", "\u{85}", "\u{2028}", "\n"])
    func customerRenameRefusesControlCharacters(_ character: String) {
        let s = CustomerFixtures.scenario()
        let error = s.whenRefused(.edit(CustomerEdit(name: "Li\(character)Wei"), form: CustomerFixtures.form))
        #expect(error?.field == "name")
    }

    @Test("a task note with a control character other than a line break or tab is refused", arguments: neverAllowed)
    func noteRefusesControlCharacters(_ character: String) {
        let error = Scenario(WorkTask.self).whenRefused(Self.task(note: "asked\(character)twice"))
        #expect(error?.code == .invalid)
        #expect(error?.field == "note")
        #expect(error.map { !$0.description.contains("asked") } ?? false)
    }

    @Test("a multi-line note keeps its line breaks and tabs")
    func multiLineNoteIsAccepted() {
        let note = "Asked twice:\n\t- the meter\r\n\t- the bill"
        var s = Scenario(WorkTask.self)
        let events = s.apply(Self.task(note: "  \(note)\n"))
        #expect(events.count == 1)
        #expect(s.state.details?.note == note)
    }

    @Test("a task title (single line) with a line break or tab is refused", arguments: lineBreaksAndTabs)
    func titleRefusesLineBreaks(_ character: String) {
        #expect(Scenario(WorkTask.self).whenRefused(Self.task(note: nil, title: "Call\(character)back"))?.field == "title")
    }

    @Test("surrounding white space and line breaks are trimmed, not refused")
    func surroundingLineBreaksAreTrimmed() throws {
        #expect(try Validate.text("\n\t Li Wei \r\n", field: "name") == "Li Wei")
        #expect(try Validate.multilineText("\n first\nsecond \n", field: "note") == "first\nsecond")
    }

    @Test("the single-line and multi-line validators split control characters as documented")
    func validatorsSplitControlCharacters() {
        for character in Self.neverAllowed {
            #expect(throws: DomainError.self) { try Validate.text("a\(character)b", field: "name") }
            #expect(throws: DomainError.self) { try Validate.multilineText("a\(character)b", field: "note") }
            #expect(throws: DomainError.self) { try Validate.optionalText("a\(character)b", field: "industry") }
            #expect(throws: DomainError.self) { try Validate.optionalMultilineText("a\(character)b", field: "reason") }
        }
        for character in Self.lineBreaksAndTabs {
            let multiline = ["\n", "\r", "\r\n", "\t"].contains(character)
            #expect(throws: DomainError.self) { try Validate.text("a\(character)b", field: "name") }
            #expect((try? Validate.multilineText("a\(character)b", field: "note")) == (multiline ? "a\(character)b" : nil))
        }
        #expect((try? Validate.text("Zoë 李伟 (Ålesund) – café", field: "name")) == "Zoë 李伟 (Ålesund) – café", "printable Unicode stays allowed")
    }

    @Test("an announcement's title is one line while its body may span lines")
    func announcementTitleAndBody() {
        let id = UUID.derived("test", "text validation announcement")
        let targets = AnnouncementTargets(branches: ["shanghai"])
        let s = Scenario(Announcement.self)
        #expect(s.whenRefused(.publish(announcementID: id, title: "Holiday\nhours", body: "b", targets: targets, expiresAt: nil))?.field == "title")
        #expect(s.whenRefused(.publish(announcementID: id, title: "Holiday hours", body: "a\u{1B}[31m", targets: targets, expiresAt: nil))?.field == "body")
        #expect(s.when(.publish(announcementID: id, title: "Holiday hours", body: "Line one\nLine two", targets: targets, expiresAt: nil)).count == 1)
    }

    @Test("a custom text field value and an e-mail address refuse control characters")
    func customValuesAndEmailRefuseControlCharacters() {
        let form = FormDefinition(group: "residential", fields: [FieldDefinition(name: "remark", label: "Remark", type: .text)])
        #expect(form.violations(of: ["remark": .text("a\u{0}b")]).map(\.field) == ["remark"])
        #expect(form.violations(of: ["remark": .text("line one\nline two")]).isEmpty)
        #expect(throws: DomainError.self) {
            try Contact.decide(.create(contactID: UUID.derived("test", "contact"),
                                    NewContact(customerID: CustomerFixtures.id, name: "Li Wei", role: .primary, email: "li\u{0}@example.com")),
                               state: Contact.initialState, context: CommandContext(now: Date(timeIntervalSince1970: 1_767_225_600), actor: "emp-1"))
        }
    }
}

@Suite("Messages naming a kind")
struct ArticleMessageTests {
    @Test func aKindStartingWithAVowelTakesAn() {
        let tariff = FieldDefinition(name: "tariff", label: "Tariff", type: .enumeration, options: ["standard"])
        #expect(tariff.violation(of: .number(1))?.detail == "expects an enumeration value")
        let meters = FieldDefinition(name: "meters", label: "Meters", type: .number)
        #expect(meters.violation(of: .text("two"))?.detail == "expects a number value")
    }
}
