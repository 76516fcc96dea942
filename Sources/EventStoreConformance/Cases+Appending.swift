import EventSourcing
import Foundation

extension EventStoreConformance {
    static var appending: [ConformanceCase] {
        [
            ConformanceCase("appendToNewStreamNumbersVersionsFromOneAndPositionsWithoutGaps") { c in
                let first = try await c.store.append(c.events(3), to: "order-1", expectedVersion: .noStream)
                try c.expectEqual(first.firstPosition, 1, "first position")
                try c.expectEqual(first.lastPosition, 3, "last position")
                try c.expectEqual(first.streamVersion, 3, "stream version")
                try c.expect(!first.wasAlreadyStored, "a new append is not a re-send")
                let second = try await c.store.append(c.events(2), to: "order-2", expectedVersion: .noStream)
                try c.expectEqual(second.firstPosition, 4, "positions continue across streams")
                try c.expectEqual(second.streamVersion, 2, "second stream's version")
                let events = try await c.store.readStream("order-1")
                try c.expectEqual(events.map(\.streamVersion.rawValue), [1, 2, 3], "versions")
                try c.expectEqual(events.map(\.position.rawValue), [1, 2, 3], "positions")
                try c.expectEqual(try await c.store.streamVersion(of: "order-1"), 3, "head version")
                try c.expectEqual(try await c.store.headPosition(), 5, "log head")
            },
            ConformanceCase("appendedEventsReadBackWithEveryEnvelopeField") { c in
                let correlation = c.ids.next()
                let causation = c.ids.next()
                let payload = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
                let metadata = EventMetadata(actor: "emp-42", correlationID: correlation, causationID: causation, sourceSystem: "billing", clientIP: "192.0.2.7")
                let event = EventData(id: c.ids.next(), type: "CustomerEdited", schemaVersion: 3, payload: payload, metadata: metadata)
                let bare = EventData(id: c.ids.next(), type: "客户已创建", schemaVersion: 1, payload: [], metadata: EventMetadata(actor: "系统"))
                try await c.store.append([event, bare], to: "customer-ä-1", expectedVersion: .any)
                let read = try await c.store.readStream("customer-ä-1")
                try c.expectEqual(read.count, 2, "events read")
                try c.expectEqual(read[0].data, event, "first event as appended")
                try c.expectEqual(read[1].data, bare, "second event as appended")
                try c.expectEqual(read[0].stream, "customer-ä-1", "stream id")
                let expectedTime = c.clock.now().timeIntervalSince1970
                try c.expect(abs(read[0].recordedAt.timeIntervalSince1970 - expectedTime) < 0.001,
                             "recordedAt comes from the injected clock (\(read[0].recordedAt) vs \(c.clock.now()))")
                c.clock.advance(by: 3600)
                try await c.store.append(c.events(1), to: "customer-ä-1", expectedVersion: .exact(2))
                let later = try await c.store.readStream("customer-ä-1", from: 3, direction: .forward, limit: 1)
                try c.expect(abs(later[0].recordedAt.timeIntervalSince1970 - (expectedTime + 3600)) < 0.001, "recordedAt follows the clock")
            },
            ConformanceCase("recordedTimesNeverDecreaseAlongPositionsWhenTheClockIsSetBack") { c in
                try await c.store.append(c.events(2), to: "clock-1", expectedVersion: .noStream)
                let first = try await c.store.readStream("clock-1")[1].recordedAt
                c.clock.advance(by: -3 * 86_400)  // the clock set back three days (NTP, an operator)
                try await c.store.append(c.events(1), to: "clock-1", expectedVersion: .exact(2))
                try await c.store.append(c.events(1), to: "clock-2", expectedVersion: .noStream)
                let all = try await c.store.readAll(from: .start, direction: .forward, limit: 10)
                try c.expectEqual(all.count, 4, "events read")
                for (earlier, later) in zip(all, all.dropFirst()) {
                    try c.expect(later.recordedAt >= earlier.recordedAt,
                                 "position \(later.position) recorded at \(later.recordedAt), before position \(earlier.position) at \(earlier.recordedAt)")
                }
                // Recorded after the last event, not at its instant: as-of by that instant leaves them out.
                try c.expect(all[2].recordedAt > first && all[2].recordedAt.timeIntervalSince(first) < 0.001,
                             "a commit while the clock reads earlier is recorded just after the last event (\(all[2].recordedAt) vs \(first))")
                // Once the clock is past the last recorded time again, it is followed.
                c.clock.advance(by: 3 * 86_400 + 60)
                try await c.store.append(c.events(1), to: "clock-2", expectedVersion: .exact(1))
                let last = try await c.store.readAll(from: 5, direction: .forward, limit: 1)
                try c.expect(abs((last.first?.recordedAt.timeIntervalSince1970 ?? 0) - c.clock.now().timeIntervalSince1970) < 0.001,
                             "recordedAt follows the clock again")
            },
            ConformanceCase("staleExpectedVersionIsRefusedWithTheActualVersionAndWritesNothing") { c in
                try await c.store.append(c.events(2), to: "task-1", expectedVersion: .noStream)
                let error = try await c.expectError(.wrongExpectedVersion) {
                    try await c.store.append(c.events(1), to: "task-1", expectedVersion: .exact(1))
                }
                try c.expectEqual(error.actualVersion, StreamVersion(2), "actual version in the error")
                try c.expectEqual(error.stream, StreamID("task-1"), "stream in the error")
                try await c.expectHead(2)
                try c.expectEqual(try await c.store.streamVersion(of: "task-1"), 2, "stream version unchanged")
            },
            ConformanceCase("expectedNoStreamOnAnExistingStreamIsRefused") { c in
                try await c.store.append(c.events(1), to: "task-2", expectedVersion: .noStream)
                let error = try await c.expectError(.wrongExpectedVersion) {
                    try await c.store.append(c.events(1), to: "task-2", expectedVersion: .noStream)
                }
                try c.expectEqual(error.actualVersion, StreamVersion(1), "actual version")
                try await c.expectHead(1)
            },
            ConformanceCase("expectedStreamExistsOnAMissingStreamIsRefused") { c in
                let error = try await c.expectError(.wrongExpectedVersion) {
                    try await c.store.append(c.events(1), to: "task-3", expectedVersion: .streamExists)
                }
                try c.expectEqual(error.actualVersion, StreamVersion.noStream, "actual version")
                try await c.expectHead(.start)
                try await c.store.append(c.events(1), to: "task-3", expectedVersion: .noStream)
                try await c.store.append(c.events(1), to: "task-3", expectedVersion: .streamExists)
                try c.expectEqual(try await c.store.streamVersion(of: "task-3"), 2, "appends once the stream exists")
            },
            ConformanceCase("expectedAnyAndExactVersionsAppendInOrder") { c in
                try await c.store.append(c.events(1), to: "task-4", expectedVersion: .any)
                try await c.store.append(c.events(1), to: "task-4", expectedVersion: .any)
                try await c.store.append(c.events(1), to: "task-4", expectedVersion: .exact(2))
                try await c.store.append(c.events(1), to: "task-5", expectedVersion: .exact(.noStream))
                try c.expectEqual(try await c.store.streamVersion(of: "task-4"), 3, "version after three appends")
                try c.expectEqual(try await c.store.streamVersion(of: "task-5"), 1, "exact(noStream) creates the stream")
            },
            ConformanceCase("multiStreamAppendWritesEveryStreamWithGaplessPositions") { c in
                try await c.store.append(c.events(1), to: "quote-1", expectedVersion: .noStream)
                let results = try await c.store.append([
                    StreamAppend(stream: "quote-1", expectedVersion: .exact(1), events: c.events(2)),
                    StreamAppend(stream: "reservation-Q-2026-1", expectedVersion: .noStream, events: c.events(1)),
                ])
                try c.expectEqual(results.count, 2, "one result per stream")
                try c.expectEqual(results[0].firstPosition, 2, "first stream's first position")
                try c.expectEqual(results[0].lastPosition, 3, "first stream's last position")
                try c.expectEqual(results[0].streamVersion, 3, "first stream's version")
                try c.expectEqual(results[1].firstPosition, 4, "second stream follows")
                try c.expectEqual(results[1].streamVersion, 1, "second stream's version")
                let all = try await c.store.readAll(from: .start, direction: .forward, limit: 100)
                try c.expectEqual(all.map(\.position.rawValue), [1, 2, 3, 4], "gapless positions")
            },
            ConformanceCase("multiStreamAppendIsAllOrNothingWhenOneStreamConflicts") { c in
                try await c.store.append(c.events(1), to: "quote-2", expectedVersion: .noStream)
                try await c.store.append(c.events(1), to: "reservation-Q-9", expectedVersion: .noStream)
                try await c.expectError(.wrongExpectedVersion) {
                    try await c.store.append([
                        StreamAppend(stream: "quote-2", expectedVersion: .exact(1), events: c.events(1)),
                        StreamAppend(stream: "reservation-Q-9", expectedVersion: .noStream, events: c.events(1)),
                    ])
                }
                try await c.expectHead(2)
                try c.expectEqual(try await c.store.streamVersion(of: "quote-2"), 1, "first stream untouched")
            },
            ConformanceCase("sameStreamTwiceInOneAppendContinuesItsVersions") { c in
                let results = try await c.store.append([
                    StreamAppend(stream: "visit-1", expectedVersion: .noStream, events: c.events(2)),
                    StreamAppend(stream: "visit-1", expectedVersion: .exact(2), events: c.events(1)),
                ])
                try c.expectEqual(results.map(\.streamVersion), [2, 3], "versions continue")
                let events = try await c.store.readStream("visit-1")
                try c.expectEqual(events.map(\.streamVersion.rawValue), [1, 2, 3], "stream reads in order")
            },
            ConformanceCase("appendAfterCloseFailsWithClosed") { c in
                try await c.store.append(c.events(1), to: "late-1", expectedVersion: .any)
                await c.store.close()
                await c.store.close()
                try await c.expectError(.closed) {
                    try await c.store.append(c.events(1), to: "late-1", expectedVersion: .any)
                }
            },
        ]
    }

