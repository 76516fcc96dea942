import CRMEngine
import Hummingbird
import NIOCore

/// Checks the bearer API token of every request it guards (`Authorization: Bearer crm_…`) with the engine
/// and puts the principal, seen from the client's IP, into the context; anything else answers 401
/// problem+json. The client IP is the peer's address, or the first address in `X-Forwarded-For` that is
/// not a trusted proxy when the peer itself is one.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let engine: CRMEngine
    let trustedProxies: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count <= 512 else { throw Problem.unauthenticated() }
        guard let token = Self.bearerToken(header) else { throw Problem.unauthenticated() }
        let ip = clientIP(request, peer: context.remoteAddress)
        var context = context
        do {
            context.principal = try await engine.authenticate(token: token, clientIP: ip)
        } catch let error as EngineError where error.code == .unauthenticated {
            throw Problem.unauthenticated()
        }
        return try await next(request, context)
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
