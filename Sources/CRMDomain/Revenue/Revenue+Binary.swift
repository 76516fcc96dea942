import EventSourcing
import Foundation

// Hand-written binary forms of the revenue ledger's values and its two most frequent events (one revenue
// entry or usage reading per event, the bulk of a billing history): the same bytes as their `Codable`
// conformances write in the binary payload format (fields in declaration order, optionals tagged), so
// stored events and views stay valid; decoding them skips the keyed containers. `RevenueBinaryFormsTests`
// holds both forms side by side. Never reorder or retype a field here without the `Codable` side.

extension RevenueLedger.Entry: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            id: try r.uuid(), customerID: try r.uuid(), chargeItem: try r.string(),
            productID: try r.optional { try $0.uuid() }, businessLine: try r.string(),
            date: try LocalDate(fromBinary: &r), amount: try Money(fromBinary: &r),
            reversalOf: try r.optional { try $0.uuid() }, note: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.uuid(customerID)
        w.string(chargeItem)
        w.optional(productID) { $0.uuid($1) }
        w.string(businessLine)
        date.encode(toBinary: &w)
        amount.encode(toBinary: &w)
        w.optional(reversalOf) { $0.uuid($1) }
        w.optional(note) { $0.string($1) }
    }
}

extension RevenueLedger.UsageReading: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            id: try r.uuid(), customerID: try r.uuid(), meter: try r.string(),
            periodStart: try LocalDate(fromBinary: &r), periodEnd: try LocalDate(fromBinary: &r),
            quantity: try r.decimal(), unit: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.uuid(customerID)
        w.string(meter)
        periodStart.encode(toBinary: &w)
        periodEnd.encode(toBinary: &w)
        w.decimal(quantity)
        w.string(unit)
    }
}

extension RevenueEntryRecorded: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(entry: try RevenueLedger.Entry(fromBinary: &r), recordedBy: try r.string(), recordedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        entry.encode(toBinary: &w)
        w.string(recordedBy)
        w.date(recordedAt)
    }
}

extension UsageReadingRecorded: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(reading: try RevenueLedger.UsageReading(fromBinary: &r), recordedBy: try r.string(), recordedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        reading.encode(toBinary: &w)
        w.string(recordedBy)
        w.date(recordedAt)
    }
}
