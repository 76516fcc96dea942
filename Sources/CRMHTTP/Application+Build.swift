import CRMConsole
import CRMEngine
import Dispatch
import EventSourcing
import Foundation
import Hummingbird
import Logging

/// The CRM's HTTP application over `engine`: the routes of ``buildRouter(engine:configuration:)`` on
/// `configuration.host:port`. `crm serve` and the tests call it alike.
///
/// ```swift
/// let engine = try await CRMEngine.open(at: "./crm-data")
/// let app = buildApplication(engine: engine, configuration: HTTPConfiguration(port: 8080))
/// try await app.runService()          // until SIGTERM or SIGINT: then in-flight requests finish
/// await engine.close()
/// ```
public func buildApplication(engine: CRMEngine, configuration: HTTPConfiguration) -> some ApplicationProtocol {
    let onRunning = configuration.onServerRunning
    return Application(
        router: buildRouter(engine: engine, configuration: configuration),
        // Raw UTF-8 in a request target is read as its percent-encoded form; a request the HTTP parser
        // refuses gets a problem document, not a bare 400 (RawRequestTarget.swift).
        // A connection with no complete request part for `idleTimeout` is closed (an unfinished head or body).
        server: .crmHTTP1(idleTimeout: configuration.idleTimeout),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "crm"),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
        logger: configuration.logger
    )
}

/// The router alone: `/health` without a token, the web console (`/console`, with its own session
/// sign-in) when configured, everything else (`/metrics` too) behind bearer authentication, every error as
/// problem+json (405 with `Allow` for a route's path under a method it does not take), HEAD wherever GET,
/// every request counted and timed. Its ``Router/routes`` outside the console are what
/// docs/openapi.yaml must list.
public func buildRouter(engine: CRMEngine, configuration: HTTPConfiguration) -> Router<CRMRequestContext> {
    // HEAD answers wherever GET does (the GET's status and headers without its body), /health's without a token.
    let router = Router(context: CRMRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: MetricsMiddleware(metrics: configuration.metrics))
    router.add(middleware: ProblemMiddleware())
    router.get("/health") { _, _ -> Response in
        let head = try await engine.store.headPosition()
        return try JSONOutput.response(["status": "ok", "head": "\(head.rawValue)"])
    }
    // The console signs people in with a session cookie of its own, so it is mounted before bearer authentication.
    if let console = configuration.console { addConsole(to: router, engine: engine, configuration: console) }
    router.add(middleware: AuthenticationMiddleware(engine: engine, trustedProxies: configuration.trustedProxies))
    // A query parameter that is not UTF-8 text is 400 invalid-query, not read with U+FFFD for its bytes.
    router.add(middleware: QueryEncodingMiddleware())
    router.add(middleware: IdempotencyDigestMiddleware(maxBodySize: configuration.maxBodySize))
    router.get("/openapi.yaml") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
    }
    // Behind authentication like every route but /health: the figures describe the business's activity.
    router.get("/metrics") { _, _ -> Response in
        try await configuration.metrics.updateLag(engine: engine)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: configuration.metrics.exposition())))
    }
    let routes = Routes(engine: engine, configuration: configuration)
    let v1 = router.group("v1")
    routes.addCustomerRoutes(to: v1)
    routes.addTaskRoutes(to: v1)
    routes.addTicketRoutes(to: v1)
    routes.addRecordRoutes(to: v1)
    routes.addEventRoutes(to: v1)
    routes.addTokenRoutes(to: v1)
    routes.addContactRoutes(to: v1)
    routes.addVisitRoutes(to: v1)
    routes.addSalesRoutes(to: v1)
    routes.addCatalogRoutes(to: v1)
    routes.addCampaignRoutes(to: v1)
    routes.addOrganisationRoutes(to: v1)
    routes.addSettingsRoutes(to: v1)
    routes.addReportRoutes(to: v1)
    routes.addStaffRoutes(to: v1)
    routes.addCustomerCareRoutes(to: v1)
    // Acts only on the router's "no route" (405 for a known path's other methods, else the 404).
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// The OpenAPI document (docs/openapi.yaml), compiled into the binary.
public enum OpenAPIDocument {
    /// Its bytes, as served at `/openapi.yaml`.
    public static var bytes: [UInt8] { PackageResources.openapi_yaml }
}

