import Synchronization

/// Tells waiting subscribers that the log's head moved: a building block for ``EventStore`` implementations.
///
/// The store calls ``publish(head:)`` after each commit and ``close()`` when it closes; subscriptions
/// call ``wait(beyond:)``, which returns true once the head is past the given position and false when
/// the store closed or the waiting task was cancelled.
public final class CommitNotifier: Sendable {
    private struct Waiter {
        let beyond: GlobalPosition
        let continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var head: GlobalPosition
        var closed = false
        var nextToken = 0
        var waiters: [Int: Waiter] = [:]
    }
    private let state: Mutex<State>

    public init(head: GlobalPosition = .start) { state = Mutex(State(head: head)) }

    /// The last published head.
    public var head: GlobalPosition { state.withLock { $0.head } }

    /// Records a new head and wakes the subscribers waiting below it.
    public func publish(head: GlobalPosition) {
        let ready = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            guard head > s.head else { return [] }
            s.head = head
            var ready: [CheckedContinuation<Bool, Never>] = []
            for (token, waiter) in s.waiters where waiter.beyond < head {
                ready.append(waiter.continuation)
                s.waiters[token] = nil
            }
            return ready
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    /// Wakes every waiter with false; later waits return false at once.
    public func close() {
        let all = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.closed = true
            let all = s.waiters.values.map(\.continuation)
            s.waiters = [:]
            return all
        }
        for continuation in all { continuation.resume(returning: false) }
    }

    /// Waits until the head is beyond `position`. Returns false when closed or cancelled.
    public func wait(beyond position: GlobalPosition) async -> Bool {
        let token = state.withLock { s -> Int in
            s.nextToken += 1
            return s.nextToken
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { s in
                    if s.closed || Task.isCancelled { return false }
                    if s.head > position { return true }
                    s.waiters[token] = Waiter(beyond: position, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { s in s.waiters.removeValue(forKey: token) }
            waiter?.continuation.resume(returning: false)
        }
    }
}
