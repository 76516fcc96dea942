import EventSourcing
import Foundation

/// One customer's revenue and usage ledger (R-SAL-6; usage for R-ANA-4): revenue entries by charge item,
/// product, business line, date and currency, and meter or service usage readings per period.
///
/// One stream per customer, `revenue-<RevenueLedger.id(customerID:)>`: a reversal refers to an entry in the
/// same stream, and a customer's figures replay without reading anyone else's. A billing-system batch that
/// covers many customers is split by customer by the engine; each customer's share is imported into its
/// ledger under the batch's source (system + batch id), so re-importing the batch records nothing.
///
/// Entries are never edited: `reverse` adds a reversal entry (negated amount, the original's date and
/// dimensions), so a corrected month nets exactly to zero in every currency and conversion; a correction
/// is a reversal followed by a new entry.
///
/// ```swift
/// let events = try RevenueLedger.decide(.record(entry), state: ledger, context: context)
/// let byMonth = try RevenueReport.byMonth(ledger.entries, in: .usd, rates: rates)
/// ```
public enum RevenueLedger: Aggregate {
    public static let category = "revenue"

    /// The ledger id of a customer: derived, so the engine finds the stream without an index.
    public static func id(customerID: UUID) -> UUID {
        UUID.derived("revenue-ledger", customerID.lowercasedString)
    }

    /// A customer's ledger as its events left it; `customerID == nil` until the first event.
    public struct State: Sendable, Equatable, Codable {
        public var customerID: UUID?
        /// Every entry in recording order, reversals included: their sum is the net revenue.
        public var entries: [Entry] = []
        public var readings: [UsageReading] = []
        /// The batches imported so far.
        public var importedBatches: Set<BatchSource> = []

        public init() {}

        /// Whether the entry with `id` has been reversed.
        public func isReversed(_ id: UUID) -> Bool { entries.contains { $0.reversalOf == id } }
    }

    /// What can be asked of a ledger.
    public enum Command: Sendable {
        /// Records one entry; repeating an identical entry records nothing.
        case record(Entry)
        /// Reverses an entry (never edits it), with a reason.
        case reverse(entryID: UUID, reversalID: UUID, reason: String)
        /// Records one usage reading; repeating an identical reading records nothing. A new reading's period
        /// shares no day with the meter's recorded readings, and its unit is theirs.
        case recordUsage(UsageReading)
        /// Imports this customer's share of a billing-system batch; a batch already imported records nothing.
        case importBatch(BatchSource, entries: [Entry], readings: [UsageReading])
    }

    public typealias Event = RevenueEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .record(let entry):
            // The date's bounds judge a new entry only: an exact repeat of a recorded one stays the no-op it was.
            let entry = try validated(entry, state: state, now: nil)
            if let existing = state.entries.first(where: { $0.id == entry.id }) {
                guard existing == entry else { throw DomainError(.alreadyExists, field: "id", "another entry has this id") }
                return []
            }
            try checkDate(entry.date, now: context.now)
            return [.entryRecorded(RevenueEntryRecorded(entry: entry, recordedBy: context.actor, recordedAt: context.now))]

        case .reverse(let entryID, let reversalID, let reason):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard let original = state.entries.first(where: { $0.id == entryID }) else { throw .notFound("no such revenue entry") }
            guard original.reversalOf == nil else { throw .transition("a reversal entry cannot be reversed") }
            guard !state.isReversed(entryID) else { throw .transition("the entry is already reversed") }
            guard !state.entries.contains(where: { $0.id == reversalID }) else {
                throw DomainError(.alreadyExists, field: "reversalID", "another entry has this id")
            }
            var reversal = original
            reversal.id = reversalID
            reversal.amount.amount = -original.amount.amount
            reversal.reversalOf = original.id
            reversal.note = reason
            return [.entryReversed(RevenueEntryReversed(reversal: reversal, reason: reason, reversedBy: context.actor, reversedAt: context.now))]

