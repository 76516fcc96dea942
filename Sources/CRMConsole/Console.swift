import CRMEngine
import EventSourcing
import Foundation
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
        let path = RouterPath(base)
        router.get(path) { request, context in try await signedIn(request, context) { try await home($0) } }
        router.get(RouterPath(base + "/signin")) { request, context in try await signInPage(request, context) }
        router.post(RouterPath(base + "/signin")) { request, context in try await signIn(request, context) }
        router.post(RouterPath(base + "/signout")) { request, context in try await signedIn(request, context) { try await signOut($0) } }
        router.get(RouterPath(base + "/account")) { request, context in try await signedIn(request, context) { try await account($0) } }
        router.post(RouterPath(base + "/account/password")) { request, context in
            try await signedIn(request, context) { try await setPassword($0) }
        }
        router.get(RouterPath(base + "/customers")) { request, context in try await signedIn(request, context) { try await customers($0) } }
        router.get(RouterPath(base + "/customers/:id")) { request, context in
            try await signedIn(request, context) { try await customer($0, id: try pathID(context)) }
        }
        router.post(RouterPath(base + "/customers/:id")) { request, context in
            try await signedIn(request, context) { try await editCustomer($0, id: try pathID(context)) }
        }
        router.get(RouterPath(base + "/tasks/:id")) { request, context in
            try await signedIn(request, context) { try await task($0, id: try pathID(context)) }
        }
        router.post(RouterPath(base + "/tasks/:id/complete")) { request, context in
            try await signedIn(request, context) { try await completeTask($0, id: try pathID(context)) }
        }
        router.get(RouterPath(base + "/tickets/:id")) { request, context in
            try await signedIn(request, context) { try await ticket($0, id: try pathID(context)) }
        }
        router.post(RouterPath(base + "/tickets/:id/handover")) { request, context in
            try await signedIn(request, context) { try await handOverTicket($0, id: try pathID(context)) }
        }
        router.get(RouterPath(base + "/supervisor")) { request, context in try await signedIn(request, context) { try await supervisor($0) } }
    }

    func pathID<Context: RequestContext>(_ context: Context) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(text: text) else { throw ConsoleError.notFound }
        return id
    }
}
