import Foundation

/// Paging cursors as opaque URL-safe texts, shared by the console and the HTTP API (CRMHTTP imports this
/// module; the reverse would be a cycle): the raw key bytes a list pages after (a view's key, an in-memory
/// list's sort key) and a 4-byte check of them and of the list they belong to, base64url without padding.
/// The check lets ``bytes(_:list:)`` refuse any text this server did not write for that list (a typo, a
/// tampered link, a cursor of another list or of the same list with other filters) instead of paging from
/// wherever its bytes happen to point. `list` names the list: its path and the parameters that define it.
///
/// Opaque in form only: base64 hides nothing, and cursors land in URLs, browser history and proxy logs. So
/// a key holds no personal data — ids, times, positions, codes — never a name or other text a record is
/// sorted by: a list in name order pages after the last row's id (``text(id:list:)``, ``id(_:list:)``) and
/// finds its place by that id.
public enum PageCursor {
    /// A text that is not a cursor ``text(_:list:)`` wrote for the list.
    public struct Refused: Error, Sendable {}

    /// The longest cursor text read.
    public static let maxLength = 2048

    /// `bytes` as a cursor text of `list`.
    public static func text(_ bytes: [UInt8], list: String) -> String {
        Data(bytes + check(bytes, list: list)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A cursor text back to its bytes: nil when absent or empty (the first page); ``Refused`` when it is not
    /// a text ``text(_:list:)`` wrote for `list`.
    public static func bytes(_ text: String?, list: String) throws(Refused) -> [UInt8]? {
        guard let text, !text.isEmpty else { return nil }
        guard text.utf8.count <= maxLength, text.utf8.allSatisfy(isCursorCharacter) else { throw Refused() }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s), data.count >= 4 else { throw Refused() }
        let all = Array(data)
        let bytes = Array(all.dropLast(4))
        // The check, and the canonical text (no stray bits in the last character): only what text(_:list:) wrote.
        guard Array(all.suffix(4)) == check(bytes, list: list), Self.text(bytes, list: list) == text else { throw Refused() }
        return bytes
    }

    /// A record id as the key of a cursor: its 16 bytes.
    public static func key(_ id: UUID) -> [UInt8] { withUnsafeBytes(of: id.uuid) { Array($0) } }

    /// The cursor text of `list` that pages after the record `id` (``key(_:)``).
    public static func text(id: UUID, list: String) -> String { text(key(id), list: list) }

    /// A cursor text of `list` back to the record id it pages after: nil when absent or empty (the first
    /// page); ``Refused`` when it is not a text ``text(id:list:)`` wrote for `list`.
    public static func id(_ text: String?, list: String) throws(Refused) -> UUID? {
        guard let bytes = try bytes(text, list: list) else { return nil }
        guard bytes.count == 16 else { throw Refused() }
        return bytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }

    private static func isCursorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    /// FNV-1a (32 bits) of the bytes behind a fixed label and the list's name: a check of form, not a secret.
    private static func check(_ bytes: [UInt8], list: String) -> [UInt8] {
        var hash: UInt32 = 0x811C_9DC5
        for byte in Array("crm-cursor-2".utf8) + Array(list.utf8) + [0] + bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return [UInt8(truncatingIfNeeded: hash >> 24), UInt8(truncatingIfNeeded: hash >> 16), UInt8(truncatingIfNeeded: hash >> 8),
                UInt8(truncatingIfNeeded: hash)]
    }
}
