import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The revenue ledger's hand-written binary forms write exactly what their `Codable` conformances write,
/// and each decoder reads the other's bytes back to the same value.
@Suite struct RevenueBinaryFormsTests {
    let id = UUID(uuidString: "6F1C2A4E-0D5B-4C1E-9B7A-3E2D1C0B9A88") ?? UUID()
    let other = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    let at = Date(timeIntervalSince1970: 1_767_225_600.123456)
    let day = LocalDate(year: 2026, month: 2, day: 28)!

    var entries: [RevenueLedger.Entry] {
        [
            RevenueLedger.Entry(id: id, customerID: other, chargeItem: "monthly fee", businessLine: "gas", date: day,
                                amount: Money(Decimal(string: "19.90") ?? 0, .usd)),
            RevenueLedger.Entry(id: id, customerID: other, chargeItem: "安装", productID: other, businessLine: "water", date: day,
                                amount: Money(Decimal(string: "-1234567.005") ?? 0, .cny), reversalOf: id, note: "corrected"),
        ]
    }

    var readings: [RevenueLedger.UsageReading] {
        [
            RevenueLedger.UsageReading(id: id, customerID: other, meter: "M-1", periodStart: day, periodEnd: day,
                                       quantity: Decimal(string: "12.5") ?? 0, unit: "m3"),
            RevenueLedger.UsageReading(id: other, customerID: id, meter: "sms", periodStart: LocalDate(year: 1999, month: 12, day: 31)!,
                                       periodEnd: day, quantity: 0, unit: "messages"),
        ]
    }

    @Test func entriesAndReadingsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable(entries)
        try expectHandFormMatchesCodable(readings)
    }

    @Test func theRevenueEventsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable(entries.map { RevenueEntryRecorded(entry: $0, recordedBy: "e-1", recordedAt: at) })
        try expectHandFormMatchesCodable(readings.map { UsageReadingRecorded(reading: $0, recordedBy: "billing", recordedAt: at) })
        // Events that carry them nested, through the coder, read the same bytes both ways.
        let batch = BillingBatchImported(
            source: RevenueLedger.BatchSource(system: "sap", batchID: "b-1"), entries: entries, readings: readings, importedAt: at)
        let bytes = try BinaryPayloadEncoder.encode(batch)
        #expect(bytes == (try BinaryPayloadEncoder.encodeWithCodable(batch)))
        #expect(try BinaryPayloadDecoder.decode(BillingBatchImported.self, from: bytes) == batch)
    }
}
