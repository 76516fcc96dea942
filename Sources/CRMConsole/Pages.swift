import Foundation
import Logging
import Mustache

/// The console's Mustache templates (compiled into the binary from `Resources/`), rendered with `{{ }}`,
/// which HTML-escapes every value: user data is never written unescaped. Only the page body (rendered by
/// these templates) and the server-made SVG charts (whose text is escaped by ``Chart``) are inserted with
/// `{{{ }}}`.
struct Pages: Sendable {
    let library: MustacheLibrary
    let basePath: String

    static let sources: [String: [UInt8]] = [
        "layout": PackageResources.layout_mustache, "signin": PackageResources.signin_mustache,
        "error": PackageResources.error_mustache, "home": PackageResources.home_mustache,
        "customer": PackageResources.customer_mustache, "customers": PackageResources.customers_mustache,
        "task": PackageResources.task_mustache, "ticket": PackageResources.ticket_mustache,
        "supervisor": PackageResources.supervisor_mustache, "account": PackageResources.account_mustache,
    ]

    init(basePath: String, logger: Logger) {
        self.basePath = basePath
        var library = MustacheLibrary()
        for (name, bytes) in Self.sources.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(String(decoding: bytes, as: UTF8.self), named: name)
            } catch {
                logger.error("console template does not parse", metadata: ["crm.template": "\(name)"])
            }
        }
        self.library = library
    }

    /// `name` rendered with `data` (and the console's base path as `base`).
    func render(_ name: String, _ data: [String: Any]) -> String {
        var data = data
        data["base"] = basePath
        return library.render(data, withTemplate: name) ?? ""
    }

    /// A whole page: `body` (already rendered) inside the layout; `user` (with its `csrf`) shows the
    /// navigation and the sign-out form.
    func layout(title: String, body: String, user: [String: Any]?, notice: String? = nil) -> String {
        var data: [String: Any] = ["title": title, "body": body, "base": basePath]
        if let user { data["user"] = user }
        if let notice { data["notice"] = notice }
        return library.render(data, withTemplate: "layout") ?? ""
    }
}

/// How the console writes instants, durations and values.
enum Format {
    /// `2026-01-31 14:05 UTC`.
    static func instant(_ date: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04ld-%02ld-%02ld %02ld:%02ld UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// `2026-01-31`.
    static func day(_ date: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04ld-%02ld-%02ld", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// How late something is: `3 days late`, `5 h late`, `20 min late`.
    static func late(seconds: TimeInterval, days: Int? = nil) -> String {
        if let days, days >= 1 { return days == 1 ? "1 day late" : "\(days) days late" }
        let s = max(0, Int(seconds))
        if s >= 86_400 { let d = s / 86_400; return d == 1 ? "1 day late" : "\(d) days late" }
        if s >= 3600 { return "\(s / 3600) h late" }
        return "\(max(1, s / 60)) min late"
    }

    static func decimal(_ value: Decimal, places: Int = 2) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, places, .plain)
        return "\(rounded)"
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()
}

/// A template value that may be missing: the value, or `false` so that `{{#name}}…{{/name}}` is skipped.
func orFalse(_ value: String?) -> Any {
    if let value { return value }
    return false
}
