import EventSourcing
import Foundation

/// An ISO 4217 currency code (`USD`, `EUR`, `CNY`, …).
///
/// The type holds any three ASCII capitals, so every recorded event decodes whatever the platform's list
/// of codes says; commands check the code against ISO 4217 (``isISO4217``, ``Validate/currency(_:field:)``)
/// so a typo such as `XYZ` is refused before it is recorded.
public struct Currency: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        // Three ASCII capitals, checked on the bytes: the same as three Characters that are each ASCII and
        // uppercase (the one ASCII Character of two scalars, "\r\n", is not uppercase), without grapheme breaking.
        let utf8 = rawValue.utf8
        guard utf8.count == 3, utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        self.rawValue = rawValue
    }
    public var description: String { rawValue }

    /// Whether the code is an ISO 4217 currency code as Foundation lists them (current and historic, e.g.
    /// `USD`, `CNY`, `DEM`), other than `XXX` (no currency) and `XTS` (reserved for testing).
    public var isISO4217: Bool { Self.iso4217.contains(rawValue) }

    private static let iso4217: Set<String> = Set(Locale.Currency.isoCurrencies.map(\.identifier)).subtracting(["XXX", "XTS"])

    public static let usd = Currency(validCode: "USD")
    public static let eur = Currency(validCode: "EUR")
    public static let cny = Currency(validCode: "CNY")

    private init(validCode: String) { rawValue = validCode }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let currency = Currency(rawValue: code) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a currency code"))
        }
        self = currency
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An exact amount of money (never floating point).
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public var amount: Decimal
    public var currency: Currency

    public init(_ amount: Decimal, _ currency: Currency) {
        self.amount = amount
        self.currency = currency
    }

    public var description: String { "\(amount) \(currency)" }
}

/// The value of a field in a modification trail or a custom form field.
///
/// Codable by hand (a kind, then the value), so the positional binary coder and JSON both read it:
/// `{"kind":"money","value":"12.50 CNY"}`.
public enum FieldValue: Hashable, Sendable, Codable, CustomStringConvertible {
    case text(String)
    case number(Decimal)
    case money(Money)
    case date(LocalDate)
    case bool(Bool)
    /// One of an enumeration's allowed values.
    case option(String)
    case id(UUID)
    case list([String])

    private enum CodingKeys: String, CodingKey { case kind, value }

    public var kind: String {
        switch self {
        case .text: return "text"
        case .number: return "number"
        case .money: return "money"
        case .date: return "date"
        case .bool: return "bool"
        case .option: return "option"
        case .id: return "id"
        case .list: return "list"
        }
    }

    public var description: String {
        switch self {
        case .text(let v): return v
        case .number(let v): return "\(v)"
        case .money(let v): return v.description
        case .date(let v): return v.description
        case .bool(let v): return v ? "true" : "false"
        case .option(let v): return v
        case .id(let v): return v.lowercasedString
        case .list(let v): return v.joined(separator: ", ")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .text(let v): try c.encode(v, forKey: .value)
        case .number(let v): try c.encode(v, forKey: .value)
        case .money(let v): try c.encode(v, forKey: .value)
        case .date(let v): try c.encode(v, forKey: .value)
        case .bool(let v): try c.encode(v, forKey: .value)
        case .option(let v): try c.encode(v, forKey: .value)
        case .id(let v): try c.encode(v, forKey: .value)
        case .list(let v): try c.encode(v, forKey: .value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "text": self = .text(try c.decode(String.self, forKey: .value))
        case "number": self = .number(try c.decode(Decimal.self, forKey: .value))
        case "money": self = .money(try c.decode(Money.self, forKey: .value))
        case "date": self = .date(try c.decode(LocalDate.self, forKey: .value))
        case "bool": self = .bool(try c.decode(Bool.self, forKey: .value))
        case "option": self = .option(try c.decode(String.self, forKey: .value))
        case "id": self = .id(try c.decode(UUID.self, forKey: .value))
        case "list": self = .list(try c.decode([String].self, forKey: .value))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown field value kind \(other)")
        }
    }
}

/// One field's change in an edit: old → new (R-LOG-5). A nil side means the field was empty.
public struct FieldChange: Hashable, Sendable, Codable {
    public var field: String
    public var old: FieldValue?
    public var new: FieldValue?

