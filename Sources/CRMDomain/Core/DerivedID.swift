import Foundation

extension UUID {
    /// A reproducible id derived from its cause (ARCHITECTURE decision 7): the same `parts` always give the
    /// same id, so a reminder generated twice for one day, a replayed reaction or a second node never
    /// duplicates a record. A UUIDv8 (RFC 9562) built from two independent 64-bit FNV-1a hashes of the
    /// parts, joined by a separator byte that cannot occur in UTF-8.
    ///
    /// ```swift
    /// let id = UUID.derived("reminder", "birthday", customerID.uuidString, "2026-11-25")
    /// ```
    public static func derived(_ parts: String...) -> UUID {
        derived(parts)
    }

    public static func derived(_ parts: [String]) -> UUID {
        var a: UInt64 = 0xCBF2_9CE4_8422_2325
        var b: UInt64 = 0x6C62_272E_07BB_0142
        func mix(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37_79B9
        }
        for part in parts {
            for byte in part.utf8 { mix(byte) }
            mix(0xFF)
        }
        // Finalise both halves so similar inputs spread over the whole id.
        func finalise(_ v: UInt64) -> UInt64 {
            var z = v
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let hi = finalise(a)
        let lo = finalise(b ^ hi)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
