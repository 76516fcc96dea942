import CRMEngine
import Dispatch
import EventSourcing
import Foundation
import Hummingbird
import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The server's metrics, in a Prometheus registry of its own and reported at `/metrics` in Prometheus text
/// format: requests and their latencies per route, method and status; command (append) latencies per
/// record kind; the log's head position and each projection's lag behind it.
///
/// The metrics go through swift-metrics with this registry's factory passed explicitly: the adapter never
/// bootstraps the process-wide `MetricsSystem` (that is the application's choice, and the tests build many
/// servers in one process).
///
/// ```swift
/// let metrics = HTTPMetrics()
/// let app = buildApplication(engine: engine, configuration: HTTPConfiguration(metrics: metrics))
/// print(metrics.registry.emitToString())
/// ```
public final class HTTPMetrics: Sendable {
    /// Where every metric of this server is registered.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let requests = Mutex<[RequestKey: (count: CoreMetrics.Counter, duration: CoreMetrics.Timer)]>([:])
    private let commands = Mutex<[String: CoreMetrics.Timer]>([:])

    struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        let buckets: [Duration] = [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                   .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                   .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
        factory.defaultDurationHistogramBuckets = buckets
        self.factory = factory
    }

    /// Counts a request of `route` (the router's pattern, never the concrete path: no ids in labels) and
    /// records how long it took.
    func recordRequest(method: String, route: String, status: Int, nanoseconds: UInt64) {
        let key = RequestKey(method: method, route: route, status: status)
        let metrics = requests.withLock { cache in
            if let found = cache[key] { return found }
            let dimensions = [("method", method), ("route", route), ("status", "\(status)")]
            let made = (count: CoreMetrics.Counter(label: "crm_http_requests_total", dimensions: dimensions, factory: factory),
                        duration: CoreMetrics.Timer(label: "crm_http_request_duration_seconds", dimensions: dimensions,
                                                preferredDisplayUnit: .seconds, factory: factory))
            cache[key] = made
            return made
        }
        metrics.count.increment()
        metrics.duration.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Records how long the engine took to decide and durably append a command on a record of `category`
    /// (the append latency, group commit included).
    func recordCommand(category: String, nanoseconds: UInt64) {
        let timer = commands.withLock { cache in
            if let found = cache[category] { return found }
            let made = CoreMetrics.Timer(label: "crm_command_duration_seconds", dimensions: [("record", category)],
                                     preferredDisplayUnit: .seconds, factory: factory)
            cache[category] = made
            return made
        }
        timer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Sets the lag gauges from the engine's state now: the log head, and per projection its checkpoint
    /// and how many positions it is behind the head.
    func updateLag(engine: CRMEngine) async throws {
        let head = try await engine.store.headPosition().rawValue
        CoreMetrics.Gauge(label: "crm_log_head_position", factory: factory).record(head)
        for status in engine.views.status() {
            let checkpoint = status.checkpoint.rawValue
            CoreMetrics.Gauge(label: "crm_projection_checkpoint", dimensions: [("projection", status.name)], factory: factory).record(checkpoint)
            CoreMetrics.Gauge(label: "crm_projection_lag_events", dimensions: [("projection", status.name)], factory: factory)
                .record(head > checkpoint ? head - checkpoint : 0)
            CoreMetrics.Gauge(label: "crm_projection_failed", dimensions: [("projection", status.name)], factory: factory).record(status.failure == nil ? 0 : 1)
        }
    }

    /// The registry in Prometheus text exposition format.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Counts and times every request it wraps under its route pattern and final status (errors included, as
/// the problem answer they become). A path under a method its route does not take (405) counts under the
/// route's pattern (``MethodNotAllowedMiddleware`` names it); a request no route matched — an unknown path,
/// with a token (404) or without (401) — under ``unmatchedRoute``.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let metrics: HTTPMetrics

    /// The one route label of a request no route pattern matched (Hummingbird's own name for it).
    static let unmatchedRoute = "NotFound"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let status: Int
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? Self.unmatchedRoute, status: status,
                                  nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            return response
        } catch {
            metrics.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? Self.unmatchedRoute,
                                  status: Int(Problem.from(error).status.code), nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
            throw error
        }
    }
}
