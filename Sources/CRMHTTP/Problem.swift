import CRMEngine
import EventSourcing
import Foundation
import HTTPTypes
import Hummingbird

/// An error answer as `application/problem+json` (RFC 9457): a stable `type` per kind of error, the HTTP
/// status, a short human `detail`, and the offending `field` when one is at fault. The text never holds
/// payload data or secrets.
///
/// Types are `urn:crm:problem:<kind>`; the kinds are the engine's error codes (`not-found`, `forbidden`,
/// `unauthenticated`, `conflict`, `key-taken`, `rejected`, `contention`, `invalid`, `unavailable`) and the
/// adapter's own (`malformed-json`, `invalid-field`, `invalid-query`, `malformed-request`,
/// `payload-too-large`, `unsupported-media-type`, `method-not-allowed`, `too-many-requests`, `internal`).
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The kind (the last part of the `type` URN).
    public var kind: String
    public var status: HTTPResponse.Status
    public var detail: String
    public var field: String?
    /// For `rejected`: the domain's reason (`invalidTransition`, `alreadyExists`, …).
    public var reason: String?
    /// For a version conflict: the record's current version (also sent as the `ETag`).
    public var currentVersion: UInt64?
    /// For `method-not-allowed`: the methods the path takes, sent as the `Allow` header.
    public var allow: String?

    public init(_ kind: String, _ status: HTTPResponse.Status, _ detail: String, field: String? = nil, reason: String? = nil,
                currentVersion: UInt64? = nil) {
        self.kind = kind
        self.status = status
        self.detail = detail
        self.field = field
        self.reason = reason
        self.currentVersion = currentVersion
    }

    /// The `type` member: `urn:crm:problem:<kind>`.
    public var type: String { "urn:crm:problem:" + kind }

    static func unauthenticated() -> Problem {
        Problem("unauthenticated", .unauthorized, "send a valid API token as `Authorization: Bearer <token>`")
    }
    static func malformed(_ detail: String) -> Problem { Problem("malformed-json", .badRequest, detail) }
    static func invalid(_ field: String, _ detail: String) -> Problem { Problem("invalid-field", .badRequest, detail, field: field) }
    static func notFound(_ detail: String = "no such record") -> Problem { Problem("not-found", .notFound, detail) }

    /// The answer to an engine error: one status and type per code.
    init(_ error: EngineError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .notFound: status = .notFound
        case .forbidden: status = .forbidden
        case .unauthenticated: status = .unauthorized
        case .conflict: status = .preconditionFailed
        case .keyTaken: status = .conflict
        case .rejected where error.domain?.code == .notFound:
            // The domain found no such record: the same answer as a record outside the caller's scope.
            self.init("not-found", .notFound, error.message, field: error.field)
            return
        case .rejected where error.domain?.code == .alreadyExists: status = .conflict
        case .rejected: status = .unprocessableContent
        case .contention: status = .conflict
        case .keyReused: status = .unprocessableContent
        case .invalid: status = .badRequest
        case .unavailable: status = .serviceUnavailable
        default: status = .internalServerError
        }
        self.init(error.code.rawValue, status, error.message, field: error.field.map(Self.requestName), reason: error.domain.map { "\($0.code)" },
                  currentVersion: error.currentVersion?.rawValue)
    }

    /// What a request calls what the engine names `field`: the idempotency key is the `Idempotency-Key`
    /// header (as its 400 names it); any other field as it is.
    static func requestName(_ field: String) -> String {
        field == "idempotencyKey" ? "Idempotency-Key" : field
    }

    /// Any error thrown while answering, as a problem: engine errors by code, Hummingbird's by status, and
    /// anything else as a 500 without its text (which could hold data).
    static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let error as EngineError: return Problem(error)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return notFound("no such route")
            case .contentTooLarge: return Problem("payload-too-large", .contentTooLarge, "the request body is too large")
            case .methodNotAllowed: return Problem("method-not-allowed", .methodNotAllowed, "this method is not allowed here")
            case .unsupportedMediaType: return Problem("unsupported-media-type", .unsupportedMediaType, "send application/json")
            default: return Problem(error.status.code < 500 ? "invalid" : "internal", error.status, error.status.reasonPhrase)
            }
        default: return Problem("internal", .internalServerError, "the server failed to answer; nothing was written unless a write was acknowledged")
        }
    }

    private struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var field: String?
        var reason: String?
        var currentVersion: UInt64?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The problem document's bytes.
    func jsonBody() -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = Body(type: type, title: status.reasonPhrase, status: status.code, detail: detail, field: field, reason: reason,
                        currentVersion: currentVersion)
        let data = (try? encoder.encode(body)) ?? Data("{\"type\":\"urn:crm:problem:internal\",\"status\":500}".utf8)
        return ByteBuffer(bytes: data)
    }

    /// The problem as an HTTP response.
    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"crm\"" }
        if let currentVersion { headers[.eTag] = "\"\(currentVersion)\"" }
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: jsonBody()))
    }
}

