import CRMEngine
import Hummingbird
import NIOCore

/// Checks the bearer API token of every request it guards (`Authorization: Bearer crm_…`) with the engine
/// and puts the principal, seen from the client's IP, into the context; anything else answers 401
/// problem+json. The client IP is the peer's address, or the first address in `X-Forwarded-For` that is
/// not a trusted proxy when the peer itself is one.
///
/// A refused authentication (an `Authorization` header that is not a bearer token, or an unknown, revoked or
/// expired token, or one of a deactivated employee) is recorded in the read audit (R-LOG-8) as
/// `signin-failed:api` under `anonymous`, with the client IP only — never the token, any part of it or a
/// hash of it. A request without `Authorization` is no attempt to sign in: 401, nothing recorded. At most
/// ``FailedAuthentications/limit`` refusals per client IP within ``FailedAuthentications/window`` are
/// recorded, and at most ``FailedAuthentications/totalLimit`` from all addresses together; past that the
/// refusals answer 429 `too-many-requests` with `Retry-After` and are not recorded, so a flood — from one
/// address or many — cannot fill the audit. (The limit bounds the audit; it is no defence against guessing
/// tokens, which carry 256 random bits.) A valid token is still accepted from such an address
/// (a token cannot be guessed; one misbehaving client behind a shared address locks no one else out).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    /// The source system of the API's refused sign-ins in the read audit (`signin-failed:api`).
    static let sourceSystem = "api"
    let engine: CRMEngine
    let trustedProxies: Set<String>
    /// The refused authentications per client IP, for the audit's bound (one per router).
    let failures = FailedAuthentications()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw Problem.unauthenticated() }
        let ip = clientIP(request, peer: context.remoteAddress)
        guard header.count <= 512, let token = Self.bearerToken(header) else { return try await refused(from: ip) }
        var context = context
        do {
            context.principal = try await engine.authenticate(token: token, clientIP: ip)
        } catch let error as EngineError where error.code == .unauthenticated {
            return try await refused(from: ip)
        }
        return try await next(request, context)
    }

    /// A refused authentication from `ip`: within the address's limit, recorded in the read audit (the
    /// address only) and answered 401; past it, 429 with `Retry-After` (whole seconds until the address's
    /// oldest counted refusal leaves the window), not recorded.
    private func refused(from ip: String?) async throws -> Response {
        switch await failures.refused(ip ?? "unknown") {
        case .counted:
            engine.recordFailedSignIn(sourceSystem: Self.sourceSystem, clientIP: ip)
            throw Problem.unauthenticated()
        case .throttled(let retryAfter):
            var response = Problem("too-many-requests", .tooManyRequests,
                                   "too many failed authentications from this address; retry after the time in Retry-After").response()
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
    }

    /// The token of `Bearer <token>` (the scheme in any case, spaces or tabs around the token), nil for any
    /// other form.
    static func bearerToken(_ header: String) -> String? {
        let bytes = header.utf8
        let scheme = "bearer".utf8
        guard bytes.count > scheme.count,
              zip(bytes.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 }),
              bytes.dropFirst(scheme.count).first == UInt8(ascii: " ") else { return nil }
        func isSpace(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
        let rest = bytes.dropFirst(scheme.count + 1)
        guard let first = rest.firstIndex(where: { !isSpace($0) }), let last = rest.lastIndex(where: { !isSpace($0) }) else { return nil }
        return String(Substring(header.utf8[first...last]))
    }

    /// The client's address: X-Forwarded-For is believed only when the peer is a trusted proxy, read from
    /// the right, skipping the trusted proxies that appended to it.
    func clientIP(_ request: Request, peer: SocketAddress?) -> String? {
        let peerIP = peer?.ipAddress
        guard let peerIP, trustedProxies.contains(peerIP) else { return peerIP }
        let hops = request.headers.values(named: "x-forwarded-for").joined(separator: ",").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            // Only a well-formed address is recorded; anything else falls back to the proxy's address.
            return (try? SocketAddress(ipAddress: hop, port: 0)) != nil ? hop : peerIP
        }
        return peerIP
    }
}

/// Refused API authentications per client address within a sliding window: at most `limit` are counted (and
/// recorded in the read audit) per address within `window`; past that an address is throttled until its
/// oldest counted refusal leaves the window. A refusal is counted once its check has failed, in one step
/// with the limit's check, so concurrent refusals cannot pass the limit together; successes are not
/// counted and take nothing back. Memory is bounded: beyond 100,000 addresses the counts start over.
actor FailedAuthentications {
    enum Outcome: Equatable, Sendable {
        /// Within the limit: counted (record it, answer 401).
        case counted
        /// Over the limit: answer 429; retry after this many whole seconds.
        case throttled(retryAfter: Int)
    }

    /// Refusals counted per address within the window (as the web console's sign-in limit).
    let limit: Int
    /// Refusals counted from all addresses together within the window: a client rotating addresses (cheap
    /// with IPv6) is throttled once these are spent, so the audit's growth is bounded overall.
    let totalLimit: Int
    let window: Duration
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    /// The instants of the refusals counted from any address, oldest first.
    private var counted: [ContinuousClock.Instant] = []
    private let clock = ContinuousClock()

    init(limit: Int = 10, totalLimit: Int = 1_000, window: Duration = .seconds(15 * 60)) {
        self.limit = max(1, limit)
        self.totalLimit = max(1, totalLimit)
        self.window = window
    }

    /// Counts a refused authentication from `address` unless the address, or all addresses together, are
    /// over their limit.
    func refused(_ address: String) -> Outcome {
        let now = clock.now
        let window = self.window
        counted.removeFirst(counted.prefix { $0.duration(to: now) >= window }.count)
        let recent = failures[address]?.filter { $0.duration(to: now) < window } ?? []
        let oldest = recent.count >= limit ? recent.first : counted.count >= totalLimit ? counted.first : nil
        if let oldest {
            failures[address] = recent.isEmpty ? nil : recent
            let left = window - oldest.duration(to: now)
            let seconds = max(1, left.components.seconds + (left.components.attoseconds > 0 ? 1 : 0))
            return .throttled(retryAfter: Int(clamping: seconds))
        }
        // Memory: at most `totalLimit` addresses hold refusals within the window, so dropping the others keeps
        // the map small without forgetting any address still throttled.
        if recent.isEmpty, failures[address] == nil, failures.count >= 100_000 {
            failures = failures.filter { $0.value.last.map { $0.duration(to: now) < window } ?? false }
        }
        failures[address] = recent + [now]
        counted.append(now)
        return .counted
    }
}
