import EventSourcing
import Synchronization

/// Remembers a fact that depends only on an event payload's type — which part of a projection handles it,
/// whether it conforms to a protocol — so a projection works it out once per type instead of once per event.
/// A `switch` over `case let e as T` patterns tries one dynamic cast per case, and a cast to a protocol
/// looks the conformance up; over a rebuild of a million events both showed in the profile.
final class PayloadTypeMemo<Value: Sendable>: Sendable {
    private let known = Mutex<[ObjectIdentifier: Value]>([:])

    init() {}

    /// The value remembered for `payload`'s type, if any.
    func remembered(for payload: any EventPayload) -> Value? {
        let type = ObjectIdentifier(Swift.type(of: payload))
        return known.withLock { $0[type] }
    }

    func remember(_ value: Value, for payload: any EventPayload) {
        let type = ObjectIdentifier(Swift.type(of: payload))
        known.withLock { $0[type] = value }
    }

    /// The value remembered for `payload`'s type, or `compute()`'s, remembered from now on.
    func value(for payload: any EventPayload, _ compute: () -> Value) -> Value {
        if let value = remembered(for: payload) { return value }
        let value = compute()
        remember(value, for: payload)
        return value
    }
}
