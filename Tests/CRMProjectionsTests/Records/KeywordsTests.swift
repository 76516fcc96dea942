import Foundation
import Testing

@testable import CRMProjections

/// `Keywords`' fast paths give what folding everything through Foundation gives.
@Suite struct KeywordsTests {
    /// The scalars `fold` leaves to itself, without Foundation: each one folds to itself there too.
    @Test func foldingLeavesTheCommonIdeographsAsTheyAre() {
        var changed: [UInt32] = []
        var listed = 0
        for range in Keywords.unchangedByFolding {
            for value in range {
                #expect(Keywords.isUnchangedByFolding(value), "U+\(String(value, radix: 16)) is listed")
                guard let scalar = Unicode.Scalar(value) else { continue }
                listed += 1
                let text = String(scalar)
                if Reference.foundationFold(text) != text { changed.append(value) }
            }
        }
        #expect(listed > 27_000)
        #expect(changed.isEmpty, "folded by Foundation: \(changed.prefix(10).map { String($0, radix: 16) })")
        // Nothing else passes: the scalars around the listed ranges, and ones folding does change.
        for value: UInt32 in [0x80, 0xB6, 0xB8, 0xE9, 0x3000, 0x3003, 0x30AC, 0x33FF, 0x4DC0, 0x4DFF, 0xA000, 0xF900, 0xFF21] {
            #expect(!Keywords.isUnchangedByFolding(value), "U+\(String(value, radix: 16))")
        }
    }

    /// Random text of ASCII, full-width letters, ideographs, kana (full and half width), Hangul, accented
    /// Latin, combining marks, compatibility ideographs and emoji: the same folded text, terms and query
    /// terms as the reference (every non-ASCII text through Foundation, sets of `Character`s).
    @Test func foldingAndTermsEqualTheReferenceOnMixedText() {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "7", " ", "-", ".", "Ｇ", "ａ", "\u{3000}", "北", "京", "燃", "气", "㐀", "か", "が", "カ", "ｶ", "ﾞ",
            "한", "é", "Å", "\u{0301}", "\u{F900}", "😀", "。", "、", "·", "ß", "İ", "٣",
        ]
        var random = SplitMix(seed: 42)
        for _ in 0..<2_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int(random.next() % 12) { text.append(pool[Int(random.next() % UInt64(pool.count))]) }
            let string = String(text)
            #expect(Keywords.fold(string) == Reference.fold(string), "\(string.unicodeScalars.map { $0.value })")
            #expect(Keywords.terms(in: string) == Reference.terms(in: string), "\(string.unicodeScalars.map { $0.value })")
            #expect(Keywords.queryTerms(string) == Reference.queryTerms(string), "\(string.unicodeScalars.map { $0.value })")
        }
    }

    /// `Keywords` as it was before its fast paths: Foundation for any non-ASCII text, scalars appended one
    /// by one, terms collected in a set.
    enum Reference {
        static func foundationFold(_ text: String) -> String {
            text.folding(options: [.caseInsensitive, .widthInsensitive, .diacriticInsensitive], locale: nil)
        }

        static func fold(_ text: String) -> String {
            var scalars = String.UnicodeScalarView()
            var ascii = true
            for s in text.unicodeScalars {
                var v = s.value
                if (0xFF01...0xFF5E).contains(v) { v -= 0xFEE0 } else if v == 0x3000 { v = 0x20 }
                if v >= 0x41 && v <= 0x5A { v += 0x20 }
                if v >= 0x80 { ascii = false }
                if let mapped = Unicode.Scalar(v) { scalars.append(mapped) }
            }
            let mapped = String(scalars)
            return ascii ? mapped : foundationFold(mapped)
        }

        enum Run { case word(String), ideographs([Character]) }

        static func runs(of folded: String) -> [Run] {
            var runs: [Run] = []
            var word = String.UnicodeScalarView()
            var ideographs: [Character] = []
            func flush() {
                if !word.isEmpty { runs.append(.word(String(word))); word = String.UnicodeScalarView() }
                if !ideographs.isEmpty { runs.append(.ideographs(ideographs)); ideographs = [] }
            }
            for s in folded.unicodeScalars {
                if Keywords.isIdeographic(s) {
                    if !word.isEmpty { flush() }
                    ideographs.append(Character(s))
                } else if Keywords.isWordScalar(s) {
                    if !ideographs.isEmpty { flush() }
                    word.append(s)
                } else {
                    flush()
                }
            }
            flush()
            return runs
        }

        static func terms(in text: String) -> [String] {
            var out = Set<String>()
            for run in runs(of: fold(text)) {
                switch run {
                case .word(let w): out.insert(w)
                case .ideographs(let chars):
                    for (i, c) in chars.enumerated() {
                        out.insert(String(c))
                        if i + 1 < chars.count { out.insert(String(c) + String(chars[i + 1])) }
                    }
                }
            }
            return out.sorted()
        }

        static func queryTerms(_ text: String) -> [String] {
            var out = Set<String>()
            for run in runs(of: fold(text)) {
                switch run {
                case .word(let w): out.insert(w)
                case .ideographs(let chars):
                    if chars.count == 1 { out.insert(String(chars[0])) }
                    for i in chars.indices.dropLast() { out.insert(String(chars[i]) + String(chars[i + 1])) }
                }
            }
            return out.sorted()
        }
    }

    /// SplitMix64: a seeded source, so a failure repeats.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
