import CRMEngine
import EventSourcing
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOCore

/// One signed-in request: the session, the principal every engine call runs as, and the posted form.
struct Visit: Sendable {
    let request: Request
    let session: Session
    let principal: Principal
    /// The fields of a posted form (`application/x-www-form-urlencoded`); empty for a GET.
    let form: [String: String]
    /// The request's query parameters.
    var query: [String: String] { Form.parse(request.uri.query ?? "") }
}

/// What a console page refuses, shown as an HTML page with its status.
enum ConsoleError: Error {
    case notFound
    case badRequest(String)
}

/// `application/x-www-form-urlencoded` bodies and query strings.
enum Form {
    /// The fields of `text`; a repeated name keeps its last value.
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? (decode(parts[1]) ?? "") : ""
        }
        return fields
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// `text` percent-encoded for a query value.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension Console {
    static let cookieName = "crm_console"
    /// The source system the console's principals carry (events' metadata, the read audit).
    static let sourceSystem = "web-console"
    static let maxFormSize = 64 * 1024

    /// Runs `page` for a signed-in session: without one a GET is sent to the sign-in page (and back after),
    /// a POST too; a POST whose `_csrf` field is not the session's token is refused with 403 before
    /// anything else happens. The principal is authenticated anew from the session's credential on every
    /// request, so revocations and role changes apply at once. Errors become HTML pages.
    func signedIn<Context: RequestContext & RemoteAddressRequestContext>(
        _ request: Request, _ context: Context, _ page: (Visit) async throws -> Response
    ) async throws -> Response {
        let cookie = request.cookies[Self.cookieName]?.value
        guard let session = await sessions.session(cookie), let credential = session.credential else {
            // Back to the same page after signing in, its query (a search, a month) included.
            return signInRedirect(next: request.method == .get ? request.uri.path + (request.uri.query.map { "?" + $0 } ?? "") : nil)
        }
        var form: [String: String] = [:]
        if request.method == .post {
            guard let posted = try? await readForm(request) else {
                return errorPage(.contentTooLarge, "The form was too large.", session: session)
            }
            guard let token = posted["_csrf"], SessionStore.constantTimeEqual(token, session.csrf) else {
                return errorPage(.forbidden, "This form has expired or did not come from this console. Reload the page and try again.", session: session)
            }
            form = posted
        }
        let ip = context.remoteAddress?.ipAddress
        var principal: Principal
        do {
            switch credential {
            case .token(let token):
                principal = try await engine.authenticate(token: token, clientIP: ip)
            case .password(let employeeID, let version):
                principal = try await engine.authenticate(employeeID: employeeID, passwordVersion: version, clientIP: ip)
            }
        } catch let error as EngineError where error.code == .unauthenticated || error.code == .forbidden {
            // A credential no longer good, or whose employee holds no role in force any more: signed out.
            await sessions.remove(session.id)
            return signInRedirect(next: nil, clearCookie: true)
        }
        principal.sourceSystem = Self.sourceSystem
        do {
            return secured(try await page(Visit(request: request, session: session, principal: principal, form: form)))
        } catch let error as EngineError {
            switch error.code {
            case .notFound: return errorPage(.notFound, "There is no such record, or you may not see it.", session: session)
            case .forbidden: return errorPage(.forbidden, "You may not do this.", session: session)
            default:
                configuration.logger.error("console page failed", metadata: ["crm.error": "\(error.code)", "crm.path": "\(request.uri.path)"])
                return errorPage(.internalServerError, "Something went wrong.", session: session)
            }
        } catch ConsoleError.notFound {
            return errorPage(.notFound, "There is no such page.", session: session)
        } catch ConsoleError.badRequest(let message) {
            return errorPage(.badRequest, message, session: session)
        } catch {
            // The error's type only: its text may hold personal data.
            configuration.logger.error("console page failed", metadata: ["crm.error": "\(type(of: error))", "crm.path": "\(request.uri.path)"])
            return errorPage(.internalServerError, "Something went wrong.", session: session)
        }
    }

    func readForm(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: Self.maxFormSize)
        return Form.parse(String(buffer: buffer))
    }

    // MARK: Sign-in

    /// The sign-in form, in a (new) anonymous session whose CSRF token the form carries.
    func signInPage<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        if let session = await sessions.session(request.cookies[Self.cookieName]?.value) {
            if session.credential != nil { return redirect(to: base) }
            return signInForm(session: session, next: Form.parse(request.uri.query ?? "")["next"], error: nil)
        }
        let session = await sessions.create(credential: nil)
        var response = signInForm(session: session, next: Form.parse(request.uri.query ?? "")["next"], error: nil)
        response.headers.append(HTTPField(name: .setCookie, value: cookie(session.id)))
        return response
    }

    func signInForm(session: Session, next: String?, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let body = pages.render("signin", [
            "csrf": session.csrf, "base": base, "next": safeNext(next) ?? "", "error": orFalse(error),
        ])
        return secured(html(pages.layout(title: "Sign in", body: body, user: nil), status: status))
    }

    /// Checks the posted credentials: an API token, or an employee id and password (bcrypt). Success
    /// starts a new session (a new id: the anonymous one is dropped) and goes on to `next`. Both a sign-in
    /// and a refused one are recorded in the read audit (`signin:web-console` under the employee,
    /// `signin-failed:web-console` under `anonymous`, with the client address and nothing presented);
    /// attempts refused by the throttle are not, so a flood of them cannot fill the audit.
    func signIn<Context: RequestContext & RemoteAddressRequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        guard let session = await sessions.session(request.cookies[Self.cookieName]?.value) else {
            return signInRedirect(next: nil)
        }
        guard let form = try? await readForm(request) else { return errorPage(.contentTooLarge, "The form was too large.", session: nil) }
        guard let token = form["_csrf"], SessionStore.constantTimeEqual(token, session.csrf) else {
            return errorPage(.forbidden, "This form has expired or did not come from this console. Reload the page and try again.", session: nil)
        }
        let ip = context.remoteAddress?.ipAddress
        let address = ip ?? "unknown"
        let next = safeNext(form["next"])
        guard let attempt = await signInGuard.begin(address) else {
            configuration.logger.warning("console sign-in throttled")
            return signInForm(session: session, next: next, error: "Too many failed sign-ins from here. Wait a few minutes and try again.",
                              status: .tooManyRequests)
        }
        var credential: Credential?
        var principal: Principal?
        let apiToken = (form["token"] ?? "").trimmingCharacters(in: .whitespaces)
        if !apiToken.isEmpty {
            if apiToken.count <= 512, let authenticated = try? await engine.authenticate(token: apiToken, clientIP: ip) {
                credential = .token(apiToken)
                principal = authenticated
            }
        } else if let password = form["password"], !password.isEmpty, password.utf8.count <= 72 {
            let calls = VerifierCalls()
            if let employee = form["employee"].flatMap({ UUID(text: $0.trimmingCharacters(in: .whitespaces)) }),
               let signedIn = try? await engine.signIn(employeeID: employee, clientIP: ip, verify: { hash in
                   await calls.mark()
                   return await Self.offload { Bcrypt.verify(password, hash: hash) }
               }) {
                credential = .password(employee, version: signedIn.passwordVersion)
                principal = signedIn.principal
            } else if await !calls.called {
                // No hash was checked (no such employee, or no password): check one anyway, so the answer takes as long.
                let decoy = await signInGuard.decoyHash()
                _ = await Self.offload { Bcrypt.verify(password, hash: decoy) }
            }
        }
        guard let credential, var principal else {
            engine.recordFailedSignIn(sourceSystem: Self.sourceSystem, clientIP: ip)
            configuration.logger.info("console sign-in refused")
            return signInForm(session: session, next: next, error: "Sign-in failed: check the token, or the employee id and password.",
                              status: .unauthorized)
        }
        principal.sourceSystem = Self.sourceSystem
        engine.recordSignIn(as: principal)
        await signInGuard.succeeded(address, attempt: attempt)
        await sessions.remove(session.id)
        let signedIn = await sessions.create(credential: credential)
        var response = redirect(to: next ?? base)
        response.headers.append(HTTPField(name: .setCookie, value: cookie(signedIn.id)))
        return response
    }

    func signOut(_ visit: Visit) async throws -> Response {
        await sessions.remove(visit.session.id)
        engine.recordSignOut(as: visit.principal)
        return signInRedirect(next: nil, clearCookie: true)
    }

    /// `next` when it is a path inside the console, with or without a query (never another site: no scheme,
    /// no `//`, no `\`; nothing but printable ASCII, as a request's raw path and query are).
    func safeNext(_ next: String?) -> String? {
        guard let next, next == base || next.hasPrefix(base + "/") || next.hasPrefix(base + "?"), !next.contains("//"),
              !next.contains("\\"), next.utf8.count <= 300, next.utf8.allSatisfy({ (0x21...0x7E).contains($0) }),
              !next.hasPrefix(base + "/signin") else { return nil }
        return next
    }

    // MARK: Responses

    /// The session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs),
    /// limited to the console's path, `Secure` when configured.
    func cookie(_ value: String, maxAge: Int? = nil) -> String {
        var text = "\(Self.cookieName)=\(value); Path=\(base); HttpOnly; SameSite=Lax"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        if configuration.secureCookies { text += "; Secure" }
        return text
    }

    func signInRedirect(next: String?, clearCookie: Bool = false) -> Response {
        var location = base + "/signin"
        if let next = safeNext(next), next != base { location += "?next=" + Form.encode(next) }
        var response = redirect(to: location)
        if clearCookie { response.headers.append(HTTPField(name: .setCookie, value: cookie("", maxAge: 0))) }
        return response
    }

    func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return secured(Response(status: .seeOther, headers: headers))
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Headers every console answer carries: nothing cached, no framing, no script, forms only to itself.
    func secured(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        for (name, value) in [("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")] {
            if let name = HTTPField.Name(name) { response.headers[name] = value }
        }
        return response
    }

    func errorPage(_ status: HTTPResponse.Status, _ message: String, session: Session?) -> Response {
        let body = pages.render("error", ["status": "\(status.code)", "message": message, "base": base])
        let user: [String: Any]? = session.flatMap { $0.credential == nil ? nil : ["csrf": $0.csrf] }
        return secured(html(pages.layout(title: status.reasonPhrase, body: body, user: user), status: status))
    }

    /// Runs slow CPU work (bcrypt, ~0.2 s at cost 12) on a dispatch queue, off Swift's cooperative pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }

    /// A posted form's field, trimmed; nil when absent or blank.
    static func field(_ form: [String: String], _ name: String) -> String? {
        guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
