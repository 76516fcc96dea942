/// The version of a stream: the number of events in it. The first event of a stream is version 1;
/// ``noStream`` (0) means the stream has no event yet.
public struct StreamVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// The version of a stream without events.
    public static let noStream = StreamVersion(0)
    /// The version of a stream's first event.
    public static let first = StreamVersion(1)
    /// Past every version: read a stream backward from its end.
    public static let end = StreamVersion(UInt64.max)

    /// The following version.
    public var next: StreamVersion { StreamVersion(rawValue &+ 1) }

    public static func < (lhs: StreamVersion, rhs: StreamVersion) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UInt64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The position of an event in the whole log: gapless, starting at 1, in commit order.
public struct GlobalPosition: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ value: UInt64) { self.rawValue = value }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// Before the first event: read or subscribe from here to see the whole log. Also the head of an empty log.
    public static let start = GlobalPosition(0)
    /// Past every event: read backward from here to start at the newest event.
    public static let end = GlobalPosition(UInt64.max)

    /// The following position.
    public var next: GlobalPosition { GlobalPosition(rawValue &+ 1) }

    public static func < (lhs: GlobalPosition, rhs: GlobalPosition) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UInt64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What an append expects of its stream (optimistic concurrency).
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must have no event yet.
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream must be exactly at this version (`.exact(.noStream)` equals ``noStream``).
    case exact(StreamVersion)

    /// Whether a stream currently at `actual` satisfies this expectation.
    public func isSatisfied(by actual: StreamVersion) -> Bool {
        switch self {
        case .any: return true
        case .noStream: return actual == .noStream
        case .streamExists: return actual != .noStream
        case .exact(let version): return actual == version
        }
    }

    public var description: String {
        switch self {
        case .any: return "any"
        case .noStream: return "no stream"
        case .streamExists: return "stream exists"
        case .exact(let version): return "version \(version)"
        }
    }
}

/// The direction of a read.
public enum ReadDirection: Hashable, Sendable {
    case forward, backward
}
