import CRMDomain
import EventSourcing
import Foundation
import Hummingbird

/// Any JSON value, decoded without a target type so that the adapter can name the field at fault.
enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode([String: JSONValue].self) { self = .object(value); return }
        self = .number(try container.decode(Decimal.self))
    }

    /// The value with every money amount (an object of exactly `amount`, a number, and `currency`, a string)
    /// as an exact decimal string.
    func moneyAsText() -> JSONValue {
        switch self {
        case .object(let members):
            if members.count == 2, case .number(let amount)? = members["amount"], case .string? = members["currency"] {
                var money = members
                money["amount"] = .string("\(amount)")
                return .object(money)
            }
            return .object(members.mapValues { $0.moneyAsText() })
        case .array(let items): return .array(items.map { $0.moneyAsText() })
        default: return self
        }
    }

    /// Why a number the JSON reader refuses (``JSONParser/Malformed/inexactNumber``) is refused.
    static let inexactNumber = "is a number that cannot be kept exactly: at most 38 significant digits, from 10^-128 to 10^127"

    /// The one reading of a money amount in a request body: a JSON number, or an exact decimal string as
    /// answers write amounts (`"12.50"`); `field` names the amount (`expectedRevenue.amount`) in the 400.
    static func moneyAmount(_ value: JSONValue?, field: String) throws -> Decimal {
        let expected = "required: a number or a decimal string such as \"12.50\""
        switch value {
        case .number(let number)?: return number
        case .string(let text)?:
            do {
                guard case .number(let number) = try JSONParser.parse(Array(text.utf8)), text.first.map({ $0 == "-" || $0.isNumber }) == true,
                      text.last?.isNumber == true else {
                    throw Problem.invalid(field, expected)
                }
                return number
            } catch let error as JSONParser.Malformed {
                throw Problem.invalid(field, error.inexactNumber ? inexactNumber : expected)
            }
        default: throw Problem.invalid(field, expected)
        }
    }

    /// The value with every money amount written as a decimal string (an object of `amount`, a string, and
    /// `currency`, a string, as answers write money) read as a number by ``moneyAmount(_:field:)``, for a domain
    /// type's Codable form; a string that is no decimal number is refused naming it (`path.amount`). Only a fast
    /// path for the commonest case: ``decode(_:_:field:)`` reads any other `Decimal` member written as a string.
    func moneyAsNumbers(path: String) throws -> JSONValue {
        switch self {
        case .object(let members):
            if case .string? = members["currency"], case .string? = members["amount"] {
                var money = members
                money["amount"] = .number(try Self.moneyAmount(members["amount"], field: Self.memberName(path + ".amount")))
                return .object(money)
            }
            var result: [String: JSONValue] = [:]
            for (key, member) in members { result[key] = try member.moneyAsNumbers(path: path + "." + key) }
            return .object(result)
        case .array(let items):
            return .array(try items.enumerated().map { index, item in try item.moneyAsNumbers(path: path + "[\(index)]") })
        default: return self
        }
    }

    /// What the value is, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object read strictly, field by field: a missing required field, a wrong type, an unknown field
/// or an invalid value each throw a 400 problem naming the field (with its path: `details.title`).
///
/// ```swift
/// let body = try await JSONObjectReader.read(request, context: context, limit: 65_536)
/// let name = try body.string("name")
/// try body.finish()   // refuses fields nobody read
/// ```
final class JSONObjectReader {
    private let fields: [String: JSONValue]
    private let path: String
    private var read: Set<String> = []

    init(_ fields: [String: JSONValue], path: String = "") {
        self.fields = fields
        self.path = path
    }

