import Foundation
import Synchronization

/// A source of new ids (event ids, record ids). Inject it; never call `UUID()` where ids are indexed.
public protocol IDGenerator: Sendable {
    func next() -> UUID
}

/// Time-ordered UUIDv7 ids (RFC 9562): 48 bits of Unix milliseconds from the injected clock, then a
/// 12-bit counter that keeps ids from one generator strictly increasing within a millisecond, then random
/// bits. Time-ordered ids keep index inserts near the end of the B-tree: random ids made LMDB appends 5×
/// slower in our measurements.
public final class UUIDv7Generator: IDGenerator {
    private struct State {
        var lastMillis: UInt64 = 0
        var counter: UInt16 = 0
        var rng = SystemRandomNumberGenerator()
    }
    private let clock: any WallClock
    private let state = Mutex(State())

    public init(clock: any WallClock = SystemClock()) { self.clock = clock }

    public func next() -> UUID {
        let nowMillis = Self.millis(at: clock.now())
        let (millis, counter, random) = state.withLock { s -> (UInt64, UInt16, UInt64) in
            if nowMillis > s.lastMillis {
                s.lastMillis = nowMillis
                s.counter = UInt16.random(in: 0..<0x400, using: &s.rng)  // leave room to count up
            } else if s.counter < 0xFFF {
                s.counter += 1
            } else if s.lastMillis < Self.largestMillis {
                s.lastMillis += 1  // counter exhausted: borrow the next millisecond
                s.counter = 0
            }
            // At the 48 bits' last millisecond (the year 10889) with the counter spent, ids stay unique by their
            // random bits but no longer increase: the millisecond cannot wrap around to 1970.
            return (s.lastMillis, s.counter, s.rng.next())
        }
        return UUID.v7(millis: millis, counter: counter, random: random)
    }

    /// The largest Unix millisecond count an id holds (48 bits: the year 10889).
    static let largestMillis: UInt64 = 0xFFFF_FFFF_FFFF

    /// The Unix milliseconds of `instant` for an id, clamped to `0...largestMillis`: a clock before 1970 (or
    /// not a real instant) gives 0, one beyond the 48 bits gives their largest value, never a trap.
    static func millis(at instant: Date) -> UInt64 {
        let millis = instant.timeIntervalSince1970 * 1000
        guard millis > 0 else { return 0 }  // also NaN
        guard millis < Double(largestMillis) else { return largestMillis }
        return UInt64(millis)
    }
}

/// Deterministic time-ordered ids for tests: the same seed gives the same sequence.
public final class SequentialIDGenerator: IDGenerator {
    private let counter: Mutex<UInt64>
    private let seed: UInt64

    public init(seed: UInt64 = 0, startMillis: UInt64 = 1_767_225_600_000) {
        self.seed = seed
        counter = Mutex(startMillis << 12)
    }

    public func next() -> UUID {
        let value = counter.withLock { c -> UInt64 in
            c += 1
            return c
        }
        return UUID.v7(millis: value >> 12, counter: UInt16(value & 0xFFF), random: mix64(value ^ seed))
    }
}

extension UUID {
    /// A UUIDv7 from its parts: 48-bit Unix milliseconds, 12-bit counter, 62 random bits.
    static func v7(millis: UInt64, counter: UInt16, random: UInt64) -> UUID {
        let m = millis & 0xFFFF_FFFF_FFFF
        let c = counter & 0x0FFF
        return UUID(uuid: (
            UInt8(truncatingIfNeeded: m >> 40), UInt8(truncatingIfNeeded: m >> 32),
            UInt8(truncatingIfNeeded: m >> 24), UInt8(truncatingIfNeeded: m >> 16),
            UInt8(truncatingIfNeeded: m >> 8), UInt8(truncatingIfNeeded: m),
            0x70 | UInt8(c >> 8), UInt8(truncatingIfNeeded: c),
            0x80 | (UInt8(truncatingIfNeeded: random >> 56) & 0x3F), UInt8(truncatingIfNeeded: random >> 48),
            UInt8(truncatingIfNeeded: random >> 40), UInt8(truncatingIfNeeded: random >> 32),
            UInt8(truncatingIfNeeded: random >> 24), UInt8(truncatingIfNeeded: random >> 16),
            UInt8(truncatingIfNeeded: random >> 8), UInt8(truncatingIfNeeded: random)
        ))
    }

    /// The Unix milliseconds of a UUIDv7 (meaningless for other versions).
    public var v7Milliseconds: UInt64 {
        let u = uuid
        return [u.0, u.1, u.2, u.3, u.4, u.5].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// splitmix64's finaliser: a cheap, well-mixed hash of 64 bits.
@inline(__always)
func mix64(_ input: UInt64) -> UInt64 {
    var z = input &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
