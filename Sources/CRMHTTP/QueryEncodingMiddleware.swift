import Hummingbird

/// Refuses a query string whose parameters are not text: a name or value whose percent-decoded bytes are
/// not UTF-8 (`%FF`, or raw bytes that spell no character, which ``RawRequestTargetEncoder`` passed on
/// percent-encoded) answers 400 `invalid-query` naming the parameter, where the query parameters would
/// otherwise read it with U+FFFD in place of each bad byte and search or filter by that. A `%` not followed
/// by two hex digits stays as it is, as before.
struct QueryEncodingMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let query = request.uri.query, query.utf8.contains(UInt8(ascii: "%")) { try Self.check(query) }
        return try await next(request, context)
    }

    static func check(_ query: String) throws {
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.contains(where: { String(validating: decoded($0), as: UTF8.self) == nil }) else { continue }
            throw Problem("invalid-query", .badRequest,
                          "a query parameter is not UTF-8 text: send text as UTF-8, percent-encoded (RFC 3986), e.g. 张 as %E5%BC%A0",
                          field: parts.first.flatMap(fieldName))
        }
    }

    /// The bytes `component` percent-decodes to; a `%` without two hex digits after it stays a `%`.
    static func decoded(_ component: Substring.UTF8View) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(component.count)
        var index = component.startIndex
        while index < component.endIndex {
            let byte = component[index]
            if byte == UInt8(ascii: "%"), let high = hex(component, component.index(after: index)),
               let low = hex(component, component.index(index, offsetBy: 2, limitedBy: component.endIndex)) {
                out.append(high << 4 | low)
                index = component.index(index, offsetBy: 3)
            } else {
                out.append(byte)
                index = component.index(after: index)
            }
        }
        return out
    }

    private static func hex(_ component: Substring.UTF8View, _ index: Substring.UTF8View.Index?) -> UInt8? {
        guard let index, index < component.endIndex else { return nil }
        switch component[index] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return component[index] - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return component[index] - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return component[index] - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The parameter's name to name in the answer: only a short name of letters, digits, `_`, `.` and `-`
    /// (a name a client made up of other text is not repeated back).
    private static func fieldName(_ name: Substring.UTF8View) -> String? {
        let text = String(decoding: decoded(name), as: UTF8.self)
        guard (1...64).contains(text.utf8.count), text.utf8.allSatisfy({
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D
        }) else { return nil }
        return text
    }
}
