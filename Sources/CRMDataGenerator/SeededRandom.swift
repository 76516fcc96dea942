import Foundation

/// xoshiro256** seeded through SplitMix64: the generator's only source of randomness, so one seed always
/// gives the same history. Not for cryptography.
struct SeededRandom: RandomNumberGenerator {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator for `seed`; `stream` separates independent sequences drawn from one seed.
    init(seed: UInt64, stream: UInt64 = 0) {
        var sm = seed ^ (stream &* 0xD6E8_FEB8_6659_FD93)
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform integer in `0..<bound` (bound > 0), by multiply-shift (Lemire, without the rare rejection).
    mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in `0..<1`.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `range`.
    mutating func double(in range: Range<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element of a non-empty array (the first when empty would be a bug; callers never pass one).
    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[below(items.count)]
    }

    /// An index drawn with the given weights.
    mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return max(weights.count - 1, 0)
    }
}

/// Time-ordered ids (UUIDv7, RFC 9562) from a simulated instant and seeded bits: the store's indexes stay
/// append-friendly as with the engine's own ids, and the same seed gives the same ids.
struct IDFactory {
    private let seed: UInt64
    private var counter: UInt64 = 0

    init(seed: UInt64, stream: UInt64) {
        self.seed = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
    }

    mutating func next(at instant: Date) -> UUID {
        counter &+= 1
        let seconds = instant.timeIntervalSince1970
        let millis = seconds > 0 ? UInt64(seconds * 1000) : 0
        return Self.v7(millis: millis, counter: UInt16(truncatingIfNeeded: counter & 0xFFF), random: Self.mix(seed ^ counter))
    }

    static func mix(_ input: UInt64) -> UInt64 {
        var z = input &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
}

/// A min-heap of scheduled work, ordered by time and then by the order it was scheduled, so equal times
/// keep a stable, deterministic order.
struct Agenda<Item> {
    private struct Entry {
        var time: Double
        var seq: UInt64
        var item: Item
    }
    private var entries: [Entry] = []
    private var seq: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    /// The earliest time scheduled.
    var nextTime: Double? { entries.first?.time }

    mutating func push(_ item: Item, at time: Double) {
        seq &+= 1
        entries.append(Entry(time: time, seq: seq, item: item))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (time: Double, item: Item)? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        guard let top = entries.popLast() else { return nil }
        var i = 0
        let n = entries.count
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < n, Self.less(entries[l], entries[smallest]) { smallest = l }
            if r < n, Self.less(entries[r], entries[smallest]) { smallest = r }
            if smallest == i { break }
            entries.swapAt(i, smallest)
            i = smallest
        }
        return (top.time, top.item)
    }

    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }
}
