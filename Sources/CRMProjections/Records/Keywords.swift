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
    /// diacritics dropped. Text of ASCII and of the scalars folding leaves as they are
    /// (``isUnchangedByFolding(_:)``) takes a fast path without Foundation.
    public static func fold(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var plain = true
        for s in text.unicodeScalars {
            var v = s.value
            if (0xFF01...0xFF5E).contains(v) { v -= 0xFEE0 } else if v == 0x3000 { v = 0x20 }
            if v >= 0x41 && v <= 0x5A { v += 0x20 }
            if v >= 0x80 && !isUnchangedByFolding(v) { plain = false }
            // The mapped values are scalars: ASCII, or the scalar as it was.
            if let mapped = Unicode.Scalar(v) { UTF8.encode(mapped) { bytes.append($0) } }
        }
        let mapped = String(decoding: bytes, as: UTF8.self)
        if plain { return mapped }
        return mapped.folding(options: [.caseInsensitive, .widthInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// Non-ASCII scalars with no case, width or diacritics to fold: the middle dot (which joins a visit's
    /// topics), the ideographic comma and full stop, CJK Unified Ideographs and their Extension A
    /// (`KeywordsTests` checks every one against Foundation's folding).
    static func isUnchangedByFolding(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x3001...0x3002, 0xB7: return true  // the most frequent first
        default: return false
        }
    }

    /// Every term a record's text is indexed under: words, and CJK single characters and bigrams; sorted,
    /// without repeats.
    public static func terms(in text: String) -> [String] {
        var out: [String] = []
        for run in runs(of: fold(text)) {
            switch run {
            case .word(let w): out.append(w)
            case .ideographs(let chars):
                for (i, c) in chars.enumerated() {
                    out.append(String(c))
                    if i + 1 < chars.count { out.append(pair(c, chars[i + 1])) }
                }
            }
        }
        return sortedUnique(out)
    }

    /// The terms a query must all match: words, CJK bigrams (a single CJK character alone when the run is one
    /// character long); sorted, without repeats.
    public static func queryTerms(_ text: String) -> [String] {
        var out: [String] = []
        for run in runs(of: fold(text)) {
            switch run {
            case .word(let w): out.append(w)
            case .ideographs(let chars):
                if chars.count == 1 { out.append(String(chars[0])) }
                for i in chars.indices.dropLast() { out.append(pair(chars[i], chars[i + 1])) }
            }
        }
        return sortedUnique(out)
    }

    private static func pair(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> String {
        var s = String(a)
        s.unicodeScalars.append(b)
        return s
    }

    private static func sortedUnique(_ terms: [String]) -> [String] {
        var unique: [String] = []
        unique.reserveCapacity(terms.count)
        for term in terms.sorted() where term != unique.last { unique.append(term) }
        return unique
    }

    /// A run of the folded text: a word, or ideographs (one scalar each: the text is split scalar by scalar).
    enum Run { case word(String), ideographs([Unicode.Scalar]) }

    static func runs(of folded: String) -> [Run] {
        var runs = RunCollector()
        for s in folded.unicodeScalars {
            if isIdeographic(s) {
                if !runs.word.isEmpty { runs.flush() }
                runs.ideographs.append(s)
            } else if isWordScalar(s) {
                if !runs.ideographs.isEmpty { runs.flush() }
                UTF8.encode(s) { runs.word.append($0) }
            } else {
                runs.flush()
            }
        }
        runs.flush()
        return runs.runs
    }

    /// The runs found so far and the one being read (a struct, not variables a nested function captures:
    /// those are checked for exclusive access at every use).
    private struct RunCollector {
        var runs: [Run] = []
        var word: [UInt8] = []
        var ideographs: [Unicode.Scalar] = []

        mutating func flush() {
            if !word.isEmpty {
                runs.append(.word(String(decoding: word, as: UTF8.self)))
                word.removeAll(keepingCapacity: true)
            }
            if !ideographs.isEmpty {
                runs.append(.ideographs(ideographs))
                ideographs = []
            }
        }
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