/// Turns every error thrown below it into a problem+json answer, so no route answers with a bare status or
/// a stack trace. Unexpected errors are logged by their type only.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["crm.error": "\(type(of: error))", "crm.path": "\(request.uri.path)"])
            }
            return problem.response()
        }
    }
}

/// Turns the router's "no route" (Hummingbird's 404 `HTTPError`) into 405 `method-not-allowed` with `Allow`
/// when the path is a route's under another method (HEAD wherever GET is); any other answer passes through
/// untouched, so a matched route pays nothing for it. It sits behind authentication, so a request without a
/// token learns nothing of the routes (401).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    /// Each route path with the methods it takes.
    let routes: [(path: RouterPath, methods: Set<HTTPRequest.Method>)]

    init(routes: [Router<CRMRequestContext>.RouteDescription]) {
        var byPath: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in routes {
            byPath[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        self.routes = byPath.keys.sorted().compactMap { byPath[$0] }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            // Counted under the path's route pattern (``MetricsMiddleware``), not as "no route".
            if let pattern = pattern(for: request.uri.path) { context.coreContext.endpointPath.value = pattern }
            var problem = Problem("method-not-allowed", .methodNotAllowed, "this path does not take \(request.method.rawValue)")
            problem.allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            throw problem
        }
    }

    /// The methods of the routes whose pattern matches `path` (HEAD added wherever GET is); empty when none does.
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let components = path.split(separator: "/")
        var allowed: Set<HTTPRequest.Method> = []
        for route in routes where Self.matches(route.path, components) { allowed.formUnion(route.methods) }
        if allowed.contains(.get) { allowed.insert(.head) }
        return allowed
    }

    /// The pattern of the route `path` is most specifically one of, as the router would prefer it (its
    /// constant parts before parameters, left to right: `/v1/tasks/board` before `/v1/tasks/{id}`); nil when none.
    func pattern(for path: String) -> String? {
        let components = path.split(separator: "/")
        let matching = routes.filter { Self.matches($0.path, components) }.map(\.path)
        func constants(_ path: RouterPath) -> [Bool] {
            path.components.map { $0 == .path(Substring($0.description)) }
        }
        let best = matching.max { lhs, rhs in
            // The first part where they differ decides: a constant wins over a parameter.
            let (l, r) = (constants(lhs), constants(rhs))
            for (a, b) in zip(l, r) where a != b { return b }
            return false
        }
        return best?.description
    }

    static func matches(_ pattern: RouterPath, _ components: [Substring]) -> Bool {
        var index = components.startIndex
        for element in pattern.components {
            if element == .recursiveWildcard { return true }
            guard index < components.endIndex, element ~= components[index] else { return false }
            index += 1
        }
        return index == components.endIndex
    }
}