        case .recordUsage(let reading):
            let reading = try validated(reading, customerID: state.customerID, now: context.now)
            if let existing = state.readings.first(where: { $0.id == reading.id }) {
                guard existing == reading else { throw DomainError(.alreadyExists, field: "id", "another reading has this id") }
                return []
            }
            try checkFits(reading, among: state.readings)
            return [.usageRecorded(UsageReadingRecorded(reading: reading, recordedBy: context.actor, recordedAt: context.now))]

        case .importBatch(let source, let entries, let readings):
            let source = BatchSource(system: try Validate.text(source.system, field: "system", max: 100),
                                     batchID: try Validate.text(source.batchID, field: "batchID", max: 200))
            guard !state.importedBatches.contains(source) else { return [] }
            guard !entries.isEmpty || !readings.isEmpty else { throw .invalid("batch", "an imported batch holds entries or readings") }
            let customerID = state.customerID ?? entries.first?.customerID ?? readings.first?.customerID
            var checkedEntries: [Entry] = []
            for entry in entries {
                var ledger = state
                ledger.customerID = customerID
                let entry = try validated(entry, state: ledger, now: context.now)
                guard !state.entries.contains(where: { $0.id == entry.id }), !checkedEntries.contains(where: { $0.id == entry.id }) else {
                    throw DomainError(.alreadyExists, field: "id", "an entry of the batch is already recorded")
                }
                checkedEntries.append(entry)
            }
            var checkedReadings: [UsageReading] = []
            for reading in readings {
                let reading = try validated(reading, customerID: customerID, now: context.now)
                guard !state.readings.contains(where: { $0.id == reading.id }), !checkedReadings.contains(where: { $0.id == reading.id }) else {
                    throw DomainError(.alreadyExists, field: "id", "a reading of the batch is already recorded")
                }
                try checkFits(reading, among: state.readings + checkedReadings)
                checkedReadings.append(reading)
            }
            return [.batchImported(BillingBatchImported(source: source, entries: checkedEntries, readings: checkedReadings, importedAt: context.now))]
        }
    }

    /// The bound of an entry's amount, either way: every amount's (``Validate/largestAmount``).
    public static let largestAmount = Validate.largestAmount

    /// How far after today an entry's date may lie: 12 months, counted from the latest date in effect anywhere
    /// on earth at the command's time (``LocalCalendar/latestDate(at:)``). Revenue billed ahead (a yearly fee)
    /// falls within a year; a date such as `2099-01-01` is a typo or a placeholder that would sit in every
    /// report's future months. Judged when an entry comes in, never when a recorded one is replayed.
    public static let futureReachMonths = 12

    /// The first year an entry's date (and a usage reading's period) may lie in: a fixed year, not a span before
    /// today, so a billing history migrated from an old system — decades back, maybe — is taken whole and a
    /// batch refused or accepted today is judged the same later. No revenue or meter reading of this ledger
    /// predates 1900; a date such as `0001-01-01` or `1000-01-01` is an empty field's default or a typo that
    /// would sit in reports' ancient months. Judged when an entry comes in, never when a recorded one is replayed.
    public static let earliestYear = 1900

    /// Refuses a date before ``earliestYear`` or more than ``futureReachMonths`` after today (`invalid`,
    /// naming `field`: `date` of an entry, `periodStart` or `periodEnd` of a usage reading).
    private static func checkDate(_ date: LocalDate, field: String = "date", now: Date) throws(DomainError) {
        guard date.year >= earliestYear else {
            throw .invalid(field, "must not lie before \(earliestYear)")
        }
        guard date <= LocalCalendar.latestDate(at: now).adding(months: futureReachMonths) else {
            throw .invalid(field, "must not lie more than a year after today")
        }
    }

    /// Text dimensions trimmed and present, a non-zero amount under ``largestAmount``, the ledger's
    /// customer, a date from ``earliestYear`` to a year ahead (``checkDate(_:field:now:)``), no reversal link.
    private static func validated(_ entry: Entry, state: State, now: Date?) throws(DomainError) -> Entry {
        var entry = entry
        if let customerID = state.customerID, entry.customerID != customerID {
            throw .invalid("customerID", "the entry belongs to another customer's ledger")
        }
        if let now { try checkDate(entry.date, now: now) }
        entry.chargeItem = try Validate.text(entry.chargeItem, field: "chargeItem")
        entry.businessLine = try Validate.text(entry.businessLine, field: "businessLine", max: 100)
        entry.note = try Validate.optionalMultilineText(entry.note, field: "note")
        guard entry.amount.amount != 0 else { throw .invalid("amount", "must not be zero") }
        // Credits are negative; no real charge comes near 10^15 in any currency (a typo or a unit error does).
        try Validate.amount(entry.amount.amount, field: "amount")
        try Validate.currency(entry.amount.currency, field: "amount")
        guard entry.reversalOf == nil else { throw .invalid("reversalOf", "reversals are made with the reverse command") }
        return entry
    }

    /// A meter and unit trimmed and present, a quantity neither negative nor beyond the bound of amounts, the
    /// ledger's customer, a period in order whose start is from ``earliestYear`` on and whose end at most a year
    /// ahead, as an entry's date (``checkDate(_:field:now:)``).
    private static func validated(_ reading: UsageReading, customerID: UUID?, now: Date) throws(DomainError) -> UsageReading {
        var reading = reading
        if let customerID, reading.customerID != customerID {
            throw .invalid("customerID", "the reading belongs to another customer's ledger")
        }
        try checkDate(reading.periodStart, field: "periodStart", now: now)
        try checkDate(reading.periodEnd, field: "periodEnd", now: now)
        reading.meter = try Validate.text(reading.meter, field: "meter", max: 100)
        reading.unit = try Validate.text(reading.unit, field: "unit", max: 20)
        guard reading.quantity >= 0 else { throw .invalid("quantity", "must not be negative") }
        try Validate.amount(reading.quantity, field: "quantity")
        guard reading.periodStart <= reading.periodEnd else { throw .invalid("periodEnd", "must not be before the period start") }
        return reading
    }

    /// A meter's readings, one per period and in one unit: a new reading (not an identical repeat, which records
    /// nothing) of a meter is refused when its period shares a day with one of the meter's recorded readings
    /// (`alreadyExists`, naming `periodStart`, or `periodEnd` when the new period starts before the recorded one),
    /// and when its unit is not the unit of the meter's last recorded reading (`invalid`, field `unit`). Meter and
    /// unit are compared as validation trimmed them, exactly, as the usage watch groups them. No command edits or
    /// reverses a reading: a wrong one stays as recorded. Readings recorded before this rule may overlap or mix
    /// units; the usage watch then takes the one recorded later as the meter's reading for those days.
    private static func checkFits(_ reading: UsageReading, among recorded: [UsageReading]) throws(DomainError) {
        let meter = recorded.filter { $0.meter == reading.meter }
        if let last = meter.last, last.unit != reading.unit {
            throw .invalid("unit", "the meter's readings are recorded in another unit")
        }
        if let clash = meter.first(where: { $0.periodStart <= reading.periodEnd && reading.periodStart <= $0.periodEnd }) {
            throw DomainError(.alreadyExists, field: reading.periodStart < clash.periodStart ? "periodEnd" : "periodStart",
                              "the meter has a reading for a period sharing days with this one")
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .entryRecorded(let e):
            s.customerID = s.customerID ?? e.entry.customerID
            s.entries.append(e.entry)
        case .entryReversed(let e):
            s.entries.append(e.reversal)
        case .usageRecorded(let e):
            s.customerID = s.customerID ?? e.reading.customerID
            s.readings.append(e.reading)
        case .batchImported(let e):
            s.customerID = s.customerID ?? e.entries.first?.customerID ?? e.readings.first?.customerID
            s.importedBatches.insert(e.source)
            s.entries += e.entries
            s.readings += e.readings
        }
        return s
    }
}