    /// The request's body as a JSON object: at most `limit` bytes (413 beyond), sent as `application/json`
    /// (415 for another type, or a body without `Content-Type`), JSON syntax (400 `malformed-json`), an
    /// object at the top.
    static func read(_ request: Request, limit: Int) async throws -> JSONObjectReader {
        let type = request.headers[.contentType]
        if let type, !isJSONMediaType(type) { throw unsupportedMediaType }
        var request = request
        let buffer = try await request.collectBody(limitedTo: limit)
        // A command without fields may be sent without a body (and then without a type).
        if buffer.readableBytes == 0 { return JSONObjectReader([:]) }
        if type == nil { throw unsupportedMediaType }
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            // `error` is a JSONParser.Malformed (typed throws).
            if error.inexactNumber { throw Problem.invalid(error.field ?? "body", JSONValue.inexactNumber) }
            throw Problem.malformed(error.duplicateKey ? "an object in the body names a key twice" : "the body is not valid JSON")
        }
        guard case .object(let fields) = value else { throw Problem.malformed("the body must be a JSON object, not \(value.kind)") }
        return JSONObjectReader(fields)
    }

    static let unsupportedMediaType = Problem("unsupported-media-type", .unsupportedMediaType,
                                              "send the body as application/json (charset utf-8 if any)")

    /// Whether a `Content-Type` value is `application/json` (any case) with optional parameters, of which a
    /// `charset` must be `utf-8`: `application/jsonx`, `application/json-patch+json` or another charset are not.
    static func isJSONMediaType(_ value: String) -> Bool {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        guard let type = parts.first, type.trimmingCharacters(in: .whitespaces).lowercased() == "application/json" else { return false }
        for parameter in parts.dropFirst() {
            let trimmed = parameter.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { return false }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var parameterValue = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !parameterValue.isEmpty else { return false }
            if name == "charset" {
                if parameterValue.count >= 2, parameterValue.hasPrefix("\""), parameterValue.hasSuffix("\"") {
                    parameterValue = String(parameterValue.dropFirst().dropLast())
                }
                guard parameterValue.lowercased() == "utf-8" else { return false }
            }
        }
        return true
    }

    private func name(_ key: String) -> String { path + key }

    /// The value of `key`, nil when absent or null.
    private func value(_ key: String) -> JSONValue? {
        read.insert(key)
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    /// Every field, sorted by key, all counted as read (a map of free keys such as custom fields).
    func all() -> [(key: String, value: JSONValue)] {
        read.formUnion(fields.keys)
        return fields.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// Whether the body names `key` at all (null included).
    func has(_ key: String) -> Bool { fields[key] != nil }

    /// The body member an engine error's `field` stands for: the engine names a record's id by the domain's
    /// name (`customerID`), a body by its own (`customerId`), so a field the body does not hold as such but
    /// holds with `Id` (or `Ids`) for `ID` (`IDs`) is named as the body has it; any other field as it is.
    func memberName(forEngineField field: String) -> String {
        guard fields[field] == nil else { return name(field) }
        for (engine, body) in [("IDs", "Ids"), ("ID", "Id")] where field.hasSuffix(engine) {
            let member = String(field.dropLast(engine.count)) + body
            if fields[member] != nil { return name(member) }
        }
        return field
    }

    /// Refuses any field no accessor asked for.
    func finish() throws {
        if let unknown = fields.keys.filter({ !read.contains($0) }).sorted().first {
            throw Problem.invalid(name(unknown), "unknown field")
        }
    }

    func optionalString(_ key: String, max: Int = 10_000) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw Problem.invalid(name(key), "expected a string, got \(value.kind)") }
        guard text.count <= max else { throw Problem.invalid(name(key), "at most \(max) characters") }
        return text
    }

    func string(_ key: String, max: Int = 10_000) throws -> String {
        guard let text = try optionalString(key, max: max) else { throw Problem.invalid(name(key), "required") }
        return text
    }

    func optionalUUID(_ key: String) throws -> UUID? {
        guard let text = try optionalString(key, max: 64) else { return nil }
        guard let id = UUID(text: text) else { throw Problem.invalid(name(key), "expected a UUID") }
        return id
    }

    func uuid(_ key: String) throws -> UUID {
        guard let id = try optionalUUID(key) else { throw Problem.invalid(name(key), "required") }
        return id
    }

    func optionalDate(_ key: String) throws -> Date? {
        guard let text = try optionalString(key, max: 64) else { return nil }
        guard let date = parseInstant(text) else { throw Problem.invalid(name(key), "expected an RFC 3339 instant, e.g. 2026-03-01T09:00:00Z") }
        return date
    }

    func date(_ key: String) throws -> Date {
        guard let date = try optionalDate(key) else { throw Problem.invalid(name(key), "required") }
        return date
    }

    func optionalDay(_ key: String) throws -> LocalDate? {
        guard let text = try optionalString(key, max: 32) else { return nil }
        guard let day = LocalDate(text) else { throw Problem.invalid(name(key), "expected a date YYYY-MM-DD") }
        return day
    }

    func optionalEnum<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try optionalString(key, max: 64) else { return nil }
        guard let value = T(rawValue: text) else {
            throw Problem.invalid(name(key), "expected one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    func enumValue<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T where T.RawValue == String {
        guard let value = try optionalEnum(key, type) else { throw Problem.invalid(name(key), "required") }
        return value
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value else { throw Problem.invalid(name(key), "expected a number, got \(value.kind)") }
        var rounded = Decimal()
        var copy = number
        NSDecimalRound(&rounded, &copy, 0, .plain)
        guard rounded == number, number >= Decimal(range.lowerBound), number <= Decimal(range.upperBound) else {
            throw Problem.invalid(name(key), "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return NSDecimalNumber(decimal: number).intValue
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try optionalInt(key, in: range) else { throw Problem.invalid(name(key), "required") }
        return value
    }

    func optionalStrings(_ key: String, max: Int = 100) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value, items.count <= max else { throw Problem.invalid(name(key), "expected an array of at most \(max) strings") }
        return try items.enumerated().map { index, item in
            guard case .string(let text) = item else { throw Problem.invalid(name(key) + "[\(index)]", "expected a string, got \(item.kind)") }
            return text
        }
    }

    /// A nested object, read with the same strictness (its fields named `key.field`).
    func optionalObject(_ key: String) throws -> JSONObjectReader? {
        guard let value = value(key) else { return nil }
        guard case .object(let fields) = value else { throw Problem.invalid(name(key), "expected an object, got \(value.kind)") }
        return JSONObjectReader(fields, path: name(key) + ".")
    }

    func optionalArray(_ key: String, max: Int = 100) throws -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value, items.count <= max else { throw Problem.invalid(name(key), "expected an array of at most \(max) items") }
        return items
    }

    /// A member of an edit (a `PATCH` body, where an absent member keeps its value and null clears one that may
    /// be cleared, ``patch(_:_:)``) that cannot be cleared: absent keeps it, a value sets it, and null is a 400
    /// naming it — never read as "keep", which would answer a caller meaning to clear it with a success that
    /// changed nothing. Elsewhere an optional member's null reads as absent (its default).
    func unclearableString(_ key: String, max: Int = 10_000) throws -> String? {
        try refuseNull(key)
        return try optionalString(key, max: max)
    }

    /// ``unclearableString(_:max:)`` for a member naming one of an enumeration's values.
    func unclearableEnum<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        try refuseNull(key)
        return try optionalEnum(key, type)
    }

    private func refuseNull(_ key: String) throws {
        guard fields[key] == .null else { return }
        read.insert(key)
        throw Problem.invalid(name(key), "cannot be cleared (null); leave it out to keep it")
    }

    /// An edit of an optional field: absent keeps it, null clears it, a value sets it.
    func patch<T: Sendable & Equatable>(_ key: String, _ parse: (String) throws -> T?) throws -> ProfilePatch<T> {
        guard has(key) else { read.insert(key); return .keep }
        guard let text = try optionalString(key) else { return .clear }
        guard let parsed = try parse(text) else { throw Problem.invalid(name(key), "invalid value") }
        return .set(parsed)
    }

    /// A nested value of a domain type read by its Codable form (the domain's field names, e.g.
    /// `{"amount": 12.5, "currency": "CNY"}` for money): a wrong type, a missing member or an invalid value
    /// is a 400 naming the member's path, and members the type does not know are refused like unknown fields.
    func optionalDecoded<T: Codable>(_ key: String, _ type: T.Type) throws -> T? {
        guard let value = value(key) else { return nil }
        return try JSONValue.decode(value, T.self, field: name(key))
    }

    /// The whole object as a domain value (see ``optionalDecoded(_:_:)``); every field counts as read.
    func decodedAll<T: Codable>(_ type: T.Type) throws -> T {
        read.formUnion(fields.keys)
        return try JSONValue.decode(.object(fields), T.self, field: path)
    }

    func decoded<T: Codable>(_ key: String, _ type: T.Type) throws -> T {
        guard let value = try optionalDecoded(key, type) else { throw Problem.invalid(name(key), "required") }
        return value
    }

    /// A path or query value that must be a UUID.
    static func uuid(_ text: String?, field: String) throws -> UUID {
        guard let text, let id = UUID(text: text) else { throw Problem.invalid(field, "expected a UUID") }
        return id
    }
}