    static var concurrency: [ConformanceCase] {
        [
            ConformanceCase("concurrentAppendersEachGetTheirOwnResultAndPositionsStayGapless") { c in
                let store = c.store
                let writers = 48
                let perWriter = 5
                let eventsByWriter = (0..<writers).map { _ in (0..<perWriter).map { _ in c.event() } }
                try await withThrowingTaskGroup(of: [AppendResult].self) { group in
                    for w in 0..<writers {
                        let events = eventsByWriter[w]
                        group.addTask {
                            var results: [AppendResult] = []
                            for (v, event) in events.enumerated() {
                                results.append(try await store.append([event], to: StreamID("ticket-\(w)"), expectedVersion: .exact(StreamVersion(UInt64(v)))))
                            }
                            return results
                        }
                    }
                    var positions: [UInt64] = []
                    for try await results in group {
                        try c.expectEqual(results.map(\.streamVersion.rawValue), Array(1...UInt64(perWriter)), "each writer's versions")
                        positions += results.map(\.firstPosition.rawValue)
                    }
                    try c.expectEqual(positions.sorted(), Array(1...UInt64(writers * perWriter)), "positions are gapless and unique")
                }
                let all = try await store.readAll(from: .start, direction: .forward, limit: .max)
                try c.expectEqual(all.map(\.position.rawValue), Array(1...UInt64(writers * perWriter)), "the log is gapless")
            },
            ConformanceCase("oneCallersConflictDoesNotFailTheOthersAppendingAtTheSameTime") { c in
                let store = c.store
                try await store.append(c.events(1), to: "case-0", expectedVersion: .noStream)
                let good = (0..<32).map { _ in c.event() }
                let bad = (0..<32).map { _ in c.event() }
                let outcomes = await withTaskGroup(of: (Bool, Bool).self) { group in
                    for i in 0..<32 {
                        let goodEvent = good[i]
                        let badEvent = bad[i]
                        group.addTask {
                            let ok = (try? await store.append([goodEvent], to: StreamID("case-good-\(i)"), expectedVersion: .noStream)) != nil
                            return (true, ok)
                        }
                        group.addTask {
                            // Always stale: case-0 is at version 1.
                            let ok = (try? await store.append([badEvent], to: "case-0", expectedVersion: .exact(5))) != nil
                            return (false, ok)
                        }
                    }
                    var outcomes: [(Bool, Bool)] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                try c.expectEqual(outcomes.filter { $0.0 && $0.1 }.count, 32, "every good append succeeded")
                try c.expectEqual(outcomes.filter { !$0.0 && $0.1 }.count, 0, "every stale append failed")
                try await c.expectHead(33)
            },
        ]
    }
}
