import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The CLI shows an event's time cut down to the millisecond (never rounded up), and `--as-of` takes the whole
/// millisecond written: a time `crm history` shows, given back to `crm show --as-of`, shows that change. A
/// position is plain digits; one beyond the log's head is bad usage (64) naming the option, for
/// `show --as-of`, `customer show --as-of` and `replay --to` alike.
@Suite("crm --as-of: shown times and positions beyond the head", .serialized)
struct AsOfPrecisionCLITests {
    /// A store with a customer created at 00:00:47.327071, edited at 00:00:48.701745 (shown rounded up as
    /// .702 before) and at 00:00:49.999600 (shown as the next second before); the customer and the log's head.
    func written() async throws -> (dir: String, data: String, customer: UUID, head: GlobalPosition) {
        let dir = temporaryDirectory()
        let data = dir + "/data"
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let engine = try await CRMEngine.open(at: data, configuration: .init(clock: clock, durability: .noSync))
        do {
            let (admin, _) = try await engine.bootstrap(administrator: NewEmployee(
                id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "A", hiredOn: try #require(LocalDate("2020-01-01"))))
            let id = UUID.derived("customer", "shown-times")
            clock.set(Date(microsecondsSince1970: 1_767_225_647_327_071))
            try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .person, name: "First", group: "residential", branch: "A"), form: .empty(group: "residential")), as: admin)
            clock.set(Date(microsecondsSince1970: 1_767_225_648_701_745))
            try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Second"), form: .empty(group: "residential")), as: admin)
            clock.set(Date(microsecondsSince1970: 1_767_225_649_999_600))
            try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Third"), form: .empty(group: "residential")), as: admin)
            let head = try await engine.store.headPosition()
            await engine.close()
            return (dir, data, id, head)
        } catch {
            await engine.close()
            cleanup(dir)
            throw error
        }
    }

    @Test func aTimeTheHistoryShowsGivenBackAsOfShowsThatChange() async throws {
        let w = try await written()
        defer { cleanup(w.dir) }
        let record = "customer-" + w.customer.lowercasedString
        let history = try await crm(["history", record, "--json", "--data", w.data])
        #expect(history.status == 0, "\(history.stderr)")
        let shown = history.lines.compactMap { object($0)["recordedAt"] as? String }
        #expect(shown == ["2026-01-01T00:00:47.327Z", "2026-01-01T00:00:48.701Z", "2026-01-01T00:00:49.999Z"], "\(history.stdout)")
        for (index, time) in shown.enumerated() {
            let then = try await crm(["show", record, "--as-of", time, "--json", "--data", w.data])
            #expect(then.status == 0, "\(time): \(then.stderr)")
            #expect(object(then.stdout)["version"] as? Int == index + 1, "\(time): \(then.stdout)")
            #expect(object(then.stdout)["lastChanged"] as? String == time, "\(time): \(then.stdout)")
        }
        // A millisecond earlier than the creation shown: it did not exist then.
        let before = try await crm(["show", record, "--as-of", "2026-01-01T00:00:47.326Z", "--data", w.data])
        #expect(before.status == 4, "\(before.stdout) \(before.stderr)")
        let viaCustomer = try await crm(["customer", "show", w.customer.lowercasedString, "--as-of", "2026-01-01T00:00:48Z", "--json", "--data", w.data])
        #expect(viaCustomer.status == 0 && object(viaCustomer.stdout)["version"] as? Int == 2, "\(viaCustomer.stdout) \(viaCustomer.stderr)")
    }

    @Test func aPositionBeyondTheHeadOrNotPlainDigitsIsBadUsageNamingTheOption() async throws {
        let w = try await written()
        defer { cleanup(w.dir) }
        let record = "customer-" + w.customer.lowercasedString
        let atHead = try await crm(["show", record, "--as-of", "\(w.head.rawValue)", "--json", "--data", w.data])
        #expect(atHead.status == 0 && object(atHead.stdout)["version"] as? Int == 3, "\(atHead.stdout) \(atHead.stderr)")
        for text in ["\(w.head.rawValue + 1)", "99999999", "+\(w.head.rawValue)", "0\(w.head.rawValue)"] {
            let shown = try await crm(["show", record, "--as-of", text, "--data", w.data])
            #expect(shown.status == 64 && shown.stderr.contains("--as-of"), "\(text): \(shown.stdout) \(shown.stderr)")
            let customer = try await crm(["customer", "show", w.customer.lowercasedString, "--as-of", text, "--data", w.data])
            #expect(customer.status == 64 && customer.stderr.contains("--as-of"), "\(text): \(customer.stdout) \(customer.stderr)")
            let out = w.dir + "/replay-\(text)"
            let replay = try await crm(["replay", "--to", text, "--out", out, "--data", w.data])
            #expect(replay.status == 64 && replay.stderr.contains("--to"), "\(text): \(replay.stdout) \(replay.stderr)")
        }
        // Nothing of the refused replays was audited.
        let audit = try await crm(["audit", "--json", "--data", w.data])
        #expect(!audit.stdout.contains("replay"), "\(audit.stdout)")
    }
}
