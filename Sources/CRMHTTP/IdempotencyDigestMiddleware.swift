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
struct IdempotencyDigestMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, request.headers.value(named: "idempotency-key") != nil else {
            return try await next(request, context)
        }
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
