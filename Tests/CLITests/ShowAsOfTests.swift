import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import Testing

/// `crm show --as-of` answers what the engine answers for the record then (`CRMEngine.state(_:id:asOf:as:)`):
/// the same state, version, position and time, as the principal of `--token` may see it.
@Suite("crm show --as-of: the engine's state then", .serialized)
struct ShowAsOfTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z

    /// A store written through the engine on a clock the test sets: a residential form with `income`
    /// (hidden from the viewer) and `floor`, a customer created at 00:00 (income 90000, floor 3), edited at
    /// 01:00 (name Second, floor 4) and, after the clock was set back, at 00:45 (name Third, income 95000) —
    /// a wall clock stepped back, as NTP may. `answers` are the engine's states as of `points`, for the
    /// administrator and for the viewer, taken before the engine closes.
    struct Written {
        let dir: String
        let data: String
        let customer: UUID
        let viewerToken: String
        let answers: [String: (admin: Any, viewer: Any, version: StreamVersion, position: GlobalPosition)]
    }

    static let points = ["2026-01-01T00:30:00Z", "2026-01-01T00:50:00Z", "2026-01-01T01:30:00Z"]

    func written() async throws -> Written {
        let dir = temporaryDirectory()
        let data = dir + "/data"
        let clock = ManualClock(Self.start.addingTimeInterval(-86_400))
        let engine = try await CRMEngine.open(at: data, configuration: .init(clock: clock, durability: .noSync))
        do {
            let (admin, _) = try await engine.bootstrap(administrator: NewEmployee(
                id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "A", hiredOn: try day("2020-01-01")))
            try await engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
                FieldDefinition(name: "income", label: "Income", type: .text),
                FieldDefinition(name: "floor", label: "Floor", type: .text),
            ]), as: admin)
            let viewerID = UUID.derived("employee", "viewer")
            try await engine.execute(Organisation.self, id: viewerID, .hire(NewEmployee(id: viewerID, name: "Vera Viewer", position: "clerk", branch: "A",
                                                                                       hiredOn: try day("2024-01-01"))), as: admin)
            let roleID = UUID.derived("role", "viewer")
            let rights = [Permission(module: .customers, actions: [.query], scope: .all)]
            try await engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(
                name: "viewer", permissions: rights, hiddenFields: [HiddenField(formGroup: "residential", field: "income")]), grantor: .none), as: admin)
            try await engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", "viewer"), employeeID: viewerID, roleID: roleID,
                                                                               validity: .always, grantor: .none), as: admin)
            let viewerToken = try await engine.issueToken(for: viewerID, name: "tests", as: admin).token
            let viewer = try await engine.principal(employeeID: viewerID)

            let customer = UUID.derived("customer", "as-of")
            clock.set(Self.start)
            try await engine.execute(Customer.self, id: customer, .create(customerID: customer, NewCustomer(
                kind: .person, name: "First", group: "residential", branch: "A", customFields: ["income": .text("90000"), "floor": .text("3")]), form: .empty(group: "residential")), as: admin)
            clock.set(Self.start.addingTimeInterval(3_600))
            try await engine.execute(Customer.self, id: customer, .edit(CustomerEdit(name: "Second", setCustomFields: ["floor": .text("4")]), form: .empty(group: "residential")), as: admin)
            clock.set(Self.start.addingTimeInterval(2_700))
            try await engine.execute(Customer.self, id: customer, .edit(CustomerEdit(name: "Third", setCustomFields: ["income": .text("95000")]), form: .empty(group: "residential")), as: admin)

            var answers: [String: (admin: Any, viewer: Any, version: StreamVersion, position: GlobalPosition)] = [:]
            let events = try await engine.store.readStream(Customer.stream(customer))
            for point in Self.points {
                let time = try #require(ISO8601DateFormatter().date(from: point))
                let forAdmin = try await engine.state(Customer.self, id: customer, asOf: .time(time), as: admin)
                let forViewer = try await engine.state(Customer.self, id: customer, asOf: .time(time), as: viewer)
                #expect(forAdmin.version == forViewer.version)
                let position = try #require(events.first { $0.streamVersion == forAdmin.version }?.position)
                answers[point] = (reflectJSON(forAdmin.state), reflectJSON(forViewer.state), forAdmin.version, position)
            }
            await engine.close()
            return Written(dir: dir, data: data, customer: customer, viewerToken: viewerToken, answers: answers)
        } catch {
            await engine.close()
            cleanup(dir)
            throw error
        }
    }

    private func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    /// `value` as canonical JSON text (keys sorted), after a round trip through JSON so that numbers,
    /// strings and nulls are written alike whichever side they came from.
    private func canonical(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        let again = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data), options: [.sortedKeys])
        return String(decoding: again, as: UTF8.self)
    }

    @Test func showAsOfATimeIsTheEnginesStateThenForTheOperatorAndForAnEmployeeWithAHiddenField() async throws {
        let w = try await written()
        defer { cleanup(w.dir) }
        let record = "customer-" + w.customer.lowercasedString
        for point in Self.points {
            let answer = try #require(w.answers[point])
            for (label, token, expected) in [("operator", nil, answer.admin), ("viewer", w.viewerToken, answer.viewer)] as [(String, String?, Any)] {
                let run = try await crm(["show", record, "--as-of", point, "--json", "--data", w.data] + (token.map { ["--token", $0] } ?? []))
                #expect(run.status == 0, "\(label) \(point): \(run.stderr)")
                let shown = object(run.stdout)
                #expect(shown["version"] as? Int == Int(answer.version.rawValue), "\(label) \(point): \(run.stdout)")
                #expect(shown["position"] as? Int == Int(answer.position.rawValue), "\(label) \(point): \(run.stdout)")
                let state = try #require(shown["state"], "\(label) \(point): \(run.stdout)")
                #expect(try canonical(state) == canonical(expected), "\(label) \(point): \(run.stdout)")
            }
        }
        // Between the 01:00 edit and the one stamped 00:45 after it: the engine folds the events up to the
        // first one after the point — the creation alone — and never the later edit without the one before it.
        let between = try #require(w.answers["2026-01-01T00:50:00Z"])
        #expect(between.version == StreamVersion(1))
        let viewed = try await crm(["show", record, "--as-of", "2026-01-01T00:50:00Z", "--data", w.data, "--token", w.viewerToken])
        #expect(viewed.status == 0 && viewed.stdout.contains("First") && !viewed.stdout.contains("Third"), "\(viewed.stdout) \(viewed.stderr)")
        // The hidden field stays out for the viewer at every point; the operator sees it.
        for point in Self.points {
            let asViewer = try await crm(["show", record, "--as-of", point, "--data", w.data, "--token", w.viewerToken])
            #expect(asViewer.status == 0 && asViewer.stdout.contains("floor"), "\(asViewer.stdout) \(asViewer.stderr)")
            #expect(!asViewer.stdout.contains("income") && !asViewer.stdout.contains("90000") && !asViewer.stdout.contains("95000"), "\(asViewer.stdout)")
            #expect(try await crm(["show", record, "--as-of", point, "--data", w.data]).stdout.contains("income"))
        }
        // Before the record's first event it did not exist then: for the operator and for the viewer alike, the
        // engine's answer "no state then" (not a refusal) with its own hint.
        for token in [nil, w.viewerToken] {
            let before = try await crm(["show", record, "--as-of", "2025-12-31T12:00:00Z", "--data", w.data] + (token.map { ["--token", $0] } ?? []))
            #expect(before.status == 4, "\(before.status) \(before.stderr)")
            #expect(before.stdout.isEmpty, "\(before.stdout)")
            #expect(before.stderr == "error: \(record) did not exist then\nhint: give a later --as-of\n", "\(before.stderr)")
        }
        // A record that does not exist at all is the engine's other "not found", with the hint to check the id.
        let unknown = "customer-" + UUID.derived("customer", "never").lowercasedString
        let missing = try await crm(["show", unknown, "--as-of", "2026-01-01T01:30:00Z", "--data", w.data])
        #expect(missing.status == 4, "\(missing.status) \(missing.stderr)")
        #expect(!missing.stderr.contains("did not exist then") && !missing.stderr.contains("give a later --as-of")
            && missing.stderr.contains("hint: check the id"), "\(missing.stderr)")
    }
}
