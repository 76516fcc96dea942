import EventSourcing
import Foundation

extension EventStoreConformance {
    static var idempotency: [ConformanceCase] {
        [
            ConformanceCase("resendingStoredEventsReturnsTheOriginalPositionsAndWritesNothing") { c in
                let events = c.events(3)
                try await c.store.append(c.events(2), to: "other-1", expectedVersion: .noStream)
                let original = try await c.store.append(events, to: "contact-1", expectedVersion: .noStream)
                // Checked before the version check: .noStream is stale now, yet the re-send succeeds.
                let again = try await c.store.append(events, to: "contact-1", expectedVersion: .noStream)
                try c.expect(again.wasAlreadyStored, "the re-send is reported as already stored")
                try c.expectEqual(again.firstPosition, original.firstPosition, "first position")
                try c.expectEqual(again.lastPosition, original.lastPosition, "last position")
                try c.expectEqual(again.streamVersion, original.streamVersion, "stream version")
                try await c.expectHead(5)
                let subset = try await c.store.append([events[1]], to: "contact-1", expectedVersion: .any)
                try c.expectEqual(subset.firstPosition, GlobalPosition(4), "a stored subset returns its own position")
                try await c.expectHead(5)
            },
            ConformanceCase("storedEventIDWithOtherContentIsRefused") { c in
                let event = c.event(payload: Array("a".utf8))
                try await c.store.append([event], to: "contact-2", expectedVersion: .noStream)
                var changed = event
                changed.payload = Array("b".utf8)
                let error = try await c.expectError(.eventIDConflict) {
                    try await c.store.append([changed], to: "contact-2", expectedVersion: .any)
                }
                try c.expectEqual(error.eventID, event.id, "conflicting id in the error")
                var otherType = event
                otherType.type = "Else"
                try await c.expectError(.eventIDConflict) {
                    try await c.store.append([otherType], to: "contact-2", expectedVersion: .any)
                }
                var otherActor = event
                otherActor.metadata.actor = "intruder"
                try await c.expectError(.eventIDConflict) {
                    try await c.store.append([otherActor], to: "contact-2", expectedVersion: .any)
                }
                try await c.expectHead(1)
            },
            ConformanceCase("storedEventIDInAnotherStreamIsRefused") { c in
                let event = c.event()
                try await c.store.append([event], to: "contact-3", expectedVersion: .noStream)
                try await c.expectError(.eventIDConflict) {
                    try await c.store.append([event], to: "contact-4", expectedVersion: .any)
                }
                try await c.expectHead(1)
                try c.expectEqual(try await c.store.streamVersion(of: "contact-4"), .noStream, "other stream not created")
            },
            ConformanceCase("mixOfStoredAndNewEventIDsIsRefusedAndWritesNothing") { c in
                let stored = c.events(2)
                try await c.store.append(stored, to: "contact-5", expectedVersion: .noStream)
                try await c.expectError(.partiallyStored) {
                    try await c.store.append(stored + [c.event()], to: "contact-5", expectedVersion: .any)
                }
                try await c.expectError(.partiallyStored) {
                    try await c.store.append([c.event()] + stored, to: "contact-5", expectedVersion: .any)
                }
                try await c.expectHead(2)
            },
            ConformanceCase("sameEventIDTwiceInOneAppendIsRefused") { c in
                let event = c.event()
                try await c.expectError(.duplicateEventInAppend) {
                    try await c.store.append([event, event], to: "contact-6", expectedVersion: .any)
                }
                try await c.expectError(.duplicateEventInAppend) {
                    try await c.store.append([
                        StreamAppend(stream: "contact-6", expectedVersion: .any, events: [event]),
                        StreamAppend(stream: "contact-7", expectedVersion: .any, events: [event]),
                    ])
                }
                try await c.expectHead(.start)
            },
        ]
    }

    static var validation: [ConformanceCase] {
        [
            ConformanceCase("emptyAppendIsRefused") { c in
                try await c.expectError(.emptyAppend) {
                    try await c.store.append([], to: "empty-1", expectedVersion: .any)
                }
                try await c.expectError(.emptyAppend) { _ = try await c.store.append([]) }
                try await c.expectHead(.start)
            },
            ConformanceCase("oversizeEventIsRefusedAndWritesNothing") { c in
                let limit = c.store.limits.maxEventBytes
                let big = c.event(payload: [UInt8](repeating: 1, count: limit + 1))
                try await c.expectError(.eventTooLarge) {
                    try await c.store.append([c.event(), big], to: "big-1", expectedVersion: .any)
                }
                try await c.expectHead(.start)
                let fits = c.event(payload: [UInt8](repeating: 2, count: limit - 4096))
                try await c.store.append([fits], to: "big-1", expectedVersion: .any)
                let read = try await c.store.readStream("big-1")
                try c.expectEqual(read.first?.payload.count, limit - 4096, "a large event under the limit round-trips")
            },
            ConformanceCase("invalidStreamIDsAreRefused") { c in
                let tooLong = String(repeating: "x", count: c.store.limits.maxStreamIDBytes + 1)
                for bad in ["", tooLong, "line\nbreak", "nul\u{0}byte", "tab\there"] {
                    try await c.expectError(.invalidStreamID) {
                        try await c.store.append(c.events(1), to: StreamID(bad), expectedVersion: .any)
                    }
                }
                try await c.expectError(.invalidStreamID) {
                    try await c.store.append([
                        StreamAppend(stream: "fine-1", expectedVersion: .any, events: c.events(1)),
                        StreamAppend(stream: "", expectedVersion: .any, events: c.events(1)),
                    ])
                }
                try await c.expectHead(.start)
                let longest = String(repeating: "y", count: c.store.limits.maxStreamIDBytes)
                try await c.store.append(c.events(1), to: StreamID(longest), expectedVersion: .any)
                try c.expectEqual(try await c.store.streamVersion(of: StreamID(longest)), 1, "the longest allowed id works")
            },
            ConformanceCase("invalidEventTypeSchemaVersionOrMetadataIsRefused") { c in
                var noType = c.event()
                noType.type = ""
                var zeroSchema = c.event()
                zeroSchema.schemaVersion = 0
                var hugeActor = c.event()
                hugeActor.metadata.actor = String(repeating: "a", count: c.store.limits.maxMetadataFieldBytes + 1)
                for bad in [noType, zeroSchema, hugeActor] {
                    try await c.expectError(.invalidEvent) {
                        try await c.store.append([bad], to: "typed-1", expectedVersion: .any)
                    }
                }
                try await c.expectHead(.start)
            },
            ConformanceCase("tooManyEventsInOneAppendIsRefused") { c in
                let limit = c.store.limits.maxEventsPerAppend
                guard limit <= 200_000 else { return }
                let events = (0...limit).map { _ in EventData(id: c.ids.next(), type: "T", payload: [], metadata: .system) }
                try await c.expectError(.tooManyEvents) {
                    try await c.store.append(events, to: "many-1", expectedVersion: .any)
                }
                try await c.expectHead(.start)
            },
        ]
    }
}
