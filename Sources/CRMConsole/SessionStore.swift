import EventSourcing
import Foundation

/// What a signed-in session authenticates with on every request: the API token it signed in with (so a
/// revoked token or a deactivated employee ends the session at the next page), or the employee whose
/// password was checked at sign-in with the version of that password (so setting it again, on any server
/// sharing the log, ends the session at the next page). Kept in server memory only; the cookie holds just
/// the session id.
enum Credential: Sendable {
    case token(String)
    case password(UUID, version: StreamVersion)
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
/// `maxSessions`. Sessions not signed in (a sign-in form's) are a pool of their own, as large, so loading
/// the sign-in page — which anyone can, as often as they like — never pushes out a signed-in session.
/// A restart signs everyone out.
actor SessionStore {
    private var signedIn: [String: Session] = [:]
    private var anonymous: [String: Session] = [:]
    private let idleTimeout: Duration
    private let maxSessions: Int
    private let clock = ContinuousClock()

    init(idleTimeout: Duration, maxSessions: Int) {
        self.idleTimeout = idleTimeout
        self.maxSessions = max(1, maxSessions)
    }

    /// The live session with `id`, marked as used now.
    func session(_ id: String?) -> Session? {
        guard let id, !id.isEmpty, id.count <= 64 else { return nil }
        let now = clock.now
        var found: Session?
        update(id) { session in
            guard session.lastSeen.duration(to: now) < idleTimeout else { return false }
            session.lastSeen = now
            found = session
            return true
        }
        return found
    }

    /// A new session with fresh random id and CSRF token.
    func create(credential: Credential?) -> Session {
        let session = Session(id: Self.randomToken(), csrf: Self.randomToken(), credential: credential, lastSeen: clock.now)
        if credential == nil {
            if anonymous.count >= maxSessions { evict(&anonymous) }
            anonymous[session.id] = session
        } else {
            if signedIn.count >= maxSessions { evict(&signedIn) }
            signedIn[session.id] = session
        }
        return session
    }

    /// Ends every session signed in with `employee`'s password but `keeping` (after the password changed).
    func removePasswordSessions(of employee: UUID, keeping: String) {
        signedIn = signedIn.filter { id, session in
            guard id != keeping, case .password(let owner, _) = session.credential else { return true }
            return owner != employee
        }
    }

    /// Replaces the credential of the signed-in session `id` (its own password change: the new version).
    func setCredential(_ credential: Credential, for id: String) {
        signedIn[id]?.credential = credential
    }

    func remove(_ id: String) {
        signedIn[id] = nil
        anonymous[id] = nil
    }

    func setNotice(_ notice: String?, for id: String) {
        update(id) { $0.notice = notice; return true }
    }

    /// Remembers a write: the notice for the next page and the position views must reach.
    func wrote(at position: GlobalPosition, notice: String?, for id: String) {
        update(id) { session in
            session.notice = notice
            if let known = session.position, known > position { return true }
            session.position = position
            return true
        }
    }

    /// The pending one-time message, cleared.
    func takeNotice(for id: String) -> String? {
        var notice: String?
        update(id) { session in
            notice = session.notice
            session.notice = nil
            return true
        }
        return notice
    }

    /// Lets `body` change the session `id` in whichever pool holds it; `body` returning false removes it.
    private func update(_ id: String, _ body: (inout Session) -> Bool) {
        if var session = signedIn[id] {
            signedIn[id] = body(&session) ? session : nil
        } else if var session = anonymous[id] {
            anonymous[id] = body(&session) ? session : nil
        }
    }

    /// Makes room in a full pool: the expired sessions go, then, if that was not enough, the least recently
    /// used tenth (one sort for many creations, not a search per creation).
    private func evict(_ pool: inout [String: Session]) {
        let now = clock.now
        pool = pool.filter { $0.value.lastSeen.duration(to: now) < idleTimeout }
        guard pool.count >= maxSessions else { return }
        let oldest = pool.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(max(1, maxSessions / 10))
        for (id, _) in oldest { pool[id] = nil }
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
