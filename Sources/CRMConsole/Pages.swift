import CRMDomain
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
    /// `2026-01-31 22:05 UTC+8`: an instant as the wall-clock time of `calendar`'s zone (a branch's), named by
    /// that zone's offset from UTC at that instant (`UTC+5:30`, `UTC-3`; `UTC` for UTC itself), so a time
    /// read in another branch's zone is never mistaken for one's own. Every time a page prints goes through
    /// this one function.
    static func instant(_ date: Date, in calendar: LocalCalendar) -> String {
        let offset = calendar.timeZone.secondsFromGMT(for: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - days * 86_400
        let day = LocalDate(dayNumber: days)
        return day.description + " " + LocalDate.padded(seconds / 3600, 2) + ":" + LocalDate.padded(seconds % 3600 / 60, 2) + " "
            + zone(offset)
    }

    /// `UTC`, `UTC+8`, `UTC+5:30`, `UTC-3`.
    static func zone(_ offset: Int) -> String {
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) / 60
        return "UTC" + (offset < 0 ? "-" : "+") + "\(minutes / 60)" + (minutes % 60 == 0 ? "" : ":" + LocalDate.padded(minutes % 60, 2))
    }

    /// How late something due at `due` is at `now`: in local days of `calendar` once it is a day or more
    /// late that way (`3 days late`), else in hours or minutes (`5 h late`, `20 min late`). Every page says
    /// it with this one function, so a task reads the same on the home and on its own page.
    static func late(due: Date, now: Date, calendar: LocalCalendar) -> String {
        let days = calendar.localDate(of: due).days(until: calendar.localDate(of: now))
        if days >= 1 { return days == 1 ? "1 day late" : "\(days) days late" }
        let s = max(0, Int(now.timeIntervalSince(due)))
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

/// A template value that may be missing: the value, or `false` so that `{{#name}}…{{/name}}` is skipped.
func orFalse(_ value: String?) -> Any {
    if let value { return value }
    return false
}