    public init(field: String, old: FieldValue?, new: FieldValue?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

extension Array where Element == FieldChange {
    /// Appends a change for `field` when `old` and `new` differ; an edit that changes nothing records nothing.
    public mutating func record(_ field: String, _ old: FieldValue?, _ new: FieldValue?) {
        if old != new { append(FieldChange(field: field, old: old, new: new)) }
    }
}

/// Small input checks shared by the aggregates.
///
/// Texts come in two kinds. A single-line text (``text(_:field:max:)``: names, titles, codes, addresses,
/// identifiers) holds no control character at all (C0, DEL, C1), no line or paragraph separator
/// (U+2028, U+2029), no bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069) and
/// no invisible character that makes two names look alike (U+200B zero width space, U+2060–U+2064 word
/// joiner and invisible operators, U+FEFF, U+180E); the joiners U+200C/U+200D (ZWNJ, ZWJ), which Persian,
/// Indic scripts and emoji sequences need, are allowed inside it but not at its start or end. A multi-line
/// text (``multilineText(_:field:max:)``: notes, comments, bodies, reasons, summaries — free text) may also
/// hold line feeds, carriage returns and tabs, but no other control character. Both are trimmed of
/// surrounding white space and newlines first. The refusal names the field, never the value.
///
/// Edits that resend a whole record judge only what they change: the `unlessUnchangedFrom:` (and
/// `unlessAmong:`) variants take a value equal to what the record holds as it is, without the character
/// and ISO 4217 checks, so a record whose value was recorded before a check tightened (a title with a tab,
/// a currency `RMB`) stays editable; a changed value is judged as on creation. Emptiness and lengths are
/// checked either way.
public enum Validate {
    /// A trimmed, non-empty, single-line text of at most `max` characters, without control, direction or
    /// invisible characters (see ``Validate``).
    public static func text(_ value: String, field: String, max: Int = 200) throws(DomainError) -> String {
        try checked(value, field: field, max: max, multiline: false)
    }

    /// An optional single-line text: nil or blank becomes nil; otherwise checked like ``text(_:field:max:)``.
    public static func optionalText(_ value: String?, field: String, max: Int = 2000) throws(DomainError) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return try text(value, field: field, max: max)
    }

    /// A trimmed, non-empty free text of at most `max` characters: line breaks and tabs are allowed, other
    /// control characters (and U+2028, U+2029) are not.
    public static func multilineText(_ value: String, field: String, max: Int = 2000) throws(DomainError) -> String {
        try checked(value, field: field, max: max, multiline: true)
    }

    /// An optional free text: nil or blank becomes nil; otherwise checked like ``multilineText(_:field:max:)``.
    public static func optionalMultilineText(_ value: String?, field: String, max: Int = 2000) throws(DomainError) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return try multilineText(value, field: field, max: max)
    }

    /// Refuses the characters a text of its kind must not hold (see ``Validate``), for texts checked
    /// elsewhere (a survey answer, a custom field value): a single-line text also may not start or end
    /// (white space aside) with U+200C/U+200D.
    public static func characters(of value: String, field: String, multiline: Bool) throws(DomainError) {
        for scalar in value.unicodeScalars where isRefused(scalar, multiline: multiline) {
            throw .invalid(field, multiline ? "must not contain control characters other than line breaks and tabs"
                                            : "must be a single line without control or invisible characters")
        }
        guard !multiline else { return }
        let scalars = value.unicodeScalars
        let visible = { (scalar: Unicode.Scalar) in !CharacterSet.whitespacesAndNewlines.contains(scalar) }
        if let first = scalars.first(where: visible), let last = scalars.last(where: visible),
           isJoiner(first) || isJoiner(last) {
            throw .invalid(field, "must not start or end with a zero width joiner or non-joiner")
        }
    }