/// An RFC 3339 instant, with or without fractional seconds: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T` and
/// `Z` in either case) naming a day and time that exist — every instant the HTTP adapter reads (body fields,
/// query parameters, domain values decoded by ``JSONValue/decode(_:_:field:)``) goes through it. Foundation's
/// formatter rolls an impossible date over (`2027-02-30` to March 2nd) and so never judges one: the date
/// and time are checked here first (``parseWholeSecondInstant(_:)`` on the text without its fraction).
func parseInstant(_ text: String) -> Date? {
    if let date = parseWholeSecondInstant(text) { return date }
    let b = Array(text.uppercased().utf8)
    guard b.count >= 20, b.count <= 64 else { return nil }
    var rest = 19
    let fractional = b[rest] == 0x2E
    if fractional {
        rest += 1
        let start = rest
        while rest < b.count, b[rest] >= 0x30 && b[rest] <= 0x39 { rest += 1 }
        guard rest > start else { return nil }
    }
    // The instant without its fraction must exist (and the zone be `Z` or `±HH:MM`, nothing after it).
    let whole = String(decoding: b[0..<19] + b[rest...], as: UTF8.self)
    guard wholeSecondInstantExists(whole) else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    return formatter.date(from: String(decoding: b, as: UTF8.self))
}

/// Whether `text`, of ``parseWholeSecondInstant(_:)``'s form, names an instant that exists: that parser's
/// answer from 1583 on; before, Foundation's (its calendar is Julian then), taken only when writing the
/// instant back in the text's own offset gives the same date and time (no roll-over).
private func wholeSecondInstantExists(_ text: String) -> Bool {
    if parseWholeSecondInstant(text) != nil { return true }
    let b = Array(text.utf8)
    guard b.count == 20 || b.count == 25, let year = Int(String(decoding: b[0..<4], as: UTF8.self)), year < 1583 else { return false }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { return false }
    var offset = 0
    if b.count == 25 {
        guard let h = Int(String(decoding: b[20..<22], as: UTF8.self)), let m = Int(String(decoding: b[23..<25], as: UTF8.self)) else { return false }
        offset = (h * 3600 + m * 60) * (b[19] == 0x2D ? -1 : 1)
    }
    guard let zone = TimeZone(secondsFromGMT: offset) else { return false }
    formatter.timeZone = zone
    return Array(formatter.string(from: date).utf8.prefix(19)) == Array(b[0..<19])
}

