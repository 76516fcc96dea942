import CRMEngine
import EventSourcing
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// How the web console behaves; every part has a default.
public struct ConsoleConfiguration: Sendable {
    /// The path the console is mounted under (no trailing slash).
    public var basePath: String
    /// Whether the session cookie carries `Secure` (set it when the console is served over HTTPS, as it
    /// should be anywhere but on loopback).
    public var secureCookies: Bool
    /// A session unused this long is forgotten and its user must sign in again.
    public var idleTimeout: Duration
    /// The most sessions kept at once; the least recently used go first.
    public var maxSessions: Int
    /// bcrypt's cost for new passwords.
    public var bcryptCost: UInt8
    /// Failed sign-ins allowed per client address within 15 minutes; more are refused (429).
    public var maxFailedSignIns: Int
    public var logger: Logger

    public init(basePath: String = "/console", secureCookies: Bool = false, idleTimeout: Duration = .seconds(8 * 3600),
                maxSessions: Int = 10_000, bcryptCost: UInt8 = 12, maxFailedSignIns: Int = 10, logger: Logger = Logger(label: "crm.console")) {
        self.basePath = basePath
        self.secureCookies = secureCookies
        self.idleTimeout = idleTimeout
        self.maxSessions = maxSessions
        self.bcryptCost = bcryptCost
        self.maxFailedSignIns = maxFailedSignIns
        self.logger = logger
    }
}

/// Mounts the web console (server-rendered pages for account managers and supervisors) on `router` under
/// `configuration.basePath`. The console signs people in with an API token or an employee password, keeps a
/// session in an HttpOnly cookie, checks a CSRF token on every POST, and calls the engine as the signed-in
/// principal on every page, so the engine's permissions and data scope apply unchanged.
///
/// ```swift
/// let router = Router(context: MyContext.self)
/// addConsole(to: router, engine: engine)
/// ```
///
/// Mount it before any bearer-token middleware: the console authenticates with its own session.
public func addConsole<Context: RequestContext & RemoteAddressRequestContext>(
    to router: Router<Context>, engine: CRMEngine, configuration: ConsoleConfiguration = ConsoleConfiguration()
) {
    let console = Console(engine: engine, configuration: configuration)
    console.addRoutes(to: router)
}

/// The console's handlers and shared state.
struct Console: Sendable {
    let engine: CRMEngine
    let configuration: ConsoleConfiguration
    let sessions: SessionStore
    let pages: Pages
    let signInGuard: SignInGuard

    init(engine: CRMEngine, configuration: ConsoleConfiguration) {
        self.engine = engine
        self.configuration = configuration
        sessions = SessionStore(idleTimeout: configuration.idleTimeout, maxSessions: configuration.maxSessions)
        pages = Pages(basePath: configuration.basePath, logger: configuration.logger)
        signInGuard = SignInGuard(limit: configuration.maxFailedSignIns, cost: configuration.bcryptCost)
    }

    var base: String { configuration.basePath }

    func addRoutes<Context: RequestContext & RemoteAddressRequestContext>(to router: Router<Context>) {
        typealias Handler = @Sendable (Request, Context) async throws -> Response
        // Each path with the methods it takes, for the 405 pages below.
        var taken: [(path: String, methods: [HTTPRequest.Method])] = []
        func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            router.on(RouterPath(path), method: method, use: handler)
            if let i = taken.firstIndex(where: { $0.path == path }) { taken[i].methods.append(method) } else { taken.append((path, [method])) }
        }
        add(.get, base) { request, context in try await signedIn(request, context) { try await home($0) } }
        add(.get, base + "/signin") { request, context in try await signInPage(request, context) }
        add(.post, base + "/signin") { request, context in try await signIn(request, context) }
        add(.post, base + "/signout") { request, context in try await signedIn(request, context) { try await signOut($0) } }
        add(.get, base + "/account") { request, context in try await signedIn(request, context) { try await account($0) } }
        add(.post, base + "/account/password") { request, context in
            try await signedIn(request, context) { try await setPassword($0) }
        }
        add(.get, base + "/customers") { request, context in try await signedIn(request, context) { try await customers($0) } }
        add(.get, base + "/customers/:id") { request, context in
            try await signedIn(request, context) { try await customer($0, id: try pathID(context)) }
        }
        add(.post, base + "/customers/:id") { request, context in
            try await signedIn(request, context) { try await editCustomer($0, id: try pathID(context)) }
        }
        add(.get, base + "/tasks/:id") { request, context in
            try await signedIn(request, context) { try await task($0, id: try pathID(context)) }
        }
        add(.post, base + "/tasks/:id/complete") { request, context in
            try await signedIn(request, context) { try await completeTask($0, id: try pathID(context)) }
        }
        add(.get, base + "/tickets/:id") { request, context in
            try await signedIn(request, context) { try await ticket($0, id: try pathID(context)) }
        }
        add(.post, base + "/tickets/:id/handover") { request, context in
            try await signedIn(request, context) { try await handOverTicket($0, id: try pathID(context)) }
        }
        add(.get, base + "/supervisor") { request, context in try await signedIn(request, context) { try await supervisor($0) } }

        // The console answers every path under it itself, whatever the method: without this, a path it does
        // not know (or a known one asked with another method) would fall through to the API's bearer
        // authentication (401 problem+json). The router passes a request no route takes through the
        // middlewares added so far (never through those of the routes above), so this one sees exactly those.
        router.add(middleware: Fallback(console: self, paths: taken.map { path, methods in
            (path.split(separator: "/", omittingEmptySubsequences: false).map(String.init),
             Set(methods.map(\.rawValue)).sorted().joined(separator: ", "))
        }))
    }

    /// The console's answer to a request under its path that no route of it takes (any method, `OPTIONS`,
    /// `TRACE` and unknown ones too): a known path asked with another method is a 405 page naming the
    /// methods it takes (HEAD goes with GET), any other path a 404 page. Other paths pass on.
    struct Fallback<Context: RequestContext>: RouterMiddleware {
        let console: Console
        /// Each route's path by segments (`:id` takes any one) with the methods it takes, for `Allow`.
        let paths: [(segments: [String], allow: String)]

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let path = request.uri.path
            let base = console.base
            guard path == base || path.hasPrefix(base + "/") else { return try await next(request, context) }
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            let known = paths.first { known in
                known.segments.count == segments.count
                    && zip(known.segments, segments).allSatisfy { pattern, segment in
                        pattern.hasPrefix(":") ? !segment.isEmpty : pattern == segment
                    }
            }
            // A known path asked with a method it takes reaches its route; should one not (a path the router
            // reads otherwise), it is no page rather than a 405 naming that very method.
            let allow = known.flatMap { known in
                known.allow.split(separator: ", ").contains(Substring(request.method.rawValue)) ? nil : known.allow
            }
            return await console.noSuchPage(request, allow: allow)
        }
    }

    /// The console's own 404 page (or 405 with `Allow` when `allow` names the methods the path takes), with
    /// its usual headers; the navigation shows when the request carries a signed-in session.
    func noSuchPage(_ request: Request, allow: String?) async -> Response {
        let session = await sessions.session(request.cookies[Self.cookieName]?.value)
        guard let allow else { return errorPage(.notFound, "There is no such page.", session: session) }
        var response = errorPage(.methodNotAllowed, "This page does not take \(request.method.rawValue).", session: session)
        response.headers[.allow] = allow
        return response
    }

    func pathID<Context: RequestContext>(_ context: Context) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(text: text) else { throw ConsoleError.notFound }
        return id
    }
}
