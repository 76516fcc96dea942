// pg-engine-node: one engine node over a shared PostgreSQL log, for the multi-process convergence test
// (not a user tool).
//
//   pg-engine-node --url URL --views DIR --node K --customers N --expect TOTAL
//
// Opens CRMEngine over the log at URL (its `schema` query item names the schema) with its views in DIR;
// node 0 bootstraps the organisation, the others wait for it. Creates N customers from 4 concurrent tasks,
// waits until the log holds TOTAL customers and the head stops moving, lets its views reach that head,
// and prints one line per view table with its row count and an FNV-1a digest of every key and value:
//
//   view <projection>/<table> <rows> <digest>
//   done <head position>
//
// Errors print `error <description>` and exit 1.
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStorePostgres
import Foundation

struct NodeError: Error, CustomStringConvertible {
    let description: String
}

func value(_ name: String, in arguments: [String]) throws -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { throw NodeError(description: "missing \(name)") }
    return arguments[i + 1]
}

func number(_ name: String, in arguments: [String]) throws -> Int {
    guard let n = Int(try value(name, in: arguments)), n >= 0 else { throw NodeError(description: "\(name) takes a whole number") }
    return n
}

/// 64-bit FNV-1a over the bytes fed to it.
struct Digest {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        // A length separator, so ("ab", "c") and ("a", "bc") differ.
        for shift in stride(from: 0, to: 64, by: 8) { value = (value ^ UInt64(UInt8(truncatingIfNeeded: bytes.count >> shift))) &* 0x0000_0100_0000_01b3 }
    }
}

func run() async throws {
    let arguments = CommandLine.arguments
    let url = try value("--url", in: arguments)
    let views = try value("--views", in: arguments)
    let node = try number("--node", in: arguments)
    let count = try number("--customers", in: arguments)
    let expected = try number("--expect", in: arguments)
    let store = try await PostgresEventStore.open(url: url)
    let engine = try await CRMEngine.open(store: store, views: views)
    do {
        let adminID = UUID.derived("employee", "convergence-admin")
        if node == 0 {
            _ = try await engine.bootstrap(administrator: NewEmployee(
                id: adminID, name: "Ada Admin", position: "administrator", branch: "north", hiredOn: LocalCalendar.utc.localDate(of: Date())))
        }
        var admin: Principal?
        for _ in 0..<600 where admin == nil {
            admin = try? await engine.principal(employeeID: adminID)
            if admin == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard let admin else { throw NodeError(description: "the organisation was not bootstrapped in time") }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for i in stride(from: task, to: count, by: 4) {
                        let id = UUID.derived("convergence-customer", "\(node)", "\(i)")
                        try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                            kind: .person, name: "Node \(node) customer \(i)", group: "residential", branch: "north"), form: .empty(group: "residential")), as: admin)
                    }
                }
            }
            try await group.waitForAll()
        }

        // Until every node's customers are in the log and the head has stopped moving (reactions included).
        let deadline = Date().addingTimeInterval(240)
        var stable = 0
        var last = GlobalPosition.start
        while stable < 3 {
            guard Date() < deadline else { throw NodeError(description: "the log did not settle in time") }
            let head = try await store.headPosition()
            try await engine.views.waitUntil(head, timeout: .seconds(120))
            let customers = try engine.views.read("modification-history") {
                try ModificationHistory.streams(category: Customer.category, in: $0, limit: expected + 1).count
            }
            stable = customers >= expected && head == last ? stable + 1 : 0
            last = head
            try await Task.sleep(for: .milliseconds(500))
        }
        for projection in engine.views.projections.sorted(by: { $0.name < $1.name }) {
            for table in projection.tables.sorted(by: { $0.name < $1.name }) {
                var digest = Digest()
                var rows = 0
                try engine.views.read(projection.name) { reader in
                    try reader.scan(table) { key, value in
                        digest.feed(key)
                        digest.feed(value)
                        rows += 1
                        return true
                    }
                }
                print("view \(projection.name)/\(table.name) \(rows) \(String(digest.value, radix: 16))")
            }
        }
        print("done \(last.rawValue)")
    } catch {
        await engine.close()
        await store.close()
        throw error
    }
    await engine.close()
    await store.close()
}

do {
    try await run()
} catch {
    print("error \(error)")
    exit(1)
}
