import Foundation

/// Scores values 1–5 by quintiles with one tie rule: **equal values always get equal scores**.
///
/// The score of a value `v` among `n` values is `1 + ⌊5 · r / n⌋`, where `r` is the number of values
/// strictly worse than `v` (its 0-based rank at its first occurrence in ascending order). Equal values
/// share `r`, so they share the score; the best distinct value gets 5 only when enough values lie below
/// it (with `[1, 1, 1, 1, 5]` the ones score 1 and the five scores 5; with `[7, 7, 7]` all score 1).
///
/// ```swift
/// let scores = Quintiles.scores([10, 20, 20, 40, 50])   // [1, 2, 2, 4, 5]
/// ```
public enum Quintiles {
    /// The quintile score (1…5) of each value, in input order; higher values score higher.
    public static func scores<Value: Comparable>(_ values: [Value]) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let sorted = values.sorted()
        return values.map { value in
            let below = lowerBound(of: value, in: sorted)
            return 1 + (5 * below) / n
        }
    }

    /// The quintile score of each value where lower values are better (recency in days): the same rule
    /// with the order reversed, so the lowest value scores highest.
    public static func reversedScores<Value: Comparable>(_ values: [Value]) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let sorted = values.sorted()
        return values.map { value in
            // Values strictly worse (greater) than `value`.
            let worse = n - upperBound(of: value, in: sorted)
            return 1 + (5 * worse) / n
        }
    }

    /// The number of elements strictly less than `value` in ascending `sorted`.
    static func lowerBound<Value: Comparable>(of value: Value, in sorted: [Value]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The number of elements less than or equal to `value` in ascending `sorted`.
    static func upperBound<Value: Comparable>(of value: Value, in sorted: [Value]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
