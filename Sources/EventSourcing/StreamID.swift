/// The identity of a stream: the events of one aggregate (one customer, one task, …).
///
/// Any non-empty UTF-8 text without control characters, up to ``EventStoreLimits/maxStreamIDBytes``
/// bytes; stores refuse other ids with ``EventStoreError/Code/invalidStreamID``. A common shape is
/// `"<category>-<uuid>"`, e.g. `"customer-0190f6a2-…"`.
public struct StreamID: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible, Codable {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// `"category-id"`: the usual stream id of one record.
    public init(category: String, id: some CustomStringConvertible) { self.rawValue = "\(category)-\(id)" }

    /// The part before the first `-`, e.g. `customer` for `customer-42`.
    public var category: Substring {
        rawValue.firstIndex(of: "-").map { rawValue[..<$0] } ?? rawValue[...]
    }

    public var description: String { rawValue }
    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