    /// Whether `scalar` may not appear in a text of the kind: a control character (general category Cc:
    /// U+0000–U+001F, U+007F, U+0080–U+009F) or U+2028/U+2029; a multi-line text may hold LF, CR and tab.
    /// A single-line text also holds no bidirectional embedding, override or isolate (U+202A–U+202E,
    /// U+2066–U+2069), which can make a name display as another ("Trojan source"), and no invisible
    /// character that lets two names look identical: U+200B (zero width space), U+2060–U+2064 (word joiner,
    /// invisible operators), U+FEFF (byte order mark, zero width no-break space) and U+180E (Mongolian vowel
    /// separator). The marks U+200E/U+200F and the joiners U+200C/U+200D stay allowed (the joiners not at
    /// the ends, see ``characters(of:field:multiline:)``); free text may hold all of them.
    static func isRefused(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0D, 0x09, 0x202A...0x202E, 0x2066...0x2069, 0x200B, 0x2060...0x2064, 0xFEFF, 0x180E: return !multiline
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// U+200C (zero width non-joiner) or U+200D (zero width joiner).
    private static func isJoiner(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x200C || scalar.value == 0x200D
    }

    private static func checked(_ value: String, field: String, max: Int, multiline: Bool,
                                recorded: (String) -> String? = { _ in nil }) throws(DomainError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(field, "must not be empty") }
        let result: String
        if let unchanged = recorded(value) ?? recorded(trimmed) {
            result = unchanged
        } else {
            try characters(of: trimmed, field: field, multiline: multiline)
            result = trimmed
        }
        guard result.count <= max else { throw .invalid(field, "must be at most \(max) characters") }
        return result
    }

    /// A currency a command brings in: an ISO 4217 code (see ``Currency/isISO4217``).
    @discardableResult
    public static func currency(_ currency: Currency, field: String) throws(DomainError) -> Currency {
        guard currency.isISO4217 else { throw .invalid(field, "is not an ISO 4217 currency code") }
        return currency
    }

    /// An IANA time zone id.
    public static func timeZone(_ id: String, field: String) throws(DomainError) -> String {
        guard TimeZone(identifier: id) != nil else { throw .invalid(field, "unknown time zone") }
        return id
    }
}

// Whole-record edits: a value the record already holds is not judged again (see ``Validate``).
extension Validate {
    /// Like ``text(_:field:max:)``, but a value equal (before or after trimming) to `old`, what the record
    /// holds now, is kept as recorded without the character checks, so a value recorded before a check
    /// tightened survives an edit that resends it. Empty and too long values are refused either way.
    public static func text(_ value: String, field: String, max: Int = 200, unlessUnchangedFrom old: String?) throws(DomainError) -> String {
        try checked(value, field: field, max: max, multiline: false) { $0 == old ? old : nil }
    }

    /// Like ``text(_:field:max:unlessUnchangedFrom:)`` for a list field: a value equal to one of the values
    /// the record holds (`recorded`) is kept as recorded.
    public static func text(_ value: String, field: String, max: Int = 200, unlessAmong recorded: some Collection<String>) throws(DomainError) -> String {
        try checked(value, field: field, max: max, multiline: false) { candidate in recorded.first { $0 == candidate } }
    }

    /// Like ``optionalText(_:field:max:)``, but a value equal to `old` is kept as recorded (see
    /// ``text(_:field:max:unlessUnchangedFrom:)``).
    public static func optionalText(_ value: String?, field: String, max: Int = 2000, unlessUnchangedFrom old: String?) throws(DomainError) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return try text(value, field: field, max: max, unlessUnchangedFrom: old)
    }

    /// Like ``characters(of:field:multiline:)``, but a value equal to one the record holds (`recorded`) is not checked.
    public static func characters(of value: String, field: String, multiline: Bool, unlessAmong recorded: some Collection<String>) throws(DomainError) {
        guard !recorded.contains(value) else { return }
        try characters(of: value, field: field, multiline: multiline)
    }

    /// Like ``currency(_:field:)``, but the currency the record holds now (`old`) is taken as it is, so an
    /// edit of a record priced in a code recorded before the ISO 4217 check (`RMB`) keeps working.
    @discardableResult
    public static func currency(_ currency: Currency, field: String, unlessUnchangedFrom old: Currency?) throws(DomainError) -> Currency {
        guard currency != old else { return currency }
        return try self.currency(currency, field: field)
    }
}

