import CRMDomain
import CRMTestSupport
import EventSourcing
import EventStorePostgres
import Foundation
import Testing

/// Three engine processes (`pg-engine-node`) write to one PostgreSQL log at the same time, each with its
/// own LMDB views: nothing lost or duplicated, positions gapless, and the three nodes' view tables end up
/// identical, row for row.
@Suite("Engine processes sharing a PostgreSQL log", .serialized)
struct EngineProcessTests {
    @Test func threeEngineProcessesOnOneLogConvergeToIdenticalViews() async throws {
        let configuration = try TestDatabase.configuration("nodes")
        guard var url = URLComponents(string: try TestDatabase.url()) else { throw TestDatabase.Missing() }
        url.queryItems = (url.queryItems ?? []) + [URLQueryItem(name: "schema", value: configuration.schema)]
        let nodeURL = try #require(url.string)
        // The schema exists before the nodes race on their appends.
        let store = try await PostgresEventStore.open(configuration)
        let node = try harnessPath("pg-engine-node")
        let perNode = 12
        let directories = (0..<3).map { FileManager.default.temporaryDirectory.appendingPathComponent("crm-pg-engine-node\($0)-\(UUID().uuidString)").path }
        defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
        let children = try (0..<3).map { n in
            try ChildProcess(executable: node, arguments: [
                "--url", nodeURL, "--views", directories[n], "--node", "\(n)", "--customers", "\(perNode)", "--expect", "\(3 * perNode)",
            ])
        }
        var digests: [[String]] = []
        for (n, child) in children.enumerated() {
            let exited = await child.waitForExit(timeout: 300)
            #expect(exited, "node \(n) did not finish")
            #expect(child.exitStatus == 0, "node \(n): \(child.lines.last ?? "") \(child.errorTail())")
            digests.append(child.lines.filter { $0.hasPrefix("view ") || $0.hasPrefix("done ") })
        }
        #expect(digests[0].count > 20, "every view table reported: \(digests[0].count) lines")
        #expect(digests[1] == digests[0] && digests[2] == digests[0], "the three nodes' views are identical")

        let log = try await store.readAll(from: .start, direction: .forward, limit: .max)
        #expect(log.map(\.position.rawValue) == Array(1...UInt64(log.count)), "positions are gapless from 1")
        #expect(Set(log.map(\.id)).count == log.count, "no event is stored twice")
        let created = log.filter { $0.type == CustomerCreated.eventType }
        #expect(created.count == 3 * perNode && Set(created.map(\.stream)).count == 3 * perNode, "every node's customers, once each")
        await store.close()
        try? await PostgresEventStore.destroy(configuration)
    }
}