extension FieldValue {
    /// A custom value from its JSON form `{"kind": "text", "value": "…"}`: kinds text, option, bool, number,
    /// date (`YYYY-MM-DD`), money (`{"amount": 12.5, "currency": "CNY"}`), id (a UUID) and list (strings).
    static func from(_ value: JSONValue, field: String) throws -> FieldValue {
        guard case .object(let members) = value else { throw Problem.invalid(field, "expected {\"kind\": …, \"value\": …}") }
        if let extra = members.keys.filter({ $0 != "kind" && $0 != "value" }).sorted().first {
            throw Problem.invalid(field + "." + extra, "unknown field")
        }
        guard case .string(let kind)? = members["kind"] else { throw Problem.invalid(field + ".kind", "required: text, option, bool, number, date, money, id or list") }
        switch (kind, members["value"]) {
        case ("text", .string(let text)?): return .text(text)
        case ("option", .string(let text)?): return .option(text)
        case ("bool", .bool(let flag)?): return .bool(flag)
        case ("number", .number(let number)?): return .number(number)
        case ("number", .string?): return .number(try JSONValue.moneyAmount(members["value"], field: field + ".value"))
        case ("date", .string(let text)?):
            guard let day = LocalDate(text) else { throw Problem.invalid(field + ".value", "expected a date YYYY-MM-DD") }
            return .date(day)
        case ("money", .object(let money)?):
            if let extra = money.keys.filter({ $0 != "amount" && $0 != "currency" }).sorted().first {
                throw Problem.invalid(field + ".value." + extra, "unknown field")
            }
            // A number, or an exact decimal string as answers write amounts.
            let amount = try JSONValue.moneyAmount(money["amount"], field: field + ".value.amount")
            guard case .string(let code)? = money["currency"], let currency = Currency(rawValue: code) else {
                throw Problem.invalid(field + ".value.currency", "required: an ISO 4217 code such as CNY")
            }
            return .money(Money(amount, currency))
        case ("id", .string(let text)?):
            guard let id = UUID(text: text) else { throw Problem.invalid(field + ".value", "expected a UUID") }
            return .id(id)
        case ("list", .array(let items)?):
            return .list(try items.enumerated().map { index, item in
                guard case .string(let text) = item else { throw Problem.invalid(field + ".value[\(index)]", "expected a string") }
                return text
            })
        case ("text", _), ("option", _), ("bool", _), ("number", _), ("date", _), ("money", _), ("id", _), ("list", _):
            throw Problem.invalid(field + ".value", "missing or of the wrong type for kind \(kind)")
        default:
            throw Problem.invalid(field + ".kind", "expected text, option, bool, number, date, money, id or list")
        }
    }
}

