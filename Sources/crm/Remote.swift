import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A running server's HTTP API (docs/openapi.yaml), for writing commands given `--server URL --token T`
/// while the server holds the store.
struct Remote {
    let base: URL
    let token: String

    init(server: String, token: String?) throws {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
            throw malformed("--server", "not a server URL (http or https)", hint: "give e.g. http://127.0.0.1:8080")
        }
        guard let token, !token.isEmpty else {
            throw CLIError("--server needs --token T (or CRM_TOKEN)", hint: "create one with `crm token create` before starting the server", exit: .usage)
        }
        base = url
        self.token = token
    }

    /// The server's URL as messages show it: without a user name and password (`http://user:pw@host` is
    /// shown `http://host`), which must never reach a terminal or a log.
    var shownURL: String {
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else { return "the --server URL" }
        components.user = nil
        components.password = nil
        return components.string ?? "the --server URL"
    }

    /// Sends `body` as JSON to `path` and returns the answer's JSON object.
    @discardableResult
    func post(_ path: String, _ body: [String: Any], method: String = "POST") async throws -> [String: Any] {
        try await send(method, path, body: body) as? [String: Any] ?? [:]
    }

    /// Sends a request (`body` as JSON when given; `query` as URL parameters) and returns the answer's JSON
    /// (an object, an array, or nil for an empty answer).
    @discardableResult
    func send(_ method: String, _ path: String, body: [String: Any]? = nil, query: [String: String] = [:]) async throws -> Any? {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components?.url else { throw CLIError("cannot form a URL from \(shownURL) and \(path)", exit: .usage) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError("cannot reach the server at \(shownURL)", hint: "check --server and that `crm serve` runs")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
        let answer = json as? [String: Any] ?? [:]
        guard (200..<300).contains(status) else {
            // The problem's `detail` with the input field it names (`meterType: is required`).
            let field = answer["field"] as? String
            let detail = fieldDetail(field, (answer["detail"] as? String) ?? (answer["title"] as? String) ?? "HTTP \(status)")
            switch status {
            case 401: throw CLIError("the server refused the token: \(detail)", hint: "check --token", exit: .refused, field: field)
            case 404: throw CLIError("not found: \(detail)", exit: .notFound, field: field)
            case 400, 422: throw CLIError("the server refused the input: \(detail)", exit: .refused, field: field)
            case 403: throw CLIError("the server refused: \(detail)", hint: "use a token of an employee with the permission", exit: .refused, field: field)
            default: throw CLIError("the server answered \(status): \(detail)", exit: status >= 500 ? .failure : .refused, field: field)
            }
        }
        return json
    }
}

extension StoreOptions {
    /// The server to send writes to, when `--server` was given.
    func remote() throws -> Remote? {
        guard let server else { return nil }
        return try Remote(server: server, token: token ?? ProcessInfo.processInfo.environment["CRM_TOKEN"])
    }

    /// Refuses `--server` for a command that cannot go through the HTTP API; `hint` says what to do instead
    /// (by default: stop the server and run the command on its data directory).
    func refuseRemote(_ command: String, hint: String = "stop the server and run it on the data directory") throws {
        if server != nil {
            throw CLIError("`crm \(command)` cannot go through a server", hint: hint, exit: .usage)
        }
    }
}