// Money amounts and quantities.
extension Validate {
    /// The bound, either way, of every money amount and quantity a command brings in (prices, revenue,
    /// budgets, costs, fees, line quantities, custom number and money values): no real one comes near 10^15
    /// in any currency or unit (a typo or a unit error does), and sums of such stay exact in a `Decimal`.
    public static let largestAmount = Decimal(string: "1000000000000000") ?? 1

    /// A money amount or a quantity a command brings in: a number less than ``largestAmount`` either way
    /// (the sign is the command's own rule). Recorded events are not judged again; in a whole-record edit,
    /// the amount the record holds now (`old`) is taken as it is (see ``Validate``).
    @discardableResult
    public static func amount(_ value: Decimal, field: String, unlessUnchangedFrom old: Decimal? = nil) throws(DomainError) -> Decimal {
        guard value != old || value.isNaN else { return value }
        guard !value.isNaN, abs(value) < largestAmount else { throw .invalid(field, "must be less than 10^15 either way") }
        return value
    }
}

extension Decimal {
    /// `text` as a decimal number when the whole of it is one: an optional sign, digits with at most one
    /// decimal point, and (with `exponent`) an optional exponent such as `e3`. Nil for anything else
    /// (`1-2`, `3-`, `1.2.3`, `12abc`), which `Decimal(string:)` alone reads in part, and for a number a
    /// `Decimal` cannot hold exactly (``isExact(_:)``), which it rounds.
    public init?(wholeText text: some StringProtocol, exponent: Bool = true) {
        let bytes = Array(text.utf8)
        var i = 0
        func sign() { if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 } }
        func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        sign()
        var count = digits()
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            count += digits()
        }
        guard count > 0 else { return nil }
        if exponent, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            sign()
            guard digits() > 0 else { return nil }
        }
        guard i == bytes.count, bytes.withUnsafeBytes(Decimal.isExact),
              let number = Decimal(string: String(text), locale: Locale(identifier: "en_US_POSIX")), !number.isNaN else {
            return nil
        }
        self = number
    }

    /// The largest significand a `Decimal` holds (2^128 − 1), as digits.
    private static let largestSignificand = Array("340282366920938463463374607431768211455".utf8)

    /// Whether a number (an optional sign, digits with at most one point, an optional exponent) is one a
    /// `Decimal` holds exactly: its significant digits (from the first non-zero digit to the last) at most
    /// 2^128 − 1, the place of its last one from 10^-128 to 10^127.
    /// Zero always is. `Decimal(string:)` rounds longer numbers to 38 digits without a word; the JSON reader of
    /// request bodies and ``init(wholeText:exponent:)`` refuse them instead.
    public static func isExact(_ number: UnsafeRawBufferPointer) -> Bool {
        // The digits before any exponent: the first and last non-zero one, how many digits follow the point.
        var first: Int?
        var last = 0
        var point: Int?
        var end = number.count
        for i in 0..<number.count {
            switch number[i] {
            case UInt8(ascii: "1")...UInt8(ascii: "9"):
                if first == nil { first = i }
                last = i
            case UInt8(ascii: "."): point = i
            case UInt8(ascii: "e"), UInt8(ascii: "E"): end = i
            default: break  // a sign or zero
            }
            if end != number.count { break }
        }
        guard let first else { return true }
        var exponent = 0
        var negative = false
        for byte in number[min(end + 1, number.count)...] {
            switch byte {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), 100_000)
            default: break
            }
        }
        // The place of the last significant digit: 10^place.
        let digitPlace: Int
        if let point, last > point { digitPlace = point - last } else { digitPlace = (point ?? end) - last - 1 }
        let place = (negative ? -exponent : exponent) + digitPlace
        guard (-128...127).contains(place) else { return false }
        let spansPoint = point.map { first < $0 && $0 < last } ?? false
        let count = last - first + 1 - (spansPoint ? 1 : 0)
        guard count >= largestSignificand.count else { return true }
        guard count == largestSignificand.count else { return false }
        let digits = number[first...last].lazy.filter { $0 != UInt8(ascii: ".") }
        return !largestSignificand.lexicographicallyPrecedes(digits)
    }
}
