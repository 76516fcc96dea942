import Foundation

/// Text to search terms (R-ANA-6): case-, width- and diacritic-folded; Latin and other alphabetic text by
/// words (letters and digits), Chinese, Japanese and Korean text by single characters and character
/// bigrams, so `"北京燃气"` is found by `"燃气"` and `"Acme Ｇａｓ"` by `"gas"`.
///
/// ```swift
/// Keywords.terms(in: "Acme 北京燃气")       // ["acme", "京", "京燃", "北", "北京", "气", "燃", "燃气"]
/// Keywords.queryTerms("北京")             // ["北京"]
/// ```
public enum Keywords {
    /// The folded form of `text`: full-width ASCII to ASCII, ideographic space to space, lower case,
    /// diacritics dropped (ASCII text takes a fast path without Foundation).
    public static func fold(_ text: String) -> String {
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
        if ascii { return mapped }
        return mapped.folding(options: [.caseInsensitive, .widthInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Every term a record's text is indexed under: words, and CJK single characters and bigrams; sorted,
    /// without repeats.
    public static func terms(in text: String) -> [String] {
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

    /// The terms a query must all match: words, CJK bigrams (a single CJK character alone when the run is one
    /// character long); sorted, without repeats.
    public static func queryTerms(_ text: String) -> [String] {
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
            if isIdeographic(s) {
                if !word.isEmpty { flush() }
                ideographs.append(Character(s))
            } else if isWordScalar(s) {
                if !ideographs.isEmpty { flush() }
                word.append(s)
            } else {
                flush()
            }
        }
        flush()
        return runs
    }

    /// Letters and digits: part of a word. ASCII is decided without the Unicode property tables (its
    /// alphabetic scalars are A–Z and a–z, its numeric ones 0–9: the same answer, for most of the text).
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0..<0x80: return false
        default: return s.properties.isAlphabetic || s.properties.numericType != nil
        }
    }

    /// Han, kana and Hangul: scripts written without spaces between words.
    static func isIdeographic(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xAC00...0xD7AF,
             0xFF66...0xFF9F, 0x20000...0x2FA1F: return true
        default: return false
        }
    }
}
