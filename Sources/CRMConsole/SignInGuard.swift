import Foundation
import HummingbirdBcrypt

/// Slows down password and token guessing: at most `limit` failed sign-ins per client address within
/// `window`; past that, sign-in is refused (429) until the oldest failure leaves the window. Also keeps a
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

    /// Whether `address` may try to sign in now.
    func allows(_ address: String) -> Bool {
        prune(address)
        return (failures[address]?.count ?? 0) < limit
    }

    func failed(_ address: String) {
        prune(address)
        if failures.count > 100_000 { failures.removeAll() }  // bounded memory under a flood of addresses
        failures[address, default: []].append(clock.now)
    }

    func succeeded(_ address: String) {
        failures[address] = nil
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
