/// The events of a subscription: an `AsyncSequence` that catches up from the log and then follows it live.
///
/// A store builds one from two functions: reading a batch of the log from a position, and waiting until
/// the log grows beyond a position. Because it reads the log by position, it cannot skip or repeat an
/// event, whatever the timing of commits.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    /// Reads up to `limit` events forward from a position (inclusive).
    public typealias ReadBatch = @Sendable (_ from: GlobalPosition, _ limit: Int) async throws -> [RecordedEvent]
    /// Waits until the head is beyond a position; returns false when the store closed or the task was cancelled.
    public typealias WaitForHead = @Sendable (_ beyond: GlobalPosition) async -> Bool

    private let start: GlobalPosition
    private let batchSize: Int
    private let read: ReadBatch
    private let wait: WaitForHead

    public init(from start: GlobalPosition, batchSize: Int = 512, read: @escaping ReadBatch, waitForHead: @escaping WaitForHead) {
        self.start = start
        self.batchSize = Swift.max(batchSize, 1)
        self.read = read
        self.wait = waitForHead
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(next: Swift.max(start, GlobalPosition(1)), batchSize: batchSize, read: read, wait: wait)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var nextPosition: GlobalPosition
        let batchSize: Int
        let read: ReadBatch
        let wait: WaitForHead
        var buffer: [RecordedEvent] = []
        var index = 0
        var finished = false

        init(next: GlobalPosition, batchSize: Int, read: @escaping ReadBatch, wait: @escaping WaitForHead) {
            self.nextPosition = next
            self.batchSize = batchSize
            self.read = read
            self.wait = wait
        }

        public mutating func next() async throws -> RecordedEvent? {
            while !finished {
                if index < buffer.count {
                    let event = buffer[index]
                    index += 1
                    nextPosition = event.position.next
                    return event
                }
                if Task.isCancelled { break }
                buffer = try await read(nextPosition, batchSize)
                index = 0
                if buffer.isEmpty {
                    let last = GlobalPosition(nextPosition.rawValue &- 1)
                    if await !wait(last) { break }
                }
            }
            finished = true
            buffer = []
            return nil
        }
    }
}
