import EventSourcing
import Foundation

/// A revenue entry was recorded by hand or by an integration (R-SAL-6).
public struct RevenueEntryRecorded: EventPayload, Equatable {
    public static let eventType = "RevenueEntryRecorded"
    public static let schemaVersion: UInt32 = 1
    public var entry: RevenueLedger.Entry
    public var recordedBy: String
    public var recordedAt: Date

    public init(entry: RevenueLedger.Entry, recordedBy: String, recordedAt: Date) {
        self.entry = entry
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// An entry was reversed: `reversal` carries the negated amount, the original's date and dimensions, and
/// `reversalOf` = the original's id. The original stays as it was.
public struct RevenueEntryReversed: EventPayload, Equatable {
    public static let eventType = "RevenueEntryReversed"
    public static let schemaVersion: UInt32 = 1
    public var reversal: RevenueLedger.Entry
    public var reason: String
    public var reversedBy: String
    public var reversedAt: Date

    public init(reversal: RevenueLedger.Entry, reason: String, reversedBy: String, reversedAt: Date) {
        self.reversal = reversal
        self.reason = reason
        self.reversedBy = reversedBy
        self.reversedAt = reversedAt
    }
}

/// A usage reading was recorded by hand.
public struct UsageReadingRecorded: EventPayload, Equatable {
    public static let eventType = "UsageReadingRecorded"
    public static let schemaVersion: UInt32 = 1
    public var reading: RevenueLedger.UsageReading
    public var recordedBy: String
    public var recordedAt: Date

    public init(reading: RevenueLedger.UsageReading, recordedBy: String, recordedAt: Date) {
        self.reading = reading
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// A billing system's batch for this customer was imported: its revenue entries and usage readings.
/// The batch is recorded once; importing the same system and batch id again records nothing.
public struct BillingBatchImported: EventPayload, Equatable {
    public static let eventType = "BillingBatchImported"
    public static let schemaVersion: UInt32 = 1
    public var source: RevenueLedger.BatchSource
    public var entries: [RevenueLedger.Entry]
    public var readings: [RevenueLedger.UsageReading]
    public var importedAt: Date

    public init(source: RevenueLedger.BatchSource, entries: [RevenueLedger.Entry], readings: [RevenueLedger.UsageReading], importedAt: Date) {
        self.source = source
        self.entries = entries
        self.readings = readings
        self.importedAt = importedAt
    }
}

/// The events of the revenue ledger aggregate.
public enum RevenueEvent: DomainEvent {
    case entryRecorded(RevenueEntryRecorded)
    case entryReversed(RevenueEntryReversed)
    case usageRecorded(UsageReadingRecorded)
    case batchImported(BillingBatchImported)

    public static let payloadTypes: [any EventPayload.Type] = [
        RevenueEntryRecorded.self, RevenueEntryReversed.self, UsageReadingRecorded.self, BillingBatchImported.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .entryRecorded(let p): return p
        case .entryReversed(let p): return p
        case .usageRecorded(let p): return p
        case .batchImported(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as RevenueEntryRecorded: self = .entryRecorded(p)
        case let p as RevenueEntryReversed: self = .entryReversed(p)
        case let p as UsageReadingRecorded: self = .usageRecorded(p)
        case let p as BillingBatchImported: self = .batchImported(p)
        default: return nil
        }
    }
}
