import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The customer CLI against a store with forms: updates by id or external key without a name, a column
/// filling exactly one field, moving a customer to another group, `--field` on edit, appointment times,
/// and merged customers in the list.
@Suite("crm: customers and their forms", .serialized)
struct CustomerFormFindingsCLITests {
    static let wang = UUID.derived("customer", "wang")
    static let acme = UUID.derived("customer", "acme")

    /// A store with a residential form (meterType, housing) and a business form (budget; employees, and
    /// `headcount` labelled "Employees" in key-account), Wang (residential, external key `import:imp-1`)
    /// and Acme (business, budget 5000).
    func store() async throws -> (dir: String, data: String) {
        let dir = temporaryDirectory()
        let data = dir + "/data"
        let engine = try await CRMEngine.open(at: data, configuration: .init(durability: .noSync))
        do {
            let system = Principal.system
            try await engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
                FieldDefinition(name: "meterType", label: "Meter type", type: .enumeration, options: ["gas", "water"]),
                FieldDefinition(name: "housing", label: "Housing", type: .enumeration, options: ["apartment", "house"]),
            ]), as: system)
            try await engine.execute(CustomerForm.self, id: CustomerForm.id(group: "business"), .define(group: "business", fields: [
                FieldDefinition(name: "budget", label: "Budget", type: .number),
                FieldDefinition(name: "employees", label: "Staff", type: .number),
            ]), as: system)
            try await engine.execute(CustomerForm.self, id: CustomerForm.id(group: "key-account"), .define(group: "key-account", fields: [
                FieldDefinition(name: "headcount", label: "Employees", type: .number),
            ]), as: system)
            try await engine.execute(Customer.self, id: Self.wang, .create(customerID: Self.wang, NewCustomer(
                kind: .person, name: "Wang", group: "residential", customFields: ["meterType": .option("gas")],
                externalKeys: [ExternalKey(system: "import", key: "imp-1")]), form: .empty(group: "residential")), as: system)
            try await engine.execute(Customer.self, id: Self.acme, .create(customerID: Self.acme, NewCustomer(
                kind: .organisation, name: "Acme", group: "business", customFields: ["budget": .number(5000)]), form: .empty(group: "business")), as: system)
        } catch {
            await engine.close()
            throw error
        }
        await engine.close()
        return (dir, data)
    }

    func shown(_ id: UUID, _ data: String) async throws -> [String: Any] {
        let run = try await crm(["customer", "show", id.lowercasedString, "--data", data, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        return object(run.stdout)["state"] as? [String: Any] ?? [:]
    }

    func customFields(_ id: UUID, _ data: String) async throws -> [String: String] {
        let fields = try await shown(id, data)["customFields"] as? [String: Any] ?? [:]
        return fields.mapValues { "\($0)" }
    }

    @Test func aRowNamingACustomerByExternalKeyOrIdUpdatesItWithoutAName() async throws {
        let (dir, data) = try await store()
        defer { cleanup(dir) }
        write("external_key,meterType,housing\nimp-1,water,house\n", to: dir + "/keys.csv")
        let byKey = try await crm(["import", "customers", dir + "/keys.csv", "--data", data, "--group", "residential"])
        #expect(byKey.status == 0, "\(byKey.stdout)\(byKey.stderr)")
        #expect(byKey.stdout.contains("created 0, updated 1, unchanged 0, invalid 0"), "\(byKey.stdout)")
        #expect(try await shown(Self.wang, data)["name"] as? String == "Wang")
        #expect(try await customFields(Self.wang, data) == ["meterType": "water", "housing": "house"])

        // An empty name cell, and no group at all: the customer's own are kept.
        write("id,name,housing\n\(Self.wang.lowercasedString),,apartment\n", to: dir + "/ids.csv")
        let byID = try await crm(["import", "customers", dir + "/ids.csv", "--data", data])
        #expect(byID.status == 0, "\(byID.stdout)\(byID.stderr)")
        #expect(byID.stdout.contains("updated 1"), "\(byID.stdout)")
        let wang = try await shown(Self.wang, data)
        #expect(wang["name"] as? String == "Wang" && wang["group"] as? String == "residential")

        // A new customer still needs its name (and group).
        write("external_key,housing\nnew-9,house\n", to: dir + "/new.csv")
        let new = try await crm(["import", "customers", dir + "/new.csv", "--data", data, "--group", "residential"])
        #expect(new.status == 2)
        #expect(new.stdout.contains("line 2: name: is required for a new customer"), "\(new.stdout)")
        let noGroup = try await crm(["import", "customers", dir + "/new.csv", "--data", data])
        #expect(noGroup.stdout.contains("line 2: group: is required for a new customer"), "\(noGroup.stdout)")
    }

    @Test func aColumnFillsTheFieldItNamesExactlyAndAnAmbiguousOneIsRefused() async throws {
        let (dir, data) = try await store()
        defer { cleanup(dir) }
        // `employees` is business's key; "Employees" is key-account's label: the exact key wins.
        write("name,group,employees\nBeta,business,12\n", to: dir + "/exact.csv")
        let exact = try await crm(["import", "customers", dir + "/exact.csv", "--data", data, "--dry-run"])
        #expect(exact.status == 0, "\(exact.stdout)\(exact.stderr)")
        write("name,group,EMPLOYEES\nBeta,business,12\nGamma,key-account,3\n", to: dir + "/ambiguous.csv")
        let ambiguous = try await crm(["import", "customers", dir + "/ambiguous.csv", "--data", data, "--dry-run"])
        #expect(ambiguous.status == 64, "\(ambiguous.stdout)\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains("matches several fields: employees, headcount"), "\(ambiguous.stderr)")
    }

    @Test func movingACustomerToAnotherGroupClearsTheValuesItsFormLacks() async throws {
        let (dir, data) = try await store()
        defer { cleanup(dir) }
        let moved = try await crm(["customer", "edit", Self.acme.lowercasedString, "--group", "residential", "--field", "housing=house", "--data", data])
        #expect(moved.status == 0, "\(moved.stdout)\(moved.stderr)")
        #expect(moved.stdout.contains("Cleared the values the new group's form has no field for: budget"), "\(moved.stdout)")
        #expect(try await shown(Self.acme, data)["group"] as? String == "residential")
        #expect(try await customFields(Self.acme, data) == ["housing": "house"])

        // --field on edit sets and (NAME=) clears; --birthday on add.
        let set = try await crm(["customer", "edit", Self.wang.lowercasedString, "--field", "housing=apartment", "--field", "meterType=", "--data", data])
        #expect(set.status == 0, "\(set.stdout)\(set.stderr)")
        #expect(try await customFields(Self.wang, data) == ["housing": "apartment"])
        let added = try await crm(["customer", "add", "--name", "Li", "--group", "residential", "--birthday", "1980-05-17", "--data", data, "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(UUID(uuidString: object(added.lines.first ?? "")["id"] as? String ?? ""))
        #expect(try await shown(id, data)["birthday"] as? String == "1980-05-17")

        // An import row with a new group moves the customer the same way.
        write("id,group,budget\n\(Self.wang.lowercasedString),business,100\n", to: dir + "/move.csv")
        let imported = try await crm(["import", "customers", dir + "/move.csv", "--data", data])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect(try await customFields(Self.wang, data) == ["budget": "100"])
    }

    @Test func anAppointmentAtADateWithoutATimeIsRefused() async throws {
        let (dir, data) = try await store()
        defer { cleanup(dir) }
        let run = try await crm(["customer", "appointment", "add", Self.wang.lowercasedString, "--kind", "move", "--at", "2026-12-03",
                                 "--address", "1 Road", "--data", data])
        #expect(run.status == 64, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("--at"), "\(run.stderr)")
        let appointments = try await shown(Self.wang, data)["appointments"] as? [Any]
        #expect(appointments?.isEmpty ?? true)
    }

    @Test func mergedCustomersAreListedAsTheHTTPListListsThem() async throws {
        let (dir, data) = try await store()
        defer { cleanup(dir) }
        let merged = try await crm(["customer", "merge", Self.acme.lowercasedString, "--into", Self.wang.lowercasedString, "--data", data])
        #expect(merged.status == 0, "\(merged.stderr)")
        let listed = try await crm(["customer", "list", "--data", data, "--json"]).lines.map(object)
        #expect(listed.contains { $0["id"] as? String == Self.acme.lowercasedString && $0["status"] as? String == "merged" })
        #expect(listed.count == 2)
    }
}
