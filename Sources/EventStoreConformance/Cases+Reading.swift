import EventSourcing
import Foundation

extension EventStoreConformance {
    static var reading: [ConformanceCase] {
        [
            ConformanceCase("missingStreamReadsEmptyAndIsAtNoStream") { c in
                try c.expectEqual(try await c.store.readStream("nobody-1").count, 0, "events of a missing stream")
                try c.expectEqual(try await c.store.streamVersion(of: "nobody-1"), .noStream, "version of a missing stream")
                try c.expectEqual(try await c.store.headPosition(), .start, "head of an empty log")
                try c.expectEqual(try await c.store.readAll(from: .start, direction: .forward, limit: 10).count, 0, "empty log")
            },
            ConformanceCase("readStreamHonoursStartVersionDirectionAndLimit") { c in
                try await c.store.append(c.events(10), to: "lead-1", expectedVersion: .noStream)
                try await c.store.append(c.events(3), to: "lead-2", expectedVersion: .noStream)
                try await c.store.append(c.events(5), to: "lead-1", expectedVersion: .exact(10))
                let forward = try await c.store.readStream("lead-1", from: 4, direction: .forward, limit: 5)
                try c.expectEqual(forward.map(\.streamVersion.rawValue), [4, 5, 6, 7, 8], "forward from 4, limit 5")
                let backward = try await c.store.readStream("lead-1", from: 12, direction: .backward, limit: 4)
                try c.expectEqual(backward.map(\.streamVersion.rawValue), [12, 11, 10, 9], "backward from 12, limit 4")
                let fromEnd = try await c.store.readStream("lead-1", from: .end, direction: .backward, limit: 2)
                try c.expectEqual(fromEnd.map(\.streamVersion.rawValue), [15, 14], "backward from the end")
                let whole = try await c.store.readStream("lead-1")
                try c.expectEqual(whole.count, 15, "whole stream")
                try c.expect(whole.allSatisfy { $0.stream == "lead-1" }, "only the stream's own events")
                try c.expectEqual(whole.map(\.position.rawValue), Array(1...10) + Array(14...18), "positions of the stream")
                let past = try await c.store.readStream("lead-2", from: 4, direction: .forward, limit: 10)
                try c.expectEqual(past.count, 0, "reading past the end")
                let backwardAll = try await c.store.readStream("lead-2", from: .end, direction: .backward, limit: .max)
                try c.expectEqual(backwardAll.map(\.streamVersion.rawValue), [3, 2, 1], "stream backward stops at its start")
            },
            ConformanceCase("readEventsAtPositionsGivesThoseThatExistInPositionOrderOnce") { c in
                try await c.store.append(c.events(6), to: "ledger-1", expectedVersion: .noStream)
                try await c.store.append(c.events(4), to: "ledger-2", expectedVersion: .noStream)
                let picked = try await c.store.readEvents(at: [9, 2, 2, 99, 0, 7])
                try c.expectEqual(picked.map(\.position.rawValue), [2, 7, 9], "positions asked, sorted, once, past the head left out")
                try c.expectEqual(picked.map(\.stream), ["ledger-1", "ledger-2", "ledger-2"], "the events at those positions")
                let all = try await c.store.readAll(from: .start, direction: .forward, limit: 10)
                try c.expectEqual(picked.map(\.id), [all[1].id, all[6].id, all[8].id], "the same events as a scan reads")
                try c.expectEqual(try await c.store.readEvents(at: []).count, 0, "no positions, no events")
            },
            ConformanceCase("readAllPagesForwardAndBackwardInBatches") { c in
                for i in 0..<5 {
                    try await c.store.append(c.events(7), to: StreamID("site-\(i)"), expectedVersion: .noStream)
                }
                var forward: [UInt64] = []
                var next = GlobalPosition.start
                while true {
                    let batch = try await c.store.readAll(from: next, direction: .forward, limit: 4)
                    if batch.isEmpty { break }
                    forward += batch.map(\.position.rawValue)
                    next = batch[batch.count - 1].position.next
                }
                try c.expectEqual(forward, Array(1...35), "forward in batches of 4")
                var backward: [UInt64] = []
                var from = GlobalPosition.end
                while true {
                    let batch = try await c.store.readAll(from: from, direction: .backward, limit: 6)
                    if batch.isEmpty { break }
                    backward += batch.map(\.position.rawValue)
                    let last = batch[batch.count - 1].position.rawValue
                    if last <= 1 { break }
                    from = GlobalPosition(last - 1)
                }
                try c.expectEqual(backward, Array((1...35).reversed()), "backward in batches of 6")
                let middle = try await c.store.readAll(from: 10, direction: .forward, limit: 3)
                try c.expectEqual(middle.map(\.position.rawValue), [10, 11, 12], "forward from an inner position is inclusive")
                let middleBack = try await c.store.readAll(from: 10, direction: .backward, limit: 3)
                try c.expectEqual(middleBack.map(\.position.rawValue), [10, 9, 8], "backward from an inner position is inclusive")
            },
            ConformanceCase("lendingScanSeesTheSameEventsAsCopyingReads") { c in
                for i in 0..<4 {
                    try await c.store.append(c.events(5), to: StreamID("deal-\(i)"), expectedVersion: .noStream)
                }
                let copied = try await c.store.readAll(from: .start, direction: .forward, limit: .max)
                var lent: [RecordedEvent] = []
                let count = try await c.store.forEachEvent(from: .start, limit: .max) { lent.append($0.copy()) }
                try c.expectEqual(count, 20, "events passed to the closure")
                try c.expectEqual(lent, copied, "lent events equal copied events")
                var partial: [UInt64] = []
                try await c.store.forEachEvent(from: 7, limit: 3) { partial.append($0.position.rawValue) }
                try c.expectEqual(partial, [7, 8, 9], "lending scan honours start and limit")
            },
        ]
    }

