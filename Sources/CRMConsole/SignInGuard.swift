import Foundation
import HummingbirdBcrypt

/// Slows down password and token guessing: at most `limit` failed sign-ins per client address within
/// `window` (an attempt counts from its start; a success takes only itself back); past that, sign-in is
/// refused (429) until the oldest failure leaves the window. Also keeps a
/// bcrypt hash of nothing, checked when the engine refused without asking for a password check (unknown
/// employee, or one without a password), so a refusal takes about as long either way.
actor SignInGuard {
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private let limit: Int
    private let window: Duration
    private let clock = ContinuousClock()
    private let cost: UInt8
    private var decoy: String?

    init(limit: Int = 10, window: Duration = .seconds(15 * 60), cost: UInt8) {
        self.limit = limit
        self.window = window
        self.cost = cost
    }

    /// Counts a sign-in attempt from `address` as failed before its check begins, so attempts sent
    /// together cannot all pass the limit while their checks run; nil when the address is over the limit.
    /// Pass what it returns to ``succeeded(_:attempt:)`` when the attempt succeeds.
    func begin(_ address: String) -> ContinuousClock.Instant? {
        prune(address)
        guard (failures[address]?.count ?? 0) < limit else { return nil }
        if failures.count > 100_000 { failures.removeAll() }  // bounded memory under a flood of addresses
        let now = clock.now
        failures[address, default: []].append(now)
        return now
    }

    /// The attempt begun at `attempt` succeeded: it no longer counts. The address's failures still do — a
    /// success with one's own token does not buy more guesses at someone else's password.
    func succeeded(_ address: String, attempt: ContinuousClock.Instant) {
        guard var list = failures[address], let index = list.lastIndex(of: attempt) else { return }
        list.remove(at: index)
        failures[address] = list.isEmpty ? nil : list
    }

    private func prune(_ address: String) {
        let now = clock.now
        failures[address] = failures[address]?.filter { $0.duration(to: now) < window }
        if failures[address]?.isEmpty == true { failures[address] = nil }
    }

    /// A bcrypt hash of nothing anyone types, at the console's cost, made once.
    func decoyHash() async -> String {
        if let decoy { return decoy }
        let cost = self.cost
        let made = await Console.offload { Bcrypt.hash(SessionStore.randomToken(), cost: cost) }
        decoy = made
        return made
    }
}

/// Whether the engine asked for a password check during one sign-in.
actor VerifierCalls {
    private(set) var called = false
    func mark() { called = true }
}
