import CRMDomain
import EventSourcing
import Foundation

/// Per customer, what RFM and the churn warning read (R-ANA-3, R-ANA-4): purchases and amounts per month
/// and currency, first and last purchase day, contacts and visits per month (in the customer's branch time
/// zone), the last contact, open complaints and SLA breaches per month. Facts of the log only.
///
/// A purchase is a revenue entry that is not a reversal and has a positive amount; a reversal subtracts
/// its amount in its own month (a reversal is dated as the entry it reverses) and, when it reverses a
/// purchase, one purchase. The first and last purchase days are those of the purchases still standing
/// (not reversed): a reversal of the first or last one moves them to the next standing purchase, or to nil
/// when none is left. The same purchases are kept per day too (``days``), so an analysis of a past day reads
/// only the entries dated on or before it (``summary(_:asOf:in:)``).
///
/// ```swift
/// let summary = try CustomerActivity.summary(of: customerID, in: views)
/// ```
public struct CustomerActivity: Projection {
    public let name = "customer-activity"
    /// 3: the purchases per day (``days``). 4: first and last purchase of the standing purchases; only a
    /// reversal of a purchase subtracts one.
    public let version: UInt32 = 4

    /// `customer → Summary`.
    public static let summaries = ViewTable("summaries")
    /// `kind + record id → Link`: the customer of a planned visit, the facts of a ticket.
    public static let links = ViewTable("links")
    /// `branch → IANA zone id`.
    public static let branchZones = ViewTable("branch-zone")
    /// `customer + yyyymm + day + currency → DayAmount`: the summary's purchases by day.
    public static let days = ViewTable("days")