/// The handlers: thin calls into the engine.
struct Routes: Sendable {
    let engine: CRMEngine
    let configuration: HTTPConfiguration
    /// Customer 360 documents already written, by customer, under the view's stamp: only complete views
    /// (nothing left out for the caller) are kept, so one document serves every caller who sees it whole.
    let customerDocuments: StampedCache<ByteBuffer>

    init(engine: CRMEngine, configuration: HTTPConfiguration) {
        self.engine = engine
        self.configuration = configuration
        customerDocuments = StampedCache(capacity: configuration.customerDocumentCacheSize)
    }

    /// Runs a command from a request: `If-Match` as the expected version, `Idempotency-Key` as the engine's
    /// key; answers the result with the record's version as `ETag` (201 with `Location` for a create). A
    /// repeated key answers the first result again with `Idempotent-Replayed: true` when it comes with the
    /// same request (method, path, body); with another, 422 `idempotency-key-reused`. `X-Source-System`
    /// names the client's system in the events' metadata (``writer(_:_:)``). With the command's `body`, an
    /// engine error names the body's member (`customerId`) where the engine says the domain's `customerID`
    /// (``JSONObjectReader/memberName(forEngineField:)``).
    func execute<A: EngineRecord>(
        _ type: A.Type, id: UUID, _ command: A.Command, request: Request, context: CRMRequestContext, created location: String? = nil,
        body: JSONObjectReader? = nil
    ) async throws -> Response {
        let principal = try writer(request, context)
        let headers = try WriteHeaders(request)
        let start = DispatchTime.now().uptimeNanoseconds
        let result: CRMEngine.CommandResult
        do {
            result = try await engine.execute(A.self, id: id, command, as: principal, expectedVersion: headers.expectedVersion,
                                              idempotencyKey: headers.idempotencyKey, requestDigest: context.requestDigest)
        } catch var error as EngineError {
            if let body, let field = error.field { error.field = body.memberName(forEngineField: field) }
            throw error
        }
        configuration.metrics.recordCommand(category: A.category, nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
        var extra = HTTPFields()
        if result.repeated { extra.set("Idempotent-Replayed", "true") }
        var answer = try await CommandAnswer(result, engine: engine)
        if let location {
            // A record kept inside a singleton stream (an employee, a role) is named by the id it was created with.
            if answer.id == nil { answer.id = id }
            extra[.location] = location + "/" + (answer.id ?? id).lowercasedString
            return JSONOutput.response(json: answer.json(), status: .created, version: result.version, headers: extra)
        }
        return JSONOutput.response(json: answer.json(), version: result.version, headers: extra)
    }

    /// A new record's id: the body's `id` when the client chose one, else a fresh time-ordered id.
    /// The new record's id: the body's `id`, else one derived from the caller and its `Idempotency-Key`
    /// (so a retried create addresses the same record and gets the first answer), else a new UUIDv7.
    func newID(_ body: JSONObjectReader, _ request: Request, _ context: CRMRequestContext) throws -> UUID {
        if let id = try body.optionalUUID("id") { return id }
        if let key = try WriteHeaders(request).idempotencyKey, let principal = context.principal {
            return UUID.derived("http-create", principal.id, request.uri.path, key)
        }
        return engine.configuration.ids.next()
    }

    /// The request's JSON object, up to the route's body limit (``HTTPConfiguration/bodyLimit(path:general:)``).
    func body(_ request: Request) async throws -> JSONObjectReader {
        try await JSONObjectReader.read(request, limit: HTTPConfiguration.bodyLimit(path: request.uri.path, general: configuration.maxBodySize))
    }

    /// The `{id}` path parameter as a UUID (400 naming `id` otherwise).
    func pathID(_ context: CRMRequestContext, _ name: String = "id") throws -> UUID {
        try JSONObjectReader.uuid(context.parameters.get(name), field: name)
    }
}