    static var subscriptions: [ConformanceCase] {
        [
            ConformanceCase("subscriptionCatchesUpThenFollowsLiveWithoutGapOrDuplicate") { c in
                let store = c.store
                for i in 0..<10 {
                    try await store.append(c.events(10), to: StreamID("sub-\(i)"), expectedVersion: .noStream)
                }
                let live = (0..<20).map { _ in c.events(5) }
                let received = Task {
                    var positions: [UInt64] = []
                    for try await event in store.subscribe(from: .start) {
                        positions.append(event.position.rawValue)
                        if positions.count == 200 { break }
                    }
                    return positions
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (i, events) in live.enumerated() {
                        group.addTask { try await store.append(events, to: StreamID("live-\(i)"), expectedVersion: .noStream) }
                    }
                    try await group.waitForAll()
                }
                let positions = try await c.within(20) { try await received.value }
                try c.expectEqual(positions, Array(1...200), "every event once, in order")
            },
            ConformanceCase("subscriptionFromAPositionStartsThere") { c in
                try await c.store.append(c.events(10), to: "sub-from-1", expectedVersion: .noStream)
                let store = c.store
                let positions = try await c.within(10) {
                    var positions: [UInt64] = []
                    for try await event in store.subscribe(from: 8) {
                        positions.append(event.position.rawValue)
                        if positions.count == 3 { break }
                    }
                    return positions
                }
                try c.expectEqual(positions, [8, 9, 10], "starts at the given position")
            },
            ConformanceCase("subscriptionEndsWhenItsTaskIsCancelled") { c in
                try await c.store.append(c.events(3), to: "sub-cancel-1", expectedVersion: .noStream)
                let store = c.store
                let seen = SeenCounter()
                let task = Task {
                    for try await _ in store.subscribe(from: .start) { await seen.add() }
                    return true
                }
                try await c.within(10) { while await seen.count < 3 { try await Task.sleep(for: .milliseconds(5)) } }
                task.cancel()
                let ended = try await c.within(10) { try await task.value }
                try c.expect(ended, "the sequence ended")
                try c.expectEqual(await seen.count, 3, "no event after the existing ones")
            },
            ConformanceCase("subscriptionEndsCleanlyWhenTheStoreCloses") { c in
                try await c.store.append(c.events(2), to: "sub-close-1", expectedVersion: .noStream)
                let store = c.store
                let seen = SeenCounter()
                let task = Task {
                    for try await _ in store.subscribe(from: .start) { await seen.add() }
                    return await seen.count
                }
                try await c.within(10) { while await seen.count < 2 { try await Task.sleep(for: .milliseconds(5)) } }
                await store.close()
                let count = try await c.within(10) { try await task.value }
                try c.expectEqual(count, 2, "ended after the stored events, without error")
            },
        ]
    }
}

/// Counts events seen by a subscriber task.
actor SeenCounter {
    private(set) var count = 0
    func add() { count += 1 }
}
