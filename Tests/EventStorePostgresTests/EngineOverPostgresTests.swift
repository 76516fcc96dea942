import CRMDomain
import CRMEngine
import EventSourcing
import EventStorePostgres
import Foundation
import Testing

@Suite("CRMEngine over PostgreSQL", .serialized)
struct EngineOverPostgresTests {
    @Test func threeEnginesOnOneLogConvergeAndShareIdempotencyKeys() async throws {
        let configuration = try TestDatabase.configuration("engines")
        var stores: [PostgresEventStore] = []
        var engines: [CRMEngine] = []
        var directories: [String] = []
        func closeAll() async {
            for engine in engines { await engine.close() }
            for store in stores { await store.close() }
            for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
            try? await PostgresEventStore.destroy(configuration)
        }
        do {
            for n in 0..<3 {
                let store = try await PostgresEventStore.open(configuration)
                stores.append(store)
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-pg-node\(n)-\(UUID().uuidString)").path
                directories.append(directory)
                engines.append(try await CRMEngine.open(store: store, views: directory))
            }
            let adminID = UUID()
            _ = try await engines[0].bootstrap(administrator: NewEmployee(
                id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: LocalCalendar.utc.localDate(of: Date())))
            var admins: [Principal] = []
            for engine in engines { admins.append(try await engine.principal(employeeID: adminID)) }

            // Each node records customers at the same time as the others.
            let nodes = engines
            let principals = admins
            let created = try await withThrowingTaskGroup(of: (UUID, String, GlobalPosition).self) { group in
                for node in 0..<3 {
                    for i in 0..<8 {
                        group.addTask {
                            let id = UUID()
                            let name = "Customer \(node)-\(i)"
                            let result = try await nodes[node].execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                                kind: .person, name: name, group: "residential", branch: "north"), form: .empty(group: "residential")), as: principals[node])
                            return (id, name, result.position)
                        }
                    }
                }
                var all: [(UUID, String, GlobalPosition)] = []
                for try await item in group { all.append(item) }
                return all
            }
            let head = created.map(\.2).max() ?? .start
            // Every node's views show every node's customers.
            for (n, engine) in engines.enumerated() {
                for (id, name, _) in created {
                    let view = try await engine.customer(id, as: admins[n], consistentWith: head)
                    #expect(view.profile.name == name, "node \(n) sees \(name)")
                }
            }

            // An idempotency key used on one node is recognised on another: the result lives in the shared log.
            let id = UUID()
            let command = Customer.Command.create(customerID: id, NewCustomer(kind: .person, name: "Once Only", group: "residential", branch: "north"), form: .empty(group: "residential"))
            let first = try await engines[1].execute(Customer.self, id: id, command, as: admins[1], idempotencyKey: "import-row-7")
            let again = try await engines[2].execute(Customer.self, id: id, command, as: admins[2], idempotencyKey: "import-row-7")
            #expect(!first.repeated)
            #expect(again.repeated, "the second node answered the first node's result")
            #expect(again.position == first.position)
            #expect(try await stores[0].streamVersion(of: Customer.streamID(id)) == 1, "the customer was created once")
        } catch {
            await closeAll()
            throw error
        }
        await closeAll()
    }
}