    public var tables: [ViewTable] { [Self.summaries, Self.links, Self.branchZones, Self.days, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            BranchTimeZoneSet.eventType, RevenueEntryRecorded.eventType, RevenueEntryReversed.eventType, BillingBatchImported.eventType,
            ContactLogged.eventType, VisitPlanned.eventType, VisitRecorded.eventType, TicketOpened.eventType, TicketResolved.eventType,
            TicketReopened.eventType,
        ])
    }

    public init() {}

    /// Purchases of one month in one currency.
    public struct MonthAmount: Codable, Hashable, Sendable {
        /// `YYYY-MM` of the entries' days.
        public var month: String
        public var currency: Currency
        public var purchases: Int
        public var amount: Decimal
    }

    /// The entries of one customer, day and currency.
    public struct DayAmount: Codable, Hashable, Sendable {
        public var date: LocalDate
        public var currency: Currency
        /// Purchases (positive entries that are not reversals).
        public var purchases: Int
        /// Reversals of purchases (a reversal is dated as its original, so these purchases are that day's).
        public var reversals: Int
        /// Net amount, reversals included.
        public var amount: Decimal
    }

    /// A count in one month.
    public struct MonthCount: Codable, Hashable, Sendable {
        /// `YYYY-MM`.
        public var month: String
        public var count: Int
    }

    /// One customer's activity.
    public struct Summary: Codable, Hashable, Sendable {
        public var customerID: UUID
        public var scope: RecordScope
        public var firstPurchase: LocalDate?
        public var lastPurchase: LocalDate?
        /// Every purchase, less reversals.
        public var purchases: Int
        /// By month, then currency.
        public var months: [MonthAmount]
        /// Contacts and visits per month, by month.
        public var activity: [MonthCount]
        public var lastContactAt: Date?
        public var openComplaints: Int
        /// Tickets resolved after their resolution deadline, per month of resolution.
        public var slaBreaches: [MonthCount]
    }

    struct Link: Codable, Hashable, Sendable {
        var customerID: UUID
        var complaint: Bool
        var resolutionDueAt: Date?
        var open: Bool
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as CustomerCreated:
            // Every customer has a summary from its creation on: one who never bought still counts (RFM
            // ranks it last; churn looks at it).
            let scope = try CustomerScopes.scope(of: e.customerID, in: views)
            try update(e.customerID, in: views) { $0.scope = scope }
        case let e as CustomerEdited:
            try refreshScope(e.customerID, in: views)
        case let e as BranchTimeZoneSet:
            try views.put(Array(e.timeZoneID.utf8), forKey: ViewKey().string(e.branch).bytes, in: Self.branchZones)
        case let e as RevenueEntryRecorded:
            try add(e.entry, in: views)
        case let e as RevenueEntryReversed:
            try add(e.reversal, in: views)
        case let e as BillingBatchImported:
            for entry in e.entries { try add(entry, in: views) }
        case let e as ContactLogged:
            try contact(e.customerID, at: e.details.occurredAt, in: views)
        case let e as VisitPlanned:
            try views.put(row: Link(customerID: e.customerID, complaint: false, open: true), forKey: Self.linkKey("visit", e.visitID), in: Self.links)
        case let e as VisitRecorded:
            guard let link = try views.row(Link.self, forKey: Self.linkKey("visit", e.visitID), in: Self.links), link.open else { return }
            try views.put(row: Link(customerID: link.customerID, complaint: false, open: false), forKey: Self.linkKey("visit", e.visitID), in: Self.links)
            let calendar = try calendar(of: link.customerID, in: views)
            try contact(link.customerID, at: calendar.startOfDay(e.actual.date), in: views)
        case let e as TicketOpened:
            let link = Link(customerID: e.customerID, complaint: e.kind == .complaint, resolutionDueAt: e.resolutionDueAt, open: true)
            try views.put(row: link, forKey: Self.linkKey("ticket", e.ticketID), in: Self.links)
            if link.complaint { try updateTail(e.customerID, in: views) { $0.openComplaints += 1 } }
        case let e as TicketResolved:
            guard var link = try views.row(Link.self, forKey: Self.linkKey("ticket", e.ticketID), in: Self.links), link.open else { return }
            link.open = false
            try views.put(row: link, forKey: Self.linkKey("ticket", e.ticketID), in: Self.links)
            let late = e.resolvedAt > (link.resolutionDueAt ?? .distantFuture)
            let month = try monthText(e.resolvedAt, customer: link.customerID, in: views)
            try updateTail(link.customerID, in: views) { s in
                if link.complaint { s.openComplaints = max(0, s.openComplaints - 1) }
                if late { s.slaBreaches = Self.increment(s.slaBreaches, month: month) }
            }
        case let e as TicketReopened:
            guard var link = try views.row(Link.self, forKey: Self.linkKey("ticket", e.ticketID), in: Self.links), !link.open else { return }
            link.open = true
            try views.put(row: link, forKey: Self.linkKey("ticket", e.ticketID), in: Self.links)
            if link.complaint { try updateTail(link.customerID, in: views) { $0.openComplaints += 1 } }
        default:
            return
        }
    }

    // MARK: - Queries

    /// One customer's summary, or nil when nothing is known of it.
    public static func summary(of customerID: UUID, in views: any ViewReader) throws -> Summary? {
        try views.row(Summary.self, forKey: ViewKey().uuid(customerID).bytes, in: summaries)
    }

    /// Every summary `include` admits (e.g. the viewer's scope, one branch), in customer id order.
    public static func all(in views: any ViewReader, where include: (Summary) -> Bool = { _ in true }) throws -> [Summary] {
        try views.rows(Summary.self, in: summaries, where: include).map(\.row)
    }

    /// `summary` as it stood with only the revenue entries dated on or before `day`: the months after `day`'s
    /// month left out, `day`'s month summed from its days up to `day` (``days``), the first and last purchase
    /// on or before `day` (of the purchases still standing, as in the summary) and the purchases of
    /// the months kept. Contacts, visits, complaints and SLA breaches are left as they are. A summary without
    /// entries in `day`'s month or later is returned unchanged, without reading anything.
    public static func summary(_ summary: Summary, asOf day: LocalDate, in views: any ViewReader) throws -> Summary {
        let month = day.monthText
        guard let latest = summary.months.last?.month, latest >= month else { return summary }
        var bounded = summary
        bounded.months = summary.months.filter { $0.month < month }
        bounded.firstPurchase = summary.firstPurchase.flatMap { $0 <= day ? $0 : nil }
        bounded.lastPurchase = summary.lastPurchase.flatMap { $0 <= day ? $0 : nil }
        let needsLast = bounded.firstPurchase != nil && bounded.lastPurchase == nil
        // The customer's days up to `day`, the latest first: `day`'s month, then (only while the last purchase
        // is still unknown) the months before.
        var sums: [Currency: (purchases: Int, reversals: Int, amount: Decimal)] = [:]
        let customer = ViewKey().uuid(summary.customerID).bytes
        let before = dayKey(summary.customerID, day.year, day.month, day.day + 1)
        try views.scanBackward(days, prefix: customer, before: before) { _, value in
            let row = try BinaryPayloadDecoder.decodeBinary(DayAmount.self, from: value)
            let inMonth = row.date.year == day.year && row.date.month == day.month
            if inMonth {
                var sum = sums[row.currency] ?? (0, 0, 0)
                sum.purchases += row.purchases
                sum.reversals += row.reversals
                sum.amount += row.amount
                sums[row.currency] = sum
            }
            if needsLast, bounded.lastPurchase == nil, row.purchases > row.reversals { bounded.lastPurchase = row.date }
            return inMonth || (needsLast && bounded.lastPurchase == nil)
        }
        for (currency, sum) in sums.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            bounded.months.append(MonthAmount(month: month, currency: currency, purchases: max(0, sum.purchases - sum.reversals), amount: sum.amount))
        }
        bounded.purchases = bounded.months.reduce(0) { $0 + $1.purchases }
        return bounded
    }

    // MARK: - Writing

    static func dayKey(_ customerID: UUID, _ year: Int, _ month: Int, _ day: Int) -> [UInt8] {
        ViewKey().uuid(customerID).int64(Int64(year * 100 + month)).byte(UInt8(clamping: day)).bytes
    }

    static func linkKey(_ kind: String, _ id: UUID) -> [UInt8] { ViewKey().string(kind).uuid(id).bytes }

    private func update(_ customerID: UUID, in views: any ViewWriter, _ body: (inout Summary) -> Void) throws {
        try views.update(Summary.self, forKey: ViewKey().uuid(customerID).bytes, in: Self.summaries) { old in
            // The scope is read only for a new summary: a stored one keeps it current (`refreshScope`).
            var s = try old ?? Summary(
                customerID: customerID, scope: CustomerScopes.scope(of: customerID, in: views), purchases: 0, months: [], activity: [],
                openComplaints: 0, slaBreaches: [])
            body(&s)
            return s
        }
    }

    private func refreshScope(_ customerID: UUID, in views: any ViewWriter) throws {
        guard try Self.summary(of: customerID, in: views) != nil else { return }
        let scope = try CustomerScopes.scope(of: customerID, in: views)
        try update(customerID, in: views) { $0.scope = scope }
    }

    private func add(_ entry: RevenueLedger.Entry, in views: any ViewWriter) throws {
        let month = entry.date.monthText
        let purchase = entry.reversalOf == nil && entry.amount.amount > 0
        // A reversal of a purchase: the original's amount was positive. Dated as the original.
        let reversal = entry.reversalOf != nil && entry.amount.amount < 0
        let key = Self.dayKey(entry.customerID, entry.date.year, entry.date.month, entry.date.day) + ViewKey().string(entry.amount.currency.rawValue).bytes
        var dayStands = true
        try views.update(DayAmount.self, forKey: key, in: Self.days) { old in
            var row = old ?? DayAmount(date: entry.date, currency: entry.amount.currency, purchases: 0, reversals: 0, amount: 0)
            row.amount += entry.amount.amount
            if purchase { row.purchases += 1 }
            if reversal { row.reversals += 1 }
            dayStands = row.purchases > row.reversals
            return row
        }
        // Only a reversal that leaves its day without a standing purchase, on the first or last purchase's day,
        // reads the days back (a purchase, or any other reversal, cannot move them): the first and last standing.
        var standing: (first: LocalDate?, last: LocalDate?)?
        if reversal, !dayStands, let summary = try Self.summary(of: entry.customerID, in: views),
           summary.firstPurchase == entry.date || summary.lastPurchase == entry.date {
            standing = try Self.standingPurchases(of: entry.customerID, in: views)
        }
        try update(entry.customerID, in: views) { s in
            var months = s.months
            let index = months.firstIndex { $0.month == month && $0.currency == entry.amount.currency }
            var cell = index.map { months[$0] } ?? MonthAmount(month: month, currency: entry.amount.currency, purchases: 0, amount: 0)
            cell.amount += entry.amount.amount
            if purchase { cell.purchases += 1 }
            if reversal { cell.purchases = max(0, cell.purchases - 1) }
            if let index { months[index] = cell } else { months.append(cell) }
            s.months = months.sorted { ($0.month, $0.currency.rawValue) < ($1.month, $1.currency.rawValue) }
            if purchase {
                s.purchases += 1
                s.firstPurchase = min(s.firstPurchase ?? entry.date, entry.date)
                s.lastPurchase = max(s.lastPurchase ?? entry.date, entry.date)
            }
            if reversal { s.purchases = max(0, s.purchases - 1) }
            if let standing {
                s.firstPurchase = standing.first
                s.lastPurchase = standing.last
            }
        }
    }

    /// The first and last days of a customer with a purchase not reversed (``days``), nil when none is left.
    static func standingPurchases(of customerID: UUID, in views: any ViewReader) throws -> (first: LocalDate?, last: LocalDate?) {
        var first: LocalDate?, last: LocalDate?
        try views.scan(days, prefix: ViewKey().uuid(customerID).bytes) { _, value in
            let row = try BinaryPayloadDecoder.decodeBinary(DayAmount.self, from: value)
            if row.purchases > row.reversals {
                first = first ?? row.date
                last = row.date
            }
            return true
        }
        return (first, last)
    }

    /// Changes only what follows a summary's purchase months (contacts, complaints, SLA breaches): the stored
    /// bytes up to the end of the months are kept as they are and only the rest is decoded and written again.
    /// The months' amounts are `Decimal` text, and parsing and printing them was most of a contact's cost.
    /// The bytes are the same as a whole-row update's; a customer without a summary yet gets one as there.
    private func updateTail(_ customerID: UUID, in views: any ViewWriter, _ body: (inout Summary.Tail) -> Void) throws {
        let key = ViewKey().uuid(customerID).bytes
        let spliced = try views.withValue(forKey: key, in: Self.summaries) { bytes -> [UInt8] in
            var reader = BinaryReader(bytes)
            try Summary.skipHead(&reader)
            let head = bytes.count - reader.remaining
            var tail = try Summary.Tail(fromBinary: &reader)
            guard reader.isAtEnd else { throw PayloadCodingError(.trailingBytes, "\(reader.remaining) bytes after a summary") }
            body(&tail)
            var writer = BinaryWriter(capacity: bytes.count + 32)
            writer.verbatim(UnsafeRawBufferPointer(rebasing: bytes[..<head]))
            tail.encode(toBinary: &writer)
            return writer.bytes
        }
        if let spliced {
            try views.put(spliced, forKey: key, in: Self.summaries)
        } else {
            try update(customerID, in: views) { s in
                var tail = Summary.Tail(of: s)
                body(&tail)
                tail.store(in: &s)
            }
        }
    }

    private func contact(_ customerID: UUID, at instant: Date, in views: any ViewWriter) throws {
        let month = try monthText(instant, customer: customerID, in: views)
        try updateTail(customerID, in: views) { s in
            s.activity = Self.increment(s.activity, month: month)
            s.lastContactAt = max(s.lastContactAt ?? instant, instant)
        }
    }

    static func increment(_ counts: [MonthCount], month: String) -> [MonthCount] {
        var out = counts
        if let i = out.firstIndex(where: { $0.month == month }) { out[i].count += 1 } else { out.append(MonthCount(month: month, count: 1)) }
        return out.sorted { $0.month < $1.month }
    }

    private func calendar(of customerID: UUID, in views: any ViewReader) throws -> LocalCalendar {
        try AnalyticsProjections.calendar(of: CustomerScopes.branch(of: customerID, in: views), table: Self.branchZones, in: views)
    }

    private func monthText(_ instant: Date, customer: UUID, in views: any ViewReader) throws -> String {
        let day = try calendar(of: customer, in: views).localDate(of: instant)
        return day.monthText
    }
}

extension CustomerActivity.DayAmount: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(date: try LocalDate(fromBinary: &r), currency: try Currency(fromBinary: &r), purchases: try r.int(), reversals: try r.int(),
                  amount: try r.decimal())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        date.encode(toBinary: &w)
        currency.encode(toBinary: &w)
        w.int(purchases)
        w.int(reversals)
        w.decimal(amount)
    }
}
