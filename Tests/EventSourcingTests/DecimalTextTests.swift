import EventSourcing
import Foundation
import Testing

/// `DecimalText`'s fast paths against Foundation's `description` and `Decimal(string:)`, byte for byte.
@Suite struct DecimalTextTests {
    static let posix = Locale(identifier: "en_US_POSIX")

    @Test func theLayoutCheckPassesOnThisToolchain() {
        #expect(DecimalText.layoutMatches)
    }

    @Test func fastTextEqualsDescriptionAndParsesBackToFoundationsBytes() throws {
        var mix = SplitMix(seed: 42)  // deterministic: a failure names a reproducible value
        var fastTexts = 0
        var fastParses = 0
        for round in 0..<60_000 {
            // Mantissas from 1 digit to the full 64 bits, exponents both ways, both signs, and values as
            // arithmetic leaves them (trailing zeros, not compacted).
            let bits = Int(mix.next() % 64) + 1
            let mantissa = mix.next() >> UInt64(64 - bits)
            let exponent = Int(mix.next() % 41) - 25
            let negative = mix.next() % 2 == 0
            var value = Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: Decimal(mantissa))
            if round % 3 == 1 { value = value * Decimal(Int(mix.next() % 1000)) }
            if round % 3 == 2 { value = value + (Decimal(string: "0.10", locale: Self.posix) ?? 0) }
            let text = value.description
            if let fast = DecimalText.fastText(value) {
                fastTexts += 1
                #expect(fast == text, "mantissa \(mantissa) exponent \(exponent) round \(round)")
            }
            let foundation = try #require(Decimal(string: text, locale: Self.posix))
            let parsed = Array(text.utf8).withUnsafeBytes { DecimalText.parse($0) }
            if let parsed {
                fastParses += 1
                #expect(DecimalText.bytes(of: parsed) == DecimalText.bytes(of: foundation), "\(text)")
            }
        }
        #expect(fastTexts > 30_000)
        #expect(fastParses > 10_000)
    }

    @Test func oddTextsGoToFoundation() {
        for text in ["", "-", ".5", "5.", "1e3", "+1", " 1", "1 ", "1.2.3", "-0", "0.0", "00", "NaN", "12345678901234567890"] {
            let parsed = Array(text.utf8).withUnsafeBytes { DecimalText.parse($0) }
            #expect(parsed == nil, "\(text)")
        }
        #expect(DecimalText.fastText(Decimal.nan) == nil)
    }

    @Test func theWriterAndReaderRoundTripThroughBothPaths() throws {
        // (NaN is written as "NaN", which Foundation does not read back: the reader refuses it, as before.)
        var nan = BinaryWriter()
        nan.decimal(Decimal.nan)
        var nanText = BinaryWriter()
        nanText.string(Decimal.nan.description)
        #expect(nan.bytes == nanText.bytes)
        for text in ["0", "19.90", "-0.05", "1000", "12345678901234567890123", "0.000", "-7.25"] {
            let value = try #require(Decimal(string: text, locale: Self.posix))
            var writer = BinaryWriter()
            writer.decimal(value)
            var plain = BinaryWriter()
            plain.string(value.description)
            #expect(writer.bytes == plain.bytes, "\(text)")
            let back = try writer.bytes.withUnsafeBytes { buffer in
                var reader = BinaryReader(buffer)
                return try reader.decimal()
            }
            #expect(back.description == value.description)
            #expect(DecimalText.bytes(of: back) == DecimalText.bytes(of: try #require(Decimal(string: value.description, locale: Self.posix))))
        }
    }
}
