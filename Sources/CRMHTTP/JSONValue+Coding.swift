import CRMDomain
import EventSourcing
import Foundation
import Hummingbird

extension JSONValue: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// `value` as a `T` by its Codable form; members `T` does not encode back are refused as unknown.
    static func decode<T: Codable>(_ value: JSONValue, _ type: T.Type, field: String) throws -> T {
        let decoder = JSONDecoder()
        // The one strict reading of instants (``parseInstant(_:)``), not Foundation's rolling-over `.iso8601`.
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            guard let date = parseInstant(try container.decode(String.self)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 instant that exists")
            }
            return date
        }
        // Every `Decimal` member (money amounts, quantities, rates, percentages, weights…) as a number or a
        // decimal string alike (``moneyAmount(_:field:)``), decided by the type the decoder asks for.
        var value = try value.moneyAsNumbers(path: field)
        var texts = DecimalTexts()
        let result: T
        while true {
            do {
                result = try decoder.decode(T.self, from: JSONOutput.encoder().encode(value))
                break
            } catch let error as DecodingError {
                if try texts.retry(after: error, in: &value, field: field) { continue }
                if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                   let (member, reason) = unreadableNumber(T.self, in: value, path: field, decoder: decoder) {
                    throw Problem.invalid(memberName(member), reason)
                }
                throw Problem.invalid(memberName(field + error.memberPath), error.shortDescription)
            }
        }
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONOutput.encoder().encode(result))
        if let unknown = value.firstMember(missingFrom: again, path: field) { throw Problem.invalid(memberName(unknown), "unknown field") }
        return result
    }

    /// The member holding a number the decoder could not read into its integer field (`1.5` or `1e30` for an
    /// `Int`) and why, or nil when no number is at fault. Foundation's decoder refuses such a number as invalid
    /// JSON without naming where, so it is found by substitution: with every number that no `Int` holds set
    /// to 0 the value must decode past that error; then the first one whose value brings the error back is
    /// found by bisection. Runs only on that refusal: a few decodes of the body, logarithmic in its numbers;
    /// each substitution copies the containers on its path, so a body with more than
    /// ``maximumNumberCandidates`` such numbers is not searched (the refusal then names the body): a request
    /// padded with fractions must not buy seconds of CPU.
    private static func unreadableNumber<T: Decodable>(_ type: T.Type, in value: JSONValue, path: String,
                                                       decoder: JSONDecoder) -> (member: String, reason: String)? {
        var candidates: [(path: String, steps: [JSONStep], number: Decimal)] = []
        value.collectNonIntNumbers(path: path, steps: [], into: &candidates)
        guard !candidates.isEmpty, candidates.count <= maximumNumberCandidates else { return nil }
        func failsUnnamed(_ v: JSONValue) -> Bool {
            do {
                _ = try decoder.decode(T.self, from: JSONOutput.encoder().encode(v))
                return false
            } catch let error as DecodingError {
                if case .dataCorrupted(let context) = error { return context.codingPath.isEmpty }
                return false
            } catch {
                return false
            }
        }
        let zeroed = candidates.reduce(value) { $0.replacing(at: $1.steps[...], with: .number(0)) }
        guard !failsUnnamed(zeroed) else { return nil }
        // Restoring the first `count` candidates fails from the first culprit on: bisect for it.
        func restoring(_ count: Int) -> JSONValue {
            candidates.prefix(count).reduce(zeroed) { $0.replacing(at: $1.steps[...], with: .number($1.number)) }
        }
        var (decodes, fails) = (0, candidates.count)  // restoring(decodes) decodes; restoring(fails), the body, fails
        while fails - decodes > 1 {
            let middle = (decodes + fails) / 2
            if failsUnnamed(restoring(middle)) { fails = middle } else { decodes = middle }
        }
        let culprit = candidates[fails - 1]
        var whole = Decimal()
        var copy = culprit.number
        NSDecimalRound(&whole, &copy, 0, .plain)
        return (culprit.path, whole == culprit.number ? "expected a whole number from \(Int.min) to \(Int.max)" : "expected a whole number")
    }

    /// The most numbers no `Int` holds that ``unreadableNumber(_:in:path:decoder:)`` searches among.
    static let maximumNumberCandidates = 64

    /// A member path without the separator left at its start when the value was the whole body.
    static func memberName(_ path: String) -> String {
        var name = Substring(path)
        while name.hasPrefix(".") { name = name.dropFirst() }
        return name.isEmpty ? "body" : String(name).replacingOccurrences(of: "..", with: ".")
    }

    /// The path of the first non-null member of `self` that `other` lacks.
    private func firstMember(missingFrom other: JSONValue, path: String) -> String? {
        switch (self, other) {
        case (.object(let mine), .object(let theirs)):
            for key in mine.keys.sorted() where mine[key] != .null {
                guard let counterpart = theirs[key] else { return path + "." + key }
                if let missing = mine[key]?.firstMember(missingFrom: counterpart, path: path + "." + key) { return missing }
            }
        case (.array(let mine), .array(let theirs)):
            for (index, item) in zip(mine.indices, mine) where index < theirs.count {
                if let missing = item.firstMember(missingFrom: theirs[index], path: path + "[\(index)]") { return missing }
            }
        default: break
        }
        return nil
    }
}

