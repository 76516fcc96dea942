import Foundation

extension Date {
    /// Microseconds since 1970, rounded down: how the stores keep an event's `recordedAt` (0 for an
    /// instant outside what 64 bits of microseconds hold).
    @inlinable public var microsecondsSince1970: Int64 {
        let value = (timeIntervalSince1970 * 1_000_000).rounded(.down)
        guard value.isFinite, value > Double(Int64.min), value < Double(Int64.max) else { return 0 }
        return Int64(value)
    }

    /// The instant `micros` microseconds after 1970 (the inverse of ``microsecondsSince1970``).
    @inlinable public init(microsecondsSince1970 micros: Int64) {
        self.init(timeIntervalSince1970: Double(micros / 1_000_000) + Double(micros % 1_000_000) / 1_000_000)
    }
}
