import EventSourcing
import Foundation
import Testing

@Suite("Event-sourcing vocabulary")
struct VocabularyTests {
    @Test func expectedVersionIsSatisfiedOnlyByMatchingStreamVersions() {
        #expect(ExpectedVersion.any.isSatisfied(by: .noStream))
        #expect(ExpectedVersion.any.isSatisfied(by: 7))
        #expect(ExpectedVersion.noStream.isSatisfied(by: .noStream))
        #expect(!ExpectedVersion.noStream.isSatisfied(by: 1))
        #expect(ExpectedVersion.streamExists.isSatisfied(by: 1))
        #expect(!ExpectedVersion.streamExists.isSatisfied(by: .noStream))
        #expect(ExpectedVersion.exact(3).isSatisfied(by: 3))
        #expect(!ExpectedVersion.exact(3).isSatisfied(by: 4))
        #expect(ExpectedVersion.exact(.noStream).isSatisfied(by: .noStream))
    }

    @Test func streamIDsNameTheirCategory() {
        #expect(StreamID("customer-42").category == "customer")
        #expect(StreamID(category: "task", id: 7).rawValue == "task-7")
        #expect(StreamID("settings").category == "settings")
    }

    @Test func positionsAndVersionsOrderAndStep() {
        #expect(GlobalPosition.start < GlobalPosition(1))
        #expect(GlobalPosition(41).next == 42)
        #expect(StreamVersion.noStream.next == .first)
        #expect(StreamVersion.end > StreamVersion(UInt64.max - 1))
    }

    @Test func errorsDescribeTheirFactsWithoutPayloads() {
        let error = EventStoreError.wrongExpectedVersion("order-1", expected: .exact(2), actual: 5)
        #expect(error.code == .wrongExpectedVersion)
        #expect(error.actualVersion == 5)
        #expect(error.description.contains("order-1"))
        #expect(error.description.contains("actual version 5"))
        #expect(EventStoreError.Code.storeInUse != .wrongExpectedVersion)
    }
}

@Suite("Limits")
struct LimitsTests {
    let limits = EventStoreLimits(maxStreamIDBytes: 10, maxEventTypeBytes: 8, maxMetadataFieldBytes: 5, maxEventBytes: 200, maxEventsPerAppend: 3)
    let ids = SequentialIDGenerator()

    func event(type: String = "T", payload: Int = 0, actor: String = "a") -> EventData {
        EventData(id: ids.next(), type: type, payload: [UInt8](repeating: 0, count: payload), metadata: EventMetadata(actor: actor))
    }

    func code(_ appends: [StreamAppend]) -> EventStoreError.Code? {
        do {
            try limits.validate(appends)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func validAppendsPass() {
        #expect(code([StreamAppend(stream: "s-1", expectedVersion: .any, events: [event()])]) == nil)
        #expect(code([StreamAppend(stream: "中文流", expectedVersion: .any, events: [event()])]) == nil)  // 9 bytes
    }

    @Test func eachBreachHasItsOwnCode() {
        #expect(code([]) == .emptyAppend)
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [])]) == .emptyAppend)
        #expect(code([StreamAppend(stream: "", expectedVersion: .any, events: [event()])]) == .invalidStreamID)
        #expect(code([StreamAppend(stream: "中文流水", expectedVersion: .any, events: [event()])]) == .invalidStreamID)  // 12 bytes
        #expect(code([StreamAppend(stream: "a\u{7F}b", expectedVersion: .any, events: [event()])]) == .invalidStreamID)
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [event(), event(), event(), event()])]) == .tooManyEvents)
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [event(type: "")])]) == .invalidEvent)
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [event(type: "TooLongType")])]) == .invalidEvent)
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [event(actor: "actor!")])]) == .invalidEvent)
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [event(payload: 200)])]) == .eventTooLarge)
        var zero = event()
        zero.schemaVersion = 0
        #expect(code([StreamAppend(stream: "s", expectedVersion: .any, events: [zero])]) == .invalidEvent)
    }
}

@Suite("Clocks and ids")
struct ClockAndIDTests {
    @Test func manualClockMovesOnlyWhenTold() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1000))
        #expect(clock.now() == Date(timeIntervalSince1970: 1000))
        clock.advance(by: 60)
        #expect(clock.now() == Date(timeIntervalSince1970: 1060))
        clock.set(Date(timeIntervalSince1970: 5))
        #expect(clock.now() == Date(timeIntervalSince1970: 5))
    }

    @Test func uuidV7IdsCarryVersionVariantAndTheClocksMilliseconds() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600.123))
        let id = UUIDv7Generator(clock: clock).next()
        let bytes = id.uuid
        #expect(bytes.6 >> 4 == 7, "version nibble")
        #expect(bytes.8 >> 6 == 0b10, "RFC 4122 variant")
        #expect(id.v7Milliseconds == 1_767_225_600_123)
    }

    @Test func uuidV7IdsFromOneGeneratorStrictlyIncreaseEvenWithinOneMillisecond() {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let generator = UUIDv7Generator(clock: clock)
        var previous = generator.next()
        for i in 0..<10_000 {
            if i == 5000 { clock.advance(by: 0.001) }
            let id = generator.next()
            #expect(id.uuidString.lowercased() > previous.uuidString.lowercased(), "ids must sort in creation order")
            previous = id
        }
    }

    @Test func sequentialIDsAreReproducibleFromTheirSeed() {
        let a = SequentialIDGenerator(seed: 3)
        let b = SequentialIDGenerator(seed: 3)
        let c = SequentialIDGenerator(seed: 4)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        #expect(Set(first).count == 5)
    }
}

@Suite("Commit notifier and subscriptions")
struct NotifierTests {
    @Test func waitReturnsOnceTheHeadPassesThePosition() async {
        let notifier = CommitNotifier(head: 3)
        #expect(await notifier.wait(beyond: 2))
        let waiter = Task { await notifier.wait(beyond: 5) }
        notifier.publish(head: 5)  // not beyond 5
        try? await Task.sleep(for: .milliseconds(20))
        notifier.publish(head: 6)
        #expect(await waiter.value)
        #expect(notifier.head == 6)
    }

    @Test func closeAndCancellationEndWaitsWithFalse() async {
        let notifier = CommitNotifier()
        let cancelled = Task { await notifier.wait(beyond: 10) }
        cancelled.cancel()
        #expect(await cancelled.value == false)
        let closing = Task { await notifier.wait(beyond: 10) }
        try? await Task.sleep(for: .milliseconds(20))
        notifier.close()
        #expect(await closing.value == false)
        #expect(await notifier.wait(beyond: 0) == false)
    }

    @Test func inMemorySubscriptionDeliversStoredAndLiveEventsInOrder() async throws {
        let store = InMemoryEventStore()
        let ids = SequentialIDGenerator()
        func events(_ n: Int) -> [EventData] { (0..<n).map { _ in EventData(id: ids.next(), type: "T", payload: [], metadata: .system) } }
        try await store.append(events(3), to: "a-1", expectedVersion: .noStream)
        let reader = Task {
            var positions: [UInt64] = []
            for try await event in store.subscribe(from: .start) {
                positions.append(event.position.rawValue)
                if positions.count == 6 { break }
            }
            return positions
        }
        try await store.append(events(3), to: "a-2", expectedVersion: .noStream)
        #expect(try await reader.value == [1, 2, 3, 4, 5, 6])
    }
}
