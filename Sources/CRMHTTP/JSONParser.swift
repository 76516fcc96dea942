import CRMDomain
import Foundation

/// A strict JSON reader (RFC 8259) for request bodies, straight from the received bytes into ``JSONValue``:
/// Foundation's `JSONDecoder` into the same enum tried each case in turn and threw on every miss, which made
/// it the costliest step of a small write. Numbers keep their decimal digits (`Decimal`), strings must be
/// valid UTF-8 without raw control characters, nesting stops at ``maxDepth``, nothing may follow the value.
/// An object that names a key twice is refused (which of the two counts is not for a reader to guess).
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"name": "Li Wei"}"#.utf8))   // .object(["name": .string("Li Wei")])
/// ```
struct JSONParser {
    struct Malformed: Error, Equatable {
        /// Byte offset where reading stopped.
        let offset: Int
        /// Whether the input was well formed but an object named a key twice.
        var duplicateKey = false
        /// Whether the input was well formed but held a number a `Decimal` cannot hold exactly (see
        /// `Decimal.isExact(_:)`): refused, never rounded.
        var inexactNumber = false
        /// Where that number was, as `a.b[2].c` (nil when the whole input was the number).
        var field: String?

        /// The error as seen from the object member `key` (or the array item `[index]`) holding the value.
        func within(_ step: String) -> Malformed {
            guard inexactNumber else { return self }
            var error = self
            error.field = step + (field.map { $0.hasPrefix("[") ? $0 : "." + $0 } ?? "")
            return error
        }
    }

    /// The deepest nesting of arrays and objects accepted (deeper input is refused, never a stack overflow).
    static let maxDepth = 128

    private static let posix = Locale(identifier: "en_US_POSIX")

    static func parse(_ bytes: some Collection<UInt8>) throws(Malformed) -> JSONValue {
        let result: Result<JSONValue, Malformed>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Malformed) -> JSONValue in try parse(buffer: UnsafeRawBufferPointer(buffer)) }
        }
        switch result ?? Array(bytes).withUnsafeBytes({ buffer in Result { () throws(Malformed) -> JSONValue in try parse(buffer: buffer) } }) {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }

    private static func parse(buffer: UnsafeRawBufferPointer) throws(Malformed) -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == buffer.count else { throw Malformed(offset: parser.index) }
        return value
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func fail() -> Malformed { Malformed(offset: index) }

    private mutating func expect(_ literal: StaticString) throws(Malformed) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail() }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { throw fail() }
        index += count
    }

    private mutating func value(depth: Int) throws(Malformed) -> JSONValue {
        guard let byte = current else { throw fail() }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail()
        }
    }

    private mutating func object(depth: Int) throws(Malformed) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail() }
        index += 1  // {
        var fields: [String: JSONValue] = [:]
        skipSpace()
        if current == UInt8(ascii: "}") { index += 1; return .object(fields) }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else { throw fail() }
            let keyStart = index
            let key = try string()
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw fail() }
            index += 1
            skipSpace()
            let member: JSONValue
            do { member = try value(depth: depth) } catch { throw error.within(key) }
            guard fields.updateValue(member, forKey: key) == nil else {
                throw Malformed(offset: keyStart, duplicateKey: true)
            }
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(fields)
            default: throw fail()
            }
        }
    }

    private mutating func array(depth: Int) throws(Malformed) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail() }
        index += 1  // [
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipSpace()
            do { items.append(try value(depth: depth)) } catch { throw error.within("[\(items.count)]") }
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw fail()
            }
        }
    }

    /// A string starting at its opening quote.
    private mutating func string() throws(Malformed) -> String {
        index += 1  // "
        let start = index
        // The common case: no escapes — the bytes between the quotes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                    throw Malformed(offset: start)
                }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fail() }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw Malformed(offset: start) }
                index += 1
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard let escape = current else { throw fail() }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail() }
                    if let encoded = UTF8.encode(unicode) { out.append(contentsOf: encoded) }
                default: throw fail()
                }
            default:
                guard byte >= 0x20 else { throw fail() }
                out.append(byte)
                index += 1
            }
        }
        throw fail()
    }

    private mutating func hex4() throws(Malformed) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A number by JSON's grammar, kept exactly as `Decimal`; one a `Decimal` cannot hold exactly (`Decimal.isExact(_:)`)
    /// is refused (``Malformed/inexactNumber``) rather than rounded to 38 digits.
    private mutating func number() throws(Malformed) -> Decimal {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while let byte = parser.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { parser.index += 1 }
            return parser.index - from
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits(&self) > 0 else { throw fail() }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw fail() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw fail() }
        }
        let number = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        let inexact = Malformed(offset: start, inexactNumber: true)
        guard Decimal.isExact(number) else { throw inexact }
        let text = String(decoding: number, as: UTF8.self)
        // `Decimal(string:)` reads no zero with an exponent out of its range (`0e999`), which is still zero.
        guard let value = Decimal(string: text, locale: Self.posix) ?? (Self.isZero(number) ? 0 : nil), !value.isNaN else { throw inexact }
        return value
    }

    /// Whether a number of JSON's grammar has no non-zero digit before its exponent.
    private static func isZero(_ number: UnsafeRawBufferPointer) -> Bool {
        for byte in number {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return true }
            if (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(byte) { return false }
        }
        return true
    }
}
