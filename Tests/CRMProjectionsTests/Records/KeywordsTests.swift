import Foundation
import Testing

@testable import CRMProjections

/// `Keywords`' fast paths give what folding everything through Foundation gives.
@Suite struct KeywordsTests {
    /// The scalars `fold` leaves to itself, without Foundation: each one folds to itself there too.
    @Test func foldingLeavesTheScalarsItSkipsAsTheyAre() {
        var changed: [UInt32] = []
        var skipped = 0
        for value: UInt32 in 0x80...0x10FFFF where Keywords.isUnchangedByFolding(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            skipped += 1
            let text = String(scalar)
            if Reference.foundationFold(text) != text { changed.append(value) }
        }
        #expect(skipped == 1 + 2 + 6_592 + 20_992)
        #expect(changed.isEmpty, "folded by Foundation: \(changed.prefix(10).map { String($0, radix: 16) })")
    }

    /// Every text of up to three scalars from a pool of ASCII, full-width letters, ideographs, kana (full and
    /// half width), Hangul, accented Latin, combining marks, compatibility ideographs, punctuation and emoji:
    /// the same folded text, terms and query terms as the reference (every non-ASCII text through Foundation,
    /// terms in a set of `Character`s).
    @Test func foldingAndTermsEqualTheReferenceOnMixedText() {
        let pool: [Unicode.Scalar] = [
            "a", "Z", "7", " ", "-", ".", "Ｇ", "ａ", "\u{3000}", "北", "京", "燃", "㐀", "か", "が", "カ", "ｶ", "ﾞ",
            "한", "é", "Å", "\u{0301}", "\u{F900}", "😀", "。", "、", "·", "ß", "İ", "٣",
        ]
        var texts: [[Unicode.Scalar]] = [[]]
        var previous: [[Unicode.Scalar]] = [[]]
        for _ in 1...3 {
            previous = previous.flatMap { text in pool.map { text + [$0] } }
            texts += previous
        }
        var differing: [String] = []
        for scalars in texts {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            let text = String(view)
            if Keywords.fold(text) != Reference.fold(text) || Keywords.terms(in: text) != Reference.terms(in: text)
                || Keywords.queryTerms(text) != Reference.queryTerms(text) {
                differing.append(scalars.map { String($0.value, radix: 16) }.joined(separator: " "))
            }
        }
        #expect(texts.count == 1 + 30 + 900 + 27_000)
        #expect(differing.isEmpty, "\(differing.count) texts differ, e.g. \(differing.prefix(5))")
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
}
