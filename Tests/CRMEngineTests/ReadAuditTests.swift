import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct ReadAuditTests {
    @Test(arguments: [nil, "2001:db8::7"] as [String?])
    func anEntryIsStoredInTheBytesOfItsCodableFormSoEntriesWrittenBeforeStayReadable(clientIP: String?) throws {
        let entry = ReadAuditEntry(at: Date(timeIntervalSinceReferenceDate: 812_345_678.25), principal: "e-1",
                                   record: "customer-\u{5F20}\u{4E09}", clientIP: clientIP)
        #expect(entry.binaryForm == (try BinaryPayloadEncoder.encodeWithCodable(entry)))
        #expect(try BinaryPayloadDecoder.decode(ReadAuditEntry.self, from: entry.binaryForm) == entry)
    }

    @Test func readsOfCustomerDataAreAuditedOutsideTheBusinessLog() async throws {
        let f = try await EngineFixture.make("read-audit")
        let reader = try await f.hire("Reader", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("north"))])
        let id = try await f.customer("Li Wei", branch: "north")
        let head = try await f.engine.store.headPosition()
        let since = f.clock.now()
        _ = try await f.engine.customer(id, as: reader.from(ip: "198.51.100.4"), consistentWith: head)
        _ = try await f.engine.history(of: Customer.stream(id), as: reader)
        f.clock.advance(by: 1)
        let entries = try f.engine.readAudit(from: since, to: f.clock.now(), as: f.admin)
        #expect(entries.map(\.record) == [Customer.stream(id).rawValue, "history:" + Customer.stream(id).rawValue])
        #expect(entries.allSatisfy { $0.principal == reader.id })
        #expect(entries.first?.clientIP == "198.51.100.4")
        #expect(try await f.engine.store.headPosition() == head, "reads are never business events")
        // Only auditors may read the audit.
        #expect(throws: EngineError.self) { try f.engine.readAudit(from: since, to: f.clock.now(), as: reader) }
        await f.close()
    }

    @Test func theNewestEntriesOfAWindowComeFirstWhenAskedAndTheLimitKeepsTheNewest() async throws {
        let f = try await EngineFixture.make("read-audit-newest")
        let id = try await f.customer("Li Wei", branch: "north")
        let start = f.clock.now()
        var times: [Date] = []
        for _ in 0..<5 {
            f.clock.advance(by: 10)
            times.append(f.clock.now())
            _ = try await f.engine.state(Customer.self, id: id, as: f.admin)
        }
        f.clock.advance(by: 10)
        // A window that leaves out the first read and the last: [times[1], times[4]).
        let oldest = try f.engine.readAudit(from: times[1], to: times[4], limit: 2, as: f.admin)
        #expect(oldest.map(\.at) == [times[1], times[2]])
        let newest = try f.engine.readAudit(from: times[1], to: times[4], limit: 2, newestFirst: true, as: f.admin)
        #expect(newest.map(\.at) == [times[3], times[2]])
        let all = try f.engine.readAudit(from: start, to: f.clock.now().addingTimeInterval(3_600), limit: 100, newestFirst: true, as: f.admin)
        #expect(all.map(\.at) == Array(times.reversed()))
        await f.close()
    }

    @Test func entriesOlderThanTheRetentionArePurged() async throws {
        let f = try await EngineFixture.make("read-audit-retention")
        await f.closeEngine()
        let engine = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, readAuditRetention: 86_400))
        let reader = try await engine.principal(employeeID: try #require(f.admin.employeeID))
        let id = UUID.derived("customer", "Retained")
        try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(kind: .person, name: "Retained", group: "g", branch: "north"),
                                                             form: .empty(group: "g")), as: reader)
        let start = f.clock.now()
        _ = try await engine.state(Customer.self, id: id, as: reader)
        #expect(try engine.readAudit(from: start, to: start.addingTimeInterval(1), as: reader).count == 1)
        f.clock.advance(by: 2 * 86_400)
        _ = try await engine.state(Customer.self, id: id, as: reader)  // a new read triggers the purge on flush
        let all = try engine.readAudit(from: start.addingTimeInterval(-1), to: f.clock.now().addingTimeInterval(1), as: reader)
        #expect(all.count == 1 && all.first?.at == f.clock.now())
        await engine.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }
}
