import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Stored-format guards for the whole domain.
@Suite("CRM event registry and stored format")
struct CRMEventsTests {
    static let customerEdited = CustomerEdited(
        customerID: UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AB") ?? UUID(),
        changes: [
            FieldChange(field: "status", old: .option("prospect"), new: .option("active")),
            FieldChange(field: "custom.credit", old: nil, new: .money(Money(Decimal(string: "1250.50") ?? 0, .cny))),
            FieldChange(field: "birthday", old: .date(LocalDate("1980-02-29") ?? .init(year: 1980, month: 1, day: 1)!), new: nil),
        ]
    )
    static let ticketOpened = TicketOpened(
        ticketID: UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AC") ?? UUID(), channel: .callCenter, kind: .complaint,
        severity: .high, customerID: UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AB") ?? UUID(), subject: "账单错误",
        description: nil, department: "billing", openedAt: Date(timeIntervalSince1970: 1_767_225_600),
        responseDueAt: Date(timeIntervalSince1970: 1_767_229_200), resolutionDueAt: Date(timeIntervalSince1970: 1_767_254_400)
    )

    // Bytes as stored by schema version 1. Never regenerate them: if a change to a payload type or to the
    // codec makes these fail, stored logs would no longer read — raise the schema version and add an upcaster.
    static let customerEditedV1 = "0190f6a27c1d7abc8def0123456789ab030000000673746174757301060870726f7370656374010606616374697665" +
        "0d637573746f6d2e63726564697400010306313235302e3503434e590862697274686461790104ca82f11200"
    static let ticketOpenedV1 = "0190f6a27c1d7abc8def0123456789ac0a63616c6c43656e74657209636f6d706c61696e7404686967680190f6a27c1d7abc" +
        "8def0123456789ab0ce8b4a6e58d95e99499e8afaf000762696c6c696e6700000040f882c74100000048ff82c741000000803083c741"

    @Test func everyEventTypeIsRegisteredOnceAndTheRegistryValidates() throws {
        let registry = try CRMEvents.registry()
        let names = CRMEvents.payloadTypes.map { $0.eventType }
        #expect(Set(names).count == names.count, "event type names must be unique")
        #expect(registry.eventTypes == names.sorted())
        #expect(names.count >= 60, "\(names.count) event types")
        #expect(CRMEvents.payloadTypes.allSatisfy { $0.schemaVersion >= 1 })
    }

    @Test func storedVersionOneBytesStillDecode() throws {
        let registry = try CRMEvents.registry()
        let edited = hexBytes(Self.customerEditedV1)
        let editedNow = hex(try BinaryPayloadEncoder.encode(Self.customerEdited))
        let openedNow = hex(try BinaryPayloadEncoder.encode(Self.ticketOpened))
        let decoded = try edited.withUnsafeBytes { try registry.decode(CustomerEdited.self, schemaVersion: 1, from: $0) }
        #expect(decoded == Self.customerEdited, "now encodes as \(editedNow)")
        let opened = hexBytes(Self.ticketOpenedV1)
        let ticket = try opened.withUnsafeBytes { try registry.decode(TicketOpened.self, schemaVersion: 1, from: $0) }
        #expect(ticket == Self.ticketOpened, "now encodes as \(openedNow)")
        #expect(try BinaryPayloadEncoder.encode(Self.customerEdited) == edited, "the encoder still writes version 1 bytes")
    }

    @Test func mutatedDomainPayloadsGiveTypedErrorsNeverCrashes() throws {
        let registry = try CRMEvents.registry()
        let samples: [(String, [UInt8])] = [
            (CustomerEdited.eventType, try BinaryPayloadEncoder.encode(Self.customerEdited)),
            (TicketOpened.eventType, try BinaryPayloadEncoder.encode(Self.ticketOpened)),
        ]
        var rng = SplitMix(seed: 99)
        var refused = 0
        for round in 0..<4000 {
            let (type, original) = samples[round % samples.count]
            var bytes = original
            if rng.next() % 2 == 0 {
                bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            } else {
                bytes.removeSubrange(Int(rng.next() % UInt64(bytes.count))...)
            }
            do {
                _ = try bytes.withUnsafeBytes { try registry.decode(type, schemaVersion: 1, from: $0) }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 2000, "most mutations are detected (\(refused))")
    }

    @Test func theDomainReadsNoClockNoRandomAndNoStorage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Sources/CRMDomain")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 20)
        let forbidden = ["Date()", "UUID()", ".random(", "import LMDB", "import EventStoreLMDB", "import CLMDB", "import Hummingbird"]
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for pattern in forbidden {
                #expect(!text.contains(pattern), "\(file) uses \(pattern)")
            }
        }
    }
}
