import EventSourcing
import Foundation

/// What a signed-in session authenticates with on every request: the API token it signed in with (so a
/// revoked token or a deactivated employee ends the session at the next page), or the employee whose
/// password was checked at sign-in. Kept in server memory only; the cookie holds just the session id.
enum Credential: Sendable {
    case token(String)
    case password(UUID)
}

/// One browser session: before sign-in it only carries the CSRF token of the sign-in form.
struct Session: Sendable {
    /// The cookie's value: 256 random bits.
    let id: String
    /// The token every form of this session carries (256 random bits), checked on every POST.
    let csrf: String
    var credential: Credential?
    var lastSeen: ContinuousClock.Instant
    /// A one-time message for the next page (after a redirect).
    var notice: String?
    /// The log position of this session's last write: pages read views at least that new (read your writes).
    var position: GlobalPosition?
}

/// The sessions, in memory: forgotten after `idleTimeout` unused, the least recently used dropped beyond
/// `maxSessions`. A restart signs everyone out.
actor SessionStore {
    private var sessions: [String: Session] = [:]
    private let idleTimeout: Duration
    private let maxSessions: Int
    private let clock = ContinuousClock()

    init(idleTimeout: Duration, maxSessions: Int) {
        self.idleTimeout = idleTimeout
        self.maxSessions = max(1, maxSessions)
    }

    /// The live session with `id`, marked as used now.
    func session(_ id: String?) -> Session? {
        guard let id, !id.isEmpty, id.count <= 64, var session = sessions[id] else { return nil }
        let now = clock.now
        guard session.lastSeen.duration(to: now) < idleTimeout else {
            sessions[id] = nil
            return nil
        }
        session.lastSeen = now
        sessions[id] = session
        return session
    }

    /// A new session with fresh random id and CSRF token.
    func create(credential: Credential?) -> Session {
        if sessions.count >= maxSessions { evict() }
        let session = Session(id: Self.randomToken(), csrf: Self.randomToken(), credential: credential, lastSeen: clock.now)
        sessions[session.id] = session
        return session
    }

    func remove(_ id: String) {
        sessions[id] = nil
    }

    func setNotice(_ notice: String?, for id: String) {
        sessions[id]?.notice = notice
    }

    /// Remembers a write: the notice for the next page and the position views must reach.
    func wrote(at position: GlobalPosition, notice: String?, for id: String) {
        sessions[id]?.notice = notice
        if let known = sessions[id]?.position, known > position { return }
        sessions[id]?.position = position
    }

    /// The pending one-time message, cleared.
    func takeNotice(for id: String) -> String? {
        let notice = sessions[id]?.notice
        sessions[id]?.notice = nil
        return notice
    }

    private func evict() {
        let now = clock.now
        sessions = sessions.filter { $0.value.lastSeen.duration(to: now) < idleTimeout }
        while sessions.count >= maxSessions, let oldest = sessions.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
            sessions[oldest.key] = nil
        }
    }

    /// 256 bits from the system's secure generator, base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
