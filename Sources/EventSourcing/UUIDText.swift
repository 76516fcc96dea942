import Foundation

extension UUID {
    /// The lowercase 36-character form (`019ac993-b359-7056-a44b-64406e42c19e`), written directly from the
    /// bytes: the same text as `uuidString.lowercased()`, without Foundation's formatter and a second string.
    public var lowercasedString: String {
        let hex: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var o = 0
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = UInt8(ascii: "-"); o += 1 }
                    out[o] = hex.utf8Start[Int(byte >> 4)]
                    out[o + 1] = hex.utf8Start[Int(byte & 0x0F)]
                    o += 2
                }
                return o
            }
        }
    }

    /// Reads the 36-character form in either case, as `UUID(text:)` does (nil for anything else),
    /// without its `sscanf`.
    public init?(text: some StringProtocol) {
        let parsed: uuid_t?? = text.utf8.withContiguousStorageIfAvailable { UUID.parse(UnsafeRawBufferPointer($0)) }
        guard let value = parsed ?? Array(text.utf8).withUnsafeBytes({ UUID.parse($0) }) else { return nil }
        self.init(uuid: value)
    }

    private static func parse(_ chars: UnsafeRawBufferPointer) -> uuid_t? {
        guard chars.count == 36 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let valid = withUnsafeMutableBytes(of: &value) { out -> Bool in
            var index = 0
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    guard chars[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return false }
                out[i] = high << 4 | low
                index += 2
            }
            return true
        }
        return valid ? value : nil
    }
}
