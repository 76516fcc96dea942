import Foundation

/// The customer groups a store knows (R-CUS-1, R-CUS-2): those whose ``CustomerForm`` is defined (a form
/// may have no fields, so defining one is how a group is registered). A customer's group must be one of
/// them, so a mistyped group ("residental") is refused instead of silently getting no form.
///
/// While no form is defined at all (a fresh store, or one that never used forms) every group is accepted:
/// the registry is in force from the first form on. A customer already in a group that is not known (created
/// before) stays editable: only a change of group is judged.
///
/// ```swift
/// let known = CustomerGroups(["residential", "business"])
/// try known.validate("residental")                                  // invalid `group`: known are residential, …
/// try known.validate(state.group, unlessUnchangedFrom: state.group) // a legacy group kept: fine
/// ```
public struct CustomerGroups: Sendable, Equatable {
    /// The groups with a defined form.
    public var names: Set<String>

    public init(_ names: some Sequence<String>) { self.names = Set(names) }

    /// A group's name as group names are compared: trimmed, NFKC (full-width and half-width forms alike),
    /// lower case, without default-ignorable code points (``SensitiveWordFilter/fold(_:)``). Two groups
    /// whose names fold alike (`sme`, `SME`, `ｓｍｅ`) are one: only the first form defined is accepted.
    public static func key(_ group: String) -> String {
        SensitiveWordFilter.fold(group.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The known group whose name folds like `group` (``key(_:)``) but is spelled otherwise, if any.
    public func otherSpelling(of group: String) -> String? {
        let key = Self.key(group)
        let trimmed = group.trimmingCharacters(in: .whitespacesAndNewlines)
        return names.sorted().first { $0 != trimmed && Self.key($0) == key }
    }

    /// Whether groups are checked: once any form is defined.
    public var isEnforced: Bool { !names.isEmpty }

    /// Whether a customer may be put in `group`.
    public func accepts(_ group: String) -> Bool { !isEnforced || names.contains(group) }

    /// Refuses a group that is not known (`invalid`, field `group`, naming up to five known groups, the
    /// closest first), unless it is `current`: a customer's own group, kept, is never judged.
    public func validate(_ group: String, unlessUnchangedFrom current: String? = nil) throws(DomainError) {
        guard group != current, !accepts(group) else { return }
        let shown = closest(to: group, limit: 5)
        let more = names.count > shown.count ? " (and \(names.count - shown.count) more)" : ""
        throw .invalid("group", "unknown customer group; known groups: \(shown.joined(separator: ", "))\(more) — "
                       + "a group is known once its customer form is defined")
    }

    /// Up to `limit` known groups, the most alike to `group` first (fewest edits, case ignored), then by name.
    public func closest(to group: String, limit: Int) -> [String] {
        let target = Array(group.lowercased())
        return names.map { (name: $0, distance: Self.distance(Array($0.lowercased()), target)) }
            .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
            .prefix(max(0, limit)).map(\.name)
    }

    /// The edit distance (Levenshtein) of two short names.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var row = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                row[j + 1] = Swift.min(previous[j + 1] + 1, row[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = row
        }
        return previous[b.count]
    }
}
