import Crypto
import Foundation
import Hummingbird
import NIOCore

/// For a write sent with an `Idempotency-Key`, a digest of what it asks — method, path with query, and
/// body — in the context's ``CRMRequestContext/requestDigest``, which the engine stores with the key's first
/// result: a retry (the same request) gets that result again, while the same key on another request is a
/// 422 (`idempotency-key-reused`) instead of the first result replayed as if it answered it.
///
/// The body is collected here (up to the route's limit: ``HTTPConfiguration/bodyLimit(path:general:)``, so a
/// survey distribution's larger body is not refused here first) and stays readable for the route, which
/// applies its own limit again.
///
/// The key is one header given once: a write sending it twice is a 400 naming `Idempotency-Key`, nothing
/// written (a retry could not tell which of them named it), as for `X-Source-System`.
struct IdempotencyDigestMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let keys = request.headers.values(named: "idempotency-key")
        guard request.method != .get, request.method != .head, !keys.isEmpty else {
            return try await next(request, context)
        }
        guard keys.count == 1 else { throw Problem.invalid("Idempotency-Key", "1 to 200 visible ASCII characters, given once") }
        var request = request
        let body = try await request.collectBody(limitedTo: HTTPConfiguration.bodyLimit(path: request.uri.path, general: maxBodySize))
        var hash = SHA256()
        hash.update(data: Data("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\u{0}".utf8))
        hash.update(data: Data(body.readableBytesView))
        var context = context
        context.requestDigest = hash.finalize().map { String(format: "%02x", $0) }.joined()
        return try await next(request, context)
    }
}
