import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// RFM as of a day scores only the customers that existed by then (as the composition report counts them).
@Suite struct RFMExistenceTests {
    @Test("rfm(asOf:) leaves out customers created after the day, read in their branch's zone")
    func customersCreatedAfterTheDayAreNotScored() async throws {
        let f = try await EngineFixture.make("rfm-existence")
        func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "east", timeZoneID: "Asia/Shanghai"), as: f.admin)
        f.clock.set(try at("2026-01-05T10:00:00Z"))
        let old = try await f.customer("Old", branch: "west")
        f.clock.set(try at("2026-03-09T20:00:00Z"))  // 2026-03-10 04:00 in Shanghai
        let late = try await f.customer("Late", branch: "east")
        f.clock.set(try at("2026-03-20T10:00:00Z"))
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition(), timeout: .seconds(60))
        func scored(_ day: String) async throws -> Set<UUID> {
            Set(try await f.engine.rfm(asOf: try EngineFixture.day(day), currency: .cny, as: f.admin).map(\.customerID))
        }
        #expect(try await scored("2020-01-01").isEmpty)
        #expect(try await scored("2026-01-05") == [old])
        #expect(try await scored("2026-03-09") == [old], "created on 2026-03-10 in its branch's zone")
        #expect(try await scored("2026-03-10") == [old, late])
        await f.close()
    }
}