/// One step into a JSON value: an object member or an array item.
private enum JSONStep: Hashable {
    case key(String)
    case index(Int)
    /// Any item of an array (in a ``DecimalTexts`` pattern).
    case anyIndex

    /// The step as a member path writes it (`.key`, `[2]`).
    var text: String {
        switch self {
        case .key(let key): return "." + key
        case .index(let index): return "[\(index)]"
        case .anyIndex: return "[*]"
        }
    }
}

/// The `Decimal` members of a body written as decimal strings, read as numbers one decoder refusal at a
/// time, the target type deciding: where the decoder expected a `Decimal` and found a string, that string is
/// read by ``JSONValue/moneyAmount(_:field:)`` (a string that is no decimal number is refused naming the
/// member) and the decode retried. So that a list costs one retry and not one per item, the same member of
/// every other item of the same lists (`lines[*].discountPercent`) is read with it when it is a decimal
/// string; should one of those turn out to be no `Decimal` (a list of values whose type depends on another
/// member, `{"kind": "text", "value": "12"}`), they are restored and that member is then read item by item.
/// At most ``maximumRetries`` retries per body (a body padded with such strings must not buy seconds of CPU):
/// past them a decimal string is refused naming the member, asking for numbers.
private struct DecimalTexts {
    static let maximumRetries = 64
    private var retries = 0
    /// The strings read as numbers along with another item's member, by pattern, by their steps.
    private var alongside: [[JSONStep]: [[JSONStep]: JSONValue]] = [:]
    /// Patterns whose items are read one by one.
    private var oneByOne: Set<[JSONStep]> = []

    /// Whether `value` was changed after `error` so that the decode is worth retrying.
    mutating func retry(after error: DecodingError, in value: inout JSONValue, field: String) throws -> Bool {
        guard case .typeMismatch(let type, let context) = error, let steps = value.steps(of: context.codingPath) else { return false }
        let pattern = steps.map { step -> JSONStep in if case .index = step { return .anyIndex } else { return step } }
        let path = field + steps.map(\.text).joined()
        if type == Decimal.self {
            guard case .string? = value.member(at: steps[...]) else { return false }
            let number = try JSONValue.moneyAmount(value.member(at: steps[...]), field: JSONValue.memberName(path))
            guard retries < Self.maximumRetries else {
                throw Problem.invalid(JSONValue.memberName(path), "too many members of the body are decimal strings: send numbers")
            }
            retries += 1
            value = value.replacing(at: steps[...], with: .number(number))
            if !oneByOne.contains(pattern) {
                var converted: [[JSONStep]: JSONValue] = [:]
                value = value.rewriting(matching: pattern[...], from: []) { at, member in
                    guard case .string = member, let number = try? JSONValue.moneyAmount(member, field: "") else { return member }
                    converted[at] = member
                    return .number(number)
                }
                alongside[pattern, default: [:]].merge(converted) { old, _ in old }
            }
            return true
        }
        // A string read as a number along with another item where this item wants no `Decimal`: restore them all.
        guard retries < Self.maximumRetries, let converted = alongside[pattern], converted[steps] != nil else { return false }
        retries += 1
        value = value.rewriting(matching: pattern[...], from: []) { at, member in converted[at] ?? member }
        alongside[pattern] = nil
        oneByOne.insert(pattern)
        return true
    }
}

