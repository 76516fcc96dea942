import CRMConsole
import Foundation
import Logging

/// How the HTTP adapter listens and what it accepts; every part has a default.
///
/// ```swift
/// let app = try buildApplication(engine: engine, configuration: HTTPConfiguration(port: 8080))
/// try await app.runService()
/// ```
public struct HTTPConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The port to bind; 0 picks a free one (see ``onServerRunning``).
    public var port: Int
    /// Peers whose `X-Forwarded-For` header is believed (a reverse proxy in front of the server). From any
    /// other peer the header is ignored and the peer's own address is the client IP.
    public var trustedProxies: Set<String>
    /// The largest request body accepted, in bytes (documented in docs/openapi.yaml): larger bodies answer
    /// 413 with nothing written.
    public var maxBodySize: Int
    /// The largest page a list accepts as `limit`.
    public var maxPageSize: Int
    /// How often a server-sent event stream sends a keep-alive comment while the log is quiet.
    public var eventStreamHeartbeat: Duration
    public var logger: Logger
    /// The metrics this server records and reports at `/metrics` (a registry of its own by default).
    public var metrics: HTTPMetrics
    /// Called with the bound port once the server listens (tests bind port 0).
    public var onServerRunning: @Sendable (Int) async -> Void
    /// The web console (docs/CONSOLE.md) mounted beside the API, under its `basePath` (`/console`); nil
    /// serves the API alone.
    public var console: ConsoleConfiguration?
    /// How many written customer 360 documents are kept for repeated reads; 0 keeps none.
    public var customerDocumentCacheSize: Int

    public init(
        host: String = "127.0.0.1", port: Int = 8080, trustedProxies: Set<String> = [], maxBodySize: Int = 64 * 1024,
        maxPageSize: Int = 500, eventStreamHeartbeat: Duration = .seconds(15),
        logger: Logger = Logger(label: "crm.http"), metrics: HTTPMetrics = HTTPMetrics(), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        console: ConsoleConfiguration? = ConsoleConfiguration(), customerDocumentCacheSize: Int = 2048
    ) {
        self.customerDocumentCacheSize = max(0, customerDocumentCacheSize)
        self.host = host
        self.port = port
        self.trustedProxies = trustedProxies
        self.maxBodySize = maxBodySize
        self.maxPageSize = maxPageSize
        self.eventStreamHeartbeat = eventStreamHeartbeat
        self.logger = logger
        self.metrics = metrics
        self.onServerRunning = onServerRunning
        self.console = console
    }
}
