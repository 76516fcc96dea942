import CRMEngine
import Hummingbird
import NIOCore

/// The context of one request: the peer's address and, once the bearer token checked out, the principal
/// the request acts as (with the client IP the engine records).
public struct CRMRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer (a proxy's address when a proxy forwards the request).
    public let remoteAddress: SocketAddress?
    /// Who the request acts as; nil only on `/health` and before authentication.
    public var principal: Principal?
    /// For a write with an `Idempotency-Key`: the digest of its method, path and body (``IdempotencyDigestMiddleware``).
    public var requestDigest: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The authenticated principal; throws 401 when there is none (a route mounted without the middleware).
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw Problem.unauthenticated() }
        return principal
    }
}
