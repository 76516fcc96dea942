import Foundation

/// Which records a permission reaches (R-ORG-2): every record, those of one branch, one community or one
/// customer group, or only the holder's own.
///
/// One scope covers another when it reaches at least the same records (``covers(_:)``): `all` covers every
/// scope, every scope covers `own` (the holder's own records are never someone else's data), and otherwise a
/// scope covers only itself — the organisation does not know which communities lie in which branch, so a
/// branch scope does not cover a community scope.
///
/// Codable by hand (a kind, then the value; empty for `all` and `own`): `{"kind":"branch","value":"north"}`.
public enum DataScope: Hashable, Sendable, Codable, CustomStringConvertible {
    case all
    case branch(String)
    case community(String)
    case customerGroup(String)
    case own

    private enum CodingKeys: String, CodingKey { case kind, value }

    /// The kind's name: `all`, `branch`, `community`, `customerGroup`, `own`.
    public var kind: String {
        switch self {
        case .all: return "all"
        case .branch: return "branch"
        case .community: return "community"
        case .customerGroup: return "customerGroup"
        case .own: return "own"
        }
    }

    /// The branch, community or customer group named; empty for `all` and `own`.
    public var value: String {
        switch self {
        case .all, .own: return ""
        case .branch(let v), .community(let v), .customerGroup(let v): return v
        }
    }

    public var description: String { value.isEmpty ? kind : "\(kind) \(value)" }

    /// Whether this scope reaches every record `other` reaches.
    public func covers(_ other: DataScope) -> Bool {
        self == .all || other == .own || self == other
    }

    /// The scope with its value trimmed and checked (a name of at most 100 characters).
    public func validated() throws(DomainError) -> DataScope {
        try validated(unlessAmong: [])
    }

    /// The scope checked as ``validated()`` does, but a scope among `recorded` (those of the role being
    /// changed) is not judged again by the character checks.
    func validated(unlessAmong recorded: [DataScope]) throws(DomainError) -> DataScope {
        let same = recorded.filter { $0.kind == kind }.map(\.value)
        switch self {
        case .all, .own: return self
        case .branch(let v): return .branch(try Validate.text(v, field: "scope", max: 100, unlessAmong: same))
        case .community(let v): return .community(try Validate.text(v, field: "scope", max: 100, unlessAmong: same))
        case .customerGroup(let v): return .customerGroup(try Validate.text(v, field: "scope", max: 100, unlessAmong: same))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(value, forKey: .value)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        let value = try c.decode(String.self, forKey: .value)
        switch kind {
        case "all": self = .all
        case "branch": self = .branch(value)
        case "community": self = .community(value)
        case "customerGroup": self = .customerGroup(value)
        case "own": self = .own
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown data scope kind \(kind)")
        }
    }
}

/// When a grant is in force: from `from` (inclusive) until `until` (exclusive); a nil end is open.
/// `ValidityPeriod()` is always in force.
public struct ValidityPeriod: Hashable, Sendable, Codable, CustomStringConvertible {
    public var from: Date?
    public var until: Date?

    public init(from: Date? = nil, until: Date? = nil) {
        self.from = from
        self.until = until
    }

    /// Always in force.
    public static let always = ValidityPeriod()

    /// Whether the period is in force at `instant`.
    public func contains(_ instant: Date) -> Bool {
        (from.map { $0 <= instant } ?? true) && (until.map { instant < $0 } ?? true)
    }

    /// Whether this period includes the whole of `other` (an open end covers only an open end).
    public func covers(_ other: ValidityPeriod) -> Bool {
        let startOK: Bool
        switch (from, other.from) {
        case (nil, _): startOK = true
        case (.some, nil): startOK = false
        case let (a?, b?): startOK = a <= b
        }
        let endOK: Bool
        switch (until, other.until) {
        case (nil, _): endOK = true
        case (.some, nil): endOK = false
        case let (a?, b?): endOK = b <= a
        }
        return startOK && endOK
    }

    /// The period in which both are in force; nil when they do not overlap.
    public func intersection(_ other: ValidityPeriod) -> ValidityPeriod? {
        let start = [from, other.from].compactMap { $0 }.max()
        let end = [until, other.until].compactMap { $0 }.min()
        if let start, let end, start >= end { return nil }
        return ValidityPeriod(from: start, until: end)
    }

    /// Checks that the period is not empty (its start is before its end).
    public func validated(field: String = "validity") throws(DomainError) -> ValidityPeriod {
        if let from, let until, from >= until { throw .invalid(field, "the start must be before the end") }
        return self
    }

    public var description: String {
        "[\(from.map { "\($0.timeIntervalSince1970)" } ?? "-∞"), \(until.map { "\($0.timeIntervalSince1970)" } ?? "∞"))"
    }
}

/// A field of a custom form (a customer group's form, R-CUS-2) that a role may not see: R-ORG-2's
/// "form column".
public struct HiddenField: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The form's customer group.
    public var formGroup: String
    /// The field's key on that form.
    public var field: String

    public init(formGroup: String, field: String) {
        self.formGroup = formGroup
        self.field = field
    }

    public static func < (lhs: HiddenField, rhs: HiddenField) -> Bool {
        (lhs.formGroup, lhs.field) < (rhs.formGroup, rhs.field)
    }

    public var description: String { "\(formGroup).\(field)" }
}
