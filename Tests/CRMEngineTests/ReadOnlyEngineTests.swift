import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct ReadOnlyEngineTests {
    @Test func anEngineOpenedReadOnlyOverASharedLogAnswersFromTheWritersViewsAndAppendsNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-read-only-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = InMemoryEventStore()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let writer = try await CRMEngine.open(store: log, views: directory, configuration: .init(clock: clock))
        let adminID = UUID.derived("employee", "admin")
        let (admin, _) = try await writer.bootstrap(administrator: NewEmployee(
            id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: try #require(LocalDate("2020-01-01"))))
        let customer = UUID.derived("customer", "Li Wei")
        let created = try await writer.execute(Customer.self, id: customer, .create(customerID: customer, NewCustomer(
            kind: .person, name: "Li Wei", group: "residential", branch: "head-office"), form: .empty(group: "residential")), as: admin)
        try await writer.views.waitUntil(created.position)
        // Another process reads beside the writer; in this one, the writer's engine is closed first (one engine
        // per views directory and process: SameProcessOpenTests).
        await writer.close()

        // Over the same log and the views the writer kept.
        let reader = try CRMEngine.openReadOnly(store: log, views: directory, configuration: .init(clock: clock, reactions: []))
        let principal = try await reader.principal(employeeID: adminID)
        #expect(try await reader.customer(customer, as: principal).profile.name == "Li Wei")
        let head = try await log.headPosition()
        let refused = await #expect(throws: EventStoreError.self) {
            try await reader.execute(Customer.self, id: UUID.derived("customer", "Zhang San"), .create(
                customerID: UUID.derived("customer", "Zhang San"),
                NewCustomer(kind: .person, name: "Zhang San", group: "residential", branch: "head-office"),
                form: .empty(group: "residential")), as: principal)
        }
        #expect(refused?.code == .readOnly)
        await #expect(throws: EventStoreError.self) { try await reader.issueToken(for: adminID, name: "more", as: principal) }
        #expect(try await log.headPosition() == head, "nothing appended")
        await reader.close()

        // The log stays open for the writer: the reader did not close what it was given.
        let writer2 = try await CRMEngine.open(store: log, views: directory, configuration: .init(clock: clock))
        let other = UUID.derived("customer", "Zhang San")
        let written = try await writer2.execute(Customer.self, id: other, .create(customerID: other, NewCustomer(
            kind: .person, name: "Zhang San", group: "residential", branch: "head-office"), form: .empty(group: "residential")), as: admin)
        #expect(written.position > head)
        await writer2.close()
    }
}
