import Foundation

/// `Decimal`'s stored text — exactly `description` when writing and `Decimal(string:locale: POSIX)` when
/// reading — without Foundation's digit loop (a division of the 128-bit mantissa per digit) or its scanner.
///
/// Both directions read or build the value's memory, which on this toolchain's Foundation is 20 bytes:
/// the exponent (`Int8`), a byte holding the mantissa's length in 16-bit words (high 4 bits), the sign
/// (bit 3) and the compact flag (bit 2), two reserved bytes, then eight little-endian 16-bit mantissa words.
/// That layout is not public, so ``layoutMatches`` checks it once, against Foundation's own results for a
/// set of values; if anything differs, every call takes Foundation's path. The fast paths cover the
/// values rows and payloads hold — mantissas of at most 64 bits, at most 19 digits of text — and
/// hand anything else (NaN, huge values, exponent notation, negative zero, zeros with decimals) back to
/// Foundation too. `DecimalTextTests` compares both paths byte for byte over many values.
public enum DecimalText {
    /// Whether `Decimal`'s memory is laid out as described above (checked once, on first use).
    public static let layoutMatches: Bool = selfCheck()

    /// Appends `value`'s text form (its `description`) as a length-prefixed string.
    public static func write(_ value: Decimal, to writer: inout BinaryWriter) {
        if layoutMatches, write(fast: value, to: &writer) { return }
        writer.string(value.description)
    }

    /// The value of a stored decimal text, when the fast path reads it; nil hands the text to Foundation.
    public static func parse(_ utf8: UnsafeRawBufferPointer) -> Decimal? {
        guard layoutMatches else { return nil }
        return parse(fast: utf8)
    }

    /// The text form as a `String` (for tests): the fast path's result, or nil when it declines.
    public static func fastText(_ value: Decimal) -> String? {
        var writer = BinaryWriter(capacity: 32)
        guard write(fast: value, to: &writer) else { return nil }
        return writer.bytes.withUnsafeBytes { buffer -> String? in
            var reader = BinaryReader(buffer)
            return try? reader.string()
        }
    }

    /// The value's raw bytes (for tests: two decimals with the same bytes behave the same everywhere).
    public static func bytes(of value: Decimal) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    // MARK: Fast paths

