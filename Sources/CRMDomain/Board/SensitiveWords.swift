import EventSourcing
import Foundation

/// What a sensitive word does to a post that contains it (R-ORG-6).
public enum SensitiveWordAction: String, CaseIterable, Hashable, Sendable, Codable {
    /// The post is refused.
    case block
    /// The post is published and flagged for the moderators.
    case flag
}

public struct SensitiveWord: Hashable, Sendable, Codable {
    public var word: String
    public var action: SensitiveWordAction

    public init(word: String, action: SensitiveWordAction) {
        self.word = word
        self.action = action
    }
}

/// Matching that folds case and full-width/half-width forms (NFKC compatibility mapping, then
/// lower-casing), so `ＢＡＤ`, `Bad` and `bad` match the word `bad`, and full-width Chinese punctuation
/// or letters do not hide a word; and that drops the default-ignorable code points (Unicode property
/// Default_Ignorable_Code_Point: zero width space, joiners, soft hyphen, word joiner, variation selectors,
/// byte order mark, …), which display as nothing, so `bad\u{200B}word` or `bad\u{AD}word` match `badword`.
/// Chinese text has no spaces, so words match anywhere inside the text.
public enum SensitiveWordFilter {
    /// The folded form used for matching: NFKC, lower case, without default-ignorable code points, and
    /// composed again (NFC) so a mark once split from its letter by one matches the composed letter.
    public static func fold(_ text: String) -> String {
        let mapped = text.precomposedStringWithCompatibilityMapping.lowercased()
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: mapped.unicodeScalars.lazy.filter { !$0.properties.isDefaultIgnorableCodePoint })
        return String(kept).precomposedStringWithCanonicalMapping
    }

    /// The listed words found in `text`, in list order (a word that folds to nothing matches nothing).
    public static func matches(in text: String, words: [SensitiveWord]) -> [SensitiveWord] {
        let folded = fold(text)
        return words.filter { word in
            let needle = fold(word.word)
            return !needle.isEmpty && folded.contains(needle)
        }
    }
}

public struct SensitiveWordAdded: EventPayload, Equatable {
    public static let eventType = "SensitiveWordAdded"
    public static let schemaVersion: UInt32 = 1
    public var word: SensitiveWord

    public init(word: SensitiveWord) {
        self.word = word
    }
}

public struct SensitiveWordRemoved: EventPayload, Equatable {
    public static let eventType = "SensitiveWordRemoved"
    public static let schemaVersion: UInt32 = 1
    public var word: String

    public init(word: String) {
        self.word = word
    }
}

public enum SensitiveWordListEvent: DomainEvent {
    case added(SensitiveWordAdded)
    case removed(SensitiveWordRemoved)

    public static let payloadTypes: [any EventPayload.Type] = [SensitiveWordAdded.self, SensitiveWordRemoved.self]

    public var payload: any EventPayload {
        switch self {
        case .added(let p): return p
        case .removed(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as SensitiveWordAdded: self = .added(p)
        case let p as SensitiveWordRemoved: self = .removed(p)
        default: return nil
        }
    }
}

/// The configurable sensitive-word list of the staff board. Stream ``streamID``.
public enum SensitiveWordList: Aggregate {
    public static let category = "wordlist"
    public static let streamID = StreamID("wordlist-global")

    public struct State: Sendable, Equatable {
        public var words: [SensitiveWord] = []
        public init() {}
    }

    public enum Command: Sendable {
        /// Adds a word, or changes its action.
        case add(SensitiveWord)
        case remove(word: String)
    }

    public typealias Event = SensitiveWordListEvent
    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .add(var entry):
            entry.word = try Validate.text(entry.word, field: "word", max: 100)
            let folded = SensitiveWordFilter.fold(entry.word)
            guard !folded.isEmpty else { throw .invalid("word", "must hold a visible character") }
            if let existing = state.words.first(where: { SensitiveWordFilter.fold($0.word) == folded }), existing.action == entry.action {
                return []
            }
            return [.added(SensitiveWordAdded(word: entry))]
        case .remove(let word):
            let folded = SensitiveWordFilter.fold(word)
            guard let existing = state.words.first(where: { SensitiveWordFilter.fold($0.word) == folded }) else {
                throw .notFound("the word is not on the list")
            }
            return [.removed(SensitiveWordRemoved(word: existing.word))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .added(let e):
            let folded = SensitiveWordFilter.fold(e.word.word)
            s.words.removeAll { SensitiveWordFilter.fold($0.word) == folded }
            s.words.append(e.word)
        case .removed(let e):
            s.words.removeAll { $0.word == e.word }
        }
        return s
    }
}