/// The common form `YYYY-MM-DDTHH:MM:SS` with `Z` or `±HH:MM` from 1583 on (Foundation counts earlier days
/// in the Julian calendar), read without a formatter (creating one costs more than the rest of a request);
/// nil for anything else (``parseInstant(_:)`` reads fractions and earlier years, judging the date and time
/// with this).
func parseWholeSecondInstant(_ text: String) -> Date? {
    let b = Array(text.utf8)
    guard b.count == 20 || b.count == 25, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A else { return nil }
    func number(_ from: Int, _ length: Int) -> Int? {
        var value = 0
        for i in from..<(from + length) {
            guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
            value = value * 10 + Int(b[i] - 0x30)
        }
        return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
          let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
          year >= 1583, (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard day >= 1 && day <= monthDays[month - 1] else { return nil }
    var offset = 0
    if b.count == 20 {
        guard b[19] == 0x5A else { return nil }
    } else {
        guard b[19] == 0x2B || b[19] == 0x2D, b[22] == 0x3A, let h = number(20, 2), let m = number(23, 2), h < 24, m < 60 else { return nil }
        offset = (h * 3600 + m * 60) * (b[19] == 0x2B ? 1 : -1)
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second - offset))
}

extension Request {
    /// The whole body (kept readable for whoever reads it next), or 413 `payload-too-large` past `limit` bytes.
    mutating func collectBody(limitedTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch {
            throw Problem("payload-too-large", .contentTooLarge, "the request body exceeds \(limit) bytes")
        }
    }
}