    static func write(fast value: Decimal, to writer: inout BinaryWriter) -> Bool {
        guard MemoryLayout<Decimal>.size == 20 else { return false }
        var exponent = 0
        var negative = false
        var mantissa: UInt64 = 0
        let ok = withUnsafeBytes(of: value) { raw -> Bool in
            let flags = raw[1]
            let length = Int(flags >> 4)
            guard length <= 4 else { return false }
            negative = flags & 0x08 != 0
            exponent = Int(Int8(bitPattern: raw[0]))
            for word in stride(from: length - 1, through: 0, by: -1) {
                mantissa = mantissa << 16 | UInt64(raw[4 + 2 * word]) | UInt64(raw[5 + 2 * word]) << 8
            }
            // Zero has length 0; with the sign bit that is NaN: Foundation's path for both kinds of odd value.
            return length > 0 && mantissa != 0 || length == 0 && !negative
        }
        guard ok else { return false }
        if mantissa == 0 {
            writer.varint(1)
            writer.byte(0x30)
            return true
        }
        // The digits, least significant first.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, one per byte, 24 bytes of room
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            var m = mantissa
            while m != 0 {
                buffer[count] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30
                m /= 10
                count += 1
            }
        }
        let sign = negative ? 1 : 0
        let length: Int
        if exponent >= 0 {
            length = sign + count + exponent
        } else if count > -exponent {
            length = sign + count + 1
        } else {
            length = sign + 2 + (-exponent - count) + count
        }
        writer.varint(UInt64(length))
        writer.bytes.reserveCapacity(writer.bytes.count + length)
        if negative { writer.byte(0x2D) }
        withUnsafeBytes(of: &digits) { buffer in
            if exponent >= 0 {
                for i in stride(from: count - 1, through: 0, by: -1) { writer.byte(buffer[i]) }
                for _ in 0..<exponent { writer.byte(0x30) }
            } else if count > -exponent {
                let fraction = -exponent
                for i in stride(from: count - 1, through: 0, by: -1) {
                    if i == fraction - 1 { writer.byte(0x2E) }
                    writer.byte(buffer[i])
                }
            } else {
                writer.byte(0x30)
                writer.byte(0x2E)
                for _ in 0..<(-exponent - count) { writer.byte(0x30) }
                for i in stride(from: count - 1, through: 0, by: -1) { writer.byte(buffer[i]) }
            }
        }
        return true
    }

    static func parse(fast utf8: UnsafeRawBufferPointer) -> Decimal? {
        guard MemoryLayout<Decimal>.size == 20, !utf8.isEmpty, utf8.count <= 40 else { return nil }
        var index = 0
        let negative = utf8[0] == 0x2D
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var fraction = 0
        var seenPoint = false
        var digitsBeforePoint = 0
        while index < utf8.count {
            let c = utf8[index]
            index += 1
            if c == 0x2E {
                guard !seenPoint, digits > 0 else { return nil }
                seenPoint = true
                digitsBeforePoint = digits
                continue
            }
            guard c >= 0x30, c <= 0x39 else { return nil }
            digits += 1
            if mantissa != 0 || c != 0x30 { significant += 1 }
            guard significant <= 19 else { return nil }
            mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
            if seenPoint { fraction += 1 }
        }
        guard digits > 0, !seenPoint || digits > digitsBeforePoint else { return nil }
        if mantissa == 0 {
            // Plain "0" only: Foundation keeps a zero's decimals in its exponent, and "-0" is its own case.
            guard !negative, digits == 1, !seenPoint else { return nil }
            return Decimal()
        }
        var exponent = -fraction
        while mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        var length = 0
        var rest = mantissa
        while rest != 0 {
            length += 1
            rest >>= 16
        }
        var value = Decimal()
        withUnsafeMutableBytes(of: &value) { raw in
            raw[0] = UInt8(bitPattern: Int8(truncatingIfNeeded: exponent))
            raw[1] = UInt8(length << 4) | (negative ? 0x08 : 0) | 0x04
            raw[2] = 0
            raw[3] = 0
            var m = mantissa
            for word in 0..<8 {
                raw[4 + 2 * word] = UInt8(truncatingIfNeeded: m)
                raw[5 + 2 * word] = UInt8(truncatingIfNeeded: m >> 8)
                m >>= 16
            }
        }
        return value
    }

    // MARK: The layout check

    static let posix = Locale(identifier: "en_US_POSIX")

    /// Texts whose fast results must equal Foundation's (and which the fast paths must take).
    static let samples = [
        "0", "1", "-1", "7", "10", "100", "2500", "123.45", "-123.45", "1.5", "0.05", "-0.05", "0.001",
        "99.99", "65535", "65536", "4294967295", "4294967296", "123456789.123456789", "18446744073709551",
        "-9999999999999999999", "9223372036854775807", "0.0000000000000000001", "1234567890123456789",
    ]

    static func selfCheck() -> Bool {
        guard MemoryLayout<Decimal>.size == 20 else { return false }
        for text in samples {
            guard let foundation = Decimal(string: text, locale: posix) else { return false }
            let fast = Array(text.utf8).withUnsafeBytes { parse(fast: $0) }
            guard let fast, bytes(of: fast) == bytes(of: foundation), fast == foundation,
                  fastText(foundation) == foundation.description, foundation.description == text
            else { return false }
        }
        // Values as arithmetic leaves them (not compacted, trailing zeros kept) print the same too.
        let price = Decimal(string: "19.90", locale: posix) ?? 0
        for factor in [Decimal(3), Decimal(string: "0.5", locale: posix) ?? 0, Decimal(-7), Decimal(100)] {
            for value in [price * factor, price + factor, price - factor, factor / 4] {
                guard let text = fastText(value), text == value.description else { return false }
            }
        }
        return true
    }
}