extension JSONValue {
    /// Every number in the value that is not a whole number an `Int` holds, with its path and steps, in order.
    fileprivate func collectNonIntNumbers(path: String, steps: [JSONStep], into result: inout [(path: String, steps: [JSONStep], number: Decimal)]) {
        // One past the most that are searched is enough to know the body is not searched.
        guard result.count <= JSONValue.maximumNumberCandidates else { return }
        switch self {
        case .number(let number):
            var whole = Decimal()
            var copy = number
            NSDecimalRound(&whole, &copy, 0, .plain)
            if whole != number || number < Decimal(Int.min) || number > Decimal(Int.max) { result.append((path, steps, number)) }
        case .object(let members):
            for key in members.keys.sorted() { members[key]?.collectNonIntNumbers(path: path + "." + key, steps: steps + [.key(key)], into: &result) }
        case .array(let items):
            for (index, item) in items.enumerated() { item.collectNonIntNumbers(path: path + "[\(index)]", steps: steps + [.index(index)], into: &result) }
        default: break
        }
    }

    /// The steps to the member a decoder's coding path names, nil when the value has no such member.
    fileprivate func steps(of codingPath: [any CodingKey]) -> [JSONStep]? {
        var steps: [JSONStep] = []
        var current = self
        for key in codingPath {
            switch current {
            case .object(let members):
                guard let member = members[key.stringValue] else { return nil }
                steps.append(.key(key.stringValue))
                current = member
            case .array(let items):
                guard let index = key.intValue, items.indices.contains(index) else { return nil }
                steps.append(.index(index))
                current = items[index]
            default: return nil
            }
        }
        return steps
    }

    /// The member at `steps`, nil when there is none.
    fileprivate func member(at steps: ArraySlice<JSONStep>) -> JSONValue? {
        guard let step = steps.first else { return self }
        switch (self, step) {
        case (.object(let members), .key(let key)): return members[key]?.member(at: steps.dropFirst())
        case (.array(let items), .index(let index)) where items.indices.contains(index): return items[index].member(at: steps.dropFirst())
        default: return nil
        }
    }

    /// The value with every member matching `pattern` (its ``JSONStep/anyIndex`` steps matching any item)
    /// replaced by `rewrite` of its steps and itself, in one pass.
    fileprivate func rewriting(matching pattern: ArraySlice<JSONStep>, from steps: [JSONStep],
                               _ rewrite: ([JSONStep], JSONValue) -> JSONValue) -> JSONValue {
        guard let step = pattern.first else { return rewrite(steps, self) }
        switch (self, step) {
        case (.object(var members), .key(let key)):
            guard let member = members[key] else { return self }
            members[key] = member.rewriting(matching: pattern.dropFirst(), from: steps + [step], rewrite)
            return .object(members)
        case (.array(var items), .anyIndex):
            for index in items.indices {
                items[index] = items[index].rewriting(matching: pattern.dropFirst(), from: steps + [.index(index)], rewrite)
            }
            return .array(items)
        default: return self
        }
    }

    /// The value with the member at `steps` replaced by `new`.
    fileprivate func replacing(at steps: ArraySlice<JSONStep>, with new: JSONValue) -> JSONValue {
        guard let step = steps.first else { return new }
        switch (self, step) {
        case (.object(var members), .key(let key)):
            members[key] = members[key]?.replacing(at: steps.dropFirst(), with: new)
            return .object(members)
        case (.array(var items), .index(let index)) where items.indices.contains(index):
            items[index] = items[index].replacing(at: steps.dropFirst(), with: new)
            return .array(items)
        default: return self
        }
    }
}

extension DecodingError {
    /// The failing member as `.a.b[2]` after the field's own name.
    var memberPath: String {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        @unknown default: path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
    }

    /// A type as an error message names it: what kind of JSON value it is read from, never a Swift type name.
    static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type, is UUID.Type, is Date.Type, is LocalDate.Type, is Currency.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Decimal.Type: return "a number or a decimal string such as \"12.50\""
        case is Double.Type, is Float.Type, is any BinaryInteger.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array<") || name.hasPrefix("[") && !name.contains(":") { return "an array" }
            return "an object"
        }
    }

    /// What went wrong, without the value.
    var shortDescription: String {
        switch self {
        case .typeMismatch(let type, _): return "expected " + Self.kind(of: type)
        case .valueNotFound: return "required"
        case .keyNotFound: return "required"
        case .dataCorrupted: return "invalid value"
        @unknown default: return "invalid value"
        }
    }
}
