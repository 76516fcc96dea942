import EventSourcing
import Foundation

/// An ISO 4217 currency code (`USD`, `EUR`, `CNY`, …).
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
public enum Validate {
    /// A trimmed, non-empty text of at most `max` characters.
    public static func text(_ value: String, field: String, max: Int = 200) throws(DomainError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(field, "must not be empty") }
        guard trimmed.count <= max else { throw .invalid(field, "must be at most \(max) characters") }
        return trimmed
    }

    /// An optional text: nil or empty becomes nil; otherwise checked like ``text(_:field:max:)``.
    public static func optionalText(_ value: String?, field: String, max: Int = 2000) throws(DomainError) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return try text(value, field: field, max: max)
    }

    /// An IANA time zone id.
    public static func timeZone(_ id: String, field: String) throws(DomainError) -> String {
        guard TimeZone(identifier: id) != nil else { throw .invalid(field, "unknown time zone") }
        return id
    }
}

extension Decimal {
    /// `text` as a decimal number when the whole of it is one: an optional sign, digits with at most one
    /// decimal point, and (with `exponent`) an optional exponent such as `e3`. Nil for anything else
    /// (`1-2`, `3-`, `1.2.3`, `12abc`), which `Decimal(string:)` alone reads in part.
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
        guard i == bytes.count, let number = Decimal(string: String(text), locale: Locale(identifier: "en_US_POSIX")), !number.isNaN else {
            return nil
        }
        self = number
    }
}
