import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The engine's default ids (UUIDv7 from its clock) never trap on a clock far from now: before 1970 the
/// milliseconds are 0, beyond the 48 bits an id holds (the year 10889) they are the largest it holds (ids
/// from one generator still increase until the last millisecond's counter is spent, then stay unique).
@Suite struct IDClockBoundsTests {
    static let largest: UInt64 = 0xFFFF_FFFF_FFFF

    // Instants as seconds, not `Date` arguments: the test library describes its arguments, and Foundation's
    // description of a date that is not finite traps.
    @Test func idsFromAClockFarAheadCarryTheLargestMilliseconds() {
        for seconds in [1e15, 1e300, .greatestFiniteMagnitude, .infinity] {
            let ids = CRMEngine.Configuration(clock: ManualClock(Date(timeIntervalSince1970: seconds))).ids
            let first = ids.next(), second = ids.next()
            #expect(first.v7Milliseconds == Self.largest)
            #expect(second.uuidString.lowercased() > first.uuidString.lowercased())
        }
        // Past the counter's room at the last millisecond: still the last millisecond (never wrapped to 1970),
        // still unique.
        let pinned = CRMEngine.Configuration(clock: ManualClock(Date(timeIntervalSince1970: .infinity))).ids
        let many = (0..<6_000).map { _ in pinned.next() }
        #expect(many.allSatisfy { $0.v7Milliseconds == Self.largest })
        #expect(Set(many).count == many.count)
        let year4001 = CRMEngine.Configuration(clock: ManualClock(.distantFuture)).ids.next()
        #expect(year4001.v7Milliseconds == UInt64(Date.distantFuture.timeIntervalSince1970 * 1000))
    }

    @Test func idsFromAClockBefore1970CarryZeroMilliseconds() {
        for seconds in [-1, -1e300, Date.distantPast.timeIntervalSince1970, -.infinity, .nan] {
            let ids = CRMEngine.Configuration(clock: ManualClock(Date(timeIntervalSince1970: seconds))).ids
            let first = ids.next(), second = ids.next()
            #expect(first.v7Milliseconds == 0)
            #expect(second.uuidString.lowercased() > first.uuidString.lowercased())
        }
    }
}
