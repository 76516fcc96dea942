import CRMConsole
import CRMDomain
import CRMEngine
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
    /// 413 with nothing written. A survey distribution may be larger (``bodyLimit(path:general:)``).
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
    /// How long a connection may go without a complete request part arriving — an unfinished request head,
    /// a body that stops short, or a kept-alive connection with no next request — before the server closes
    /// it (a slow or stalled client cannot hold a connection open indefinitely). The time is measured between
    /// parts, so a long body that keeps arriving is not cut off, and a request being answered (an event
    /// stream included) is never closed by it. nil: no limit.
    public var idleTimeout: Duration?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, trustedProxies: Set<String> = [], maxBodySize: Int = 64 * 1024,
        maxPageSize: Int = 500, eventStreamHeartbeat: Duration = .seconds(15),
        logger: Logger = Logger(label: "crm.http"), metrics: HTTPMetrics = HTTPMetrics(), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        console: ConsoleConfiguration? = ConsoleConfiguration(), customerDocumentCacheSize: Int = 2048,
        idleTimeout: Duration? = .seconds(60)
    ) {
        self.customerDocumentCacheSize = max(0, customerDocumentCacheSize)
        self.idleTimeout = idleTimeout
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

extension HTTPConfiguration {
    /// Room for one entry of a survey distribution's `recipients`: `{"kind": "customer", "id": "<UUID>"}, `
    /// with the longest kind and a 36-character id takes 66 bytes; twice that leaves room for a client's
    /// indentation and line breaks.
    static let bytesPerDistributionRecipient = 128
    /// Room for one of a campaign target list's `customerIDs`: `"<UUID>", ` takes 40 bytes; 64 leaves room for
    /// indentation and line breaks.
    static let bytesPerTargetID = 64

    /// The largest body `POST /v1/surveys/{id}/distribute` accepts: the general limit (for the rest of the
    /// object) plus ``bytesPerDistributionRecipient`` for each of the
    /// ``CRMDomain/Survey/maximumRecipientsPerDistribution`` entries the domain allows — 1,345,536 bytes with
    /// the default 65,536 — so the domain's cap, not the body limit, bounds a distribution.
    static func distributionBodyLimit(general: Int) -> Int {
        widened(general, entries: Survey.maximumRecipientsPerDistribution, bytesEach: bytesPerDistributionRecipient)
    }

    /// The largest body `POST /v1/campaigns/{id}/targets` accepts: the general limit plus ``bytesPerTargetID``
    /// for each of the ``CRMEngine/CRMEngine/maxSelectedTargets`` customers a list may name — 705,536 bytes
    /// with the default 65,536.
    static func targetListBodyLimit(general: Int) -> Int {
        widened(general, entries: CRMEngine.maxSelectedTargets, bytesEach: bytesPerTargetID)
    }

    /// `general` plus `entries × bytesEach`, saturating instead of overflowing (a huge `--max-body`).
    private static func widened(_ general: Int, entries: Int, bytesEach: Int) -> Int {
        let (room, roomOverflow) = entries.multipliedReportingOverflow(by: bytesEach)
        let (sum, overflow) = general.addingReportingOverflow(room)
        return roomOverflow || overflow ? Int.max : sum
    }

    /// The largest body a request to `path` (without its query) may send: ``distributionBodyLimit(general:)``
    /// for a survey distribution, ``targetListBodyLimit(general:)`` for a campaign's target list, `general`
    /// (``maxBodySize``) for every other route. The one rule for the routes' body reader and the
    /// idempotency middleware.
    static func bodyLimit(path: String, general: Int) -> Int {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "v1", !parts[3].isEmpty else { return general }
        switch (parts[2], parts[4]) {
        case ("surveys", "distribute"): return distributionBodyLimit(general: general)
        case ("campaigns", "targets"): return targetListBodyLimit(general: general)
        default: return general
        }
    }
}
