import CRMDomain
@testable import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Round 4 of the exploratory tester's permission findings: tokens for others, hidden fields and the roles
/// that decide them, a change of group beside a hidden field, discount authority by role name, a feedback
/// form's reviewer.
@Suite struct PermissionsRound4Tests {
    static let contactWindow = HiddenField(formGroup: "residential", field: "contactWindow")

    @Test func issuingATokenForAnotherEmployeeNeedsAllTheyHold() async throws {
        let f = try await EngineFixture.make("round4-token")
        let sam = try await f.hire("Sam", branch: "berlin", permissions: [
            Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all),
            Permission(module: .customers, actions: [.query], scope: .branch("berlin")),
        ])
        let adminID = try #require(f.admin.employeeID)
        let head = try await f.engine.store.headPosition()
        let stolen = await #expect(throws: EngineError.self) { try await f.engine.issueToken(for: adminID, name: "stolen", as: sam) }
        #expect(stolen?.code == .forbidden && stolen?.field == "employee", "\(String(describing: stolen))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // Someone holding no more than Sam: allowed.
        let clerk = try await f.hire("Clerk", branch: "berlin", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("berlin"))])
        _ = try await f.engine.issueToken(for: try #require(clerk.employeeID), name: "clerk", as: sam)
        // An issuer from whom a field is hidden may not act as someone who sees it.
        let hider = try await f.hire("Hider", branch: "berlin", permissions: [
            Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all),
            Permission(module: .customers, actions: [.query], scope: .branch("berlin")),
        ], hidden: [Self.contactWindow])
        let shown = await #expect(throws: EngineError.self) {
            try await f.engine.issueToken(for: try #require(clerk.employeeID), name: "peek", as: hider)
        }
        #expect(shown?.code == .forbidden && shown?.field == "employee")
        await f.close()
    }

    @Test func aRoleWithoutCustomerAccessDoesNotShowAHiddenField() async throws {
        let f = try await EngineFixture.make("round4-hidden-roles")
        try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
            FieldDefinition(name: "contactWindow", label: "Contact window", type: .text),
        ]), as: f.admin)
        let berta = try await f.hire("Berta", branch: "berlin", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("berlin"))],
                                     hidden: [Self.contactWindow])
        let id = UUID.derived("customer", "Windowed")
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Windowed", group: "residential", branch: "berlin", customFields: ["contactWindow": .text("evenings")]),
            form: .empty(group: "residential")), as: f.admin)
        let bertaID = try #require(berta.employeeID)
        func grant(_ name: String, _ permissions: [Permission]) async throws {
            let role = UUID.derived("role", name)
            try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: name, permissions: permissions), grantor: .none), as: f.admin)
            try await f.engine.execute(Organisation.self, id: role, .grantRole(grantID: UUID.derived("grant", name), employeeID: bertaID, roleID: role,
                                                                               validity: .always, grantor: .none), as: f.admin)
        }
        // A role giving only organisation rights, hiding nothing: the field stays hidden.
        try await grant("org viewer", [Permission(module: .organisation, actions: [.query], scope: .own)])
        var seen = try await f.engine.state(Customer.self, id: id, as: try await f.engine.principal(employeeID: bertaID)).state
        #expect(seen.customFields["contactWindow"] == nil, "\(seen.customFields)")
        // A role giving customer query elsewhere (Hamburg) that hides nothing does not show it on a Berlin
        // customer (hidden fields are decided per customer scope)…
        try await grant("hamburg viewer", [Permission(module: .customers, actions: [.query], scope: .branch("hamburg"))])
        seen = try await f.engine.state(Customer.self, id: id, as: try await f.engine.principal(employeeID: bertaID)).state
        #expect(seen.customFields["contactWindow"] == nil, "\(seen.customFields)")
        // …one giving customer query over Berlin that hides nothing does show it.
        try await grant("customer viewer", [Permission(module: .customers, actions: [.query], scope: .branch("berlin"))])
        seen = try await f.engine.state(Customer.self, id: id, as: try await f.engine.principal(employeeID: bertaID)).state
        #expect(seen.customFields["contactWindow"] == .text("evenings"))
        await f.close()
    }

    @Test func aChangeOfGroupAnswersAlikeWhateverAHiddenFieldHoldsAndDropsTheOldFormsValues() async throws {
        let f = try await EngineFixture.make("round4-regroup")
        for (group, fields) in [
            ("residential", [FieldDefinition(name: "contactWindow", label: "Contact window", type: .text)]),
            ("business", [FieldDefinition(name: "employees", label: "Employees", type: .number, required: true)]),
            ("key-account", [FieldDefinition(name: "contactWindow", label: "Contact window", type: .text)]),
        ] {
            try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: group), .define(group: group, fields: fields), as: f.admin)
        }
        let berta = try await f.hire("Berta", branch: "berlin", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .branch("berlin"))],
                                     hidden: [Self.contactWindow])
        var ids: [UUID] = []
        for (name, custom) in [("Set", ["contactWindow": FieldValue.text("evenings")]), ("Unset", [:])] {
            let id = UUID.derived("customer", name)
            try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .person, name: name, group: "residential", branch: "berlin", customFields: custom), form: .empty(group: "residential")), as: f.admin)
            ids.append(id)
        }
        let head = try await f.engine.store.headPosition()
        var answers: [String] = []
        for id in ids {
            let refused = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "business"), form: .empty(group: "business")), as: berta)
            }
            answers.append("\(refused?.code as Any) \(refused?.field ?? "") \(refused?.message ?? "")")
            // To a group whose form has the hidden field too: refused alike, whatever the value.
            let hiddenThere = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "key-account"), form: .empty(group: "key-account")), as: berta)
            }
            #expect(hiddenThere?.code == .forbidden && hiddenThere?.field == "group", "\(String(describing: hiddenThere))")
        }
        #expect(answers[0] == answers[1], "\(answers)")
        #expect(answers[0].contains("employees"), "\(answers)")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // With the new form's value the change goes through; the old form's value is dropped, in the history.
        let moved = try await f.engine.execute(Customer.self, id: ids[0], .edit(CustomerEdit(group: "business", setCustomFields: ["employees": .number(12)]),
                                                                               form: .empty(group: "business")), as: berta)
        let state = try await f.engine.state(Customer.self, id: ids[0], as: f.admin).state
        #expect(state.group == "business" && state.customFields == ["employees": .number(12)])
        let history = try await f.engine.history(of: Customer.stream(ids[0]), as: f.admin, consistentWith: moved.position)
        #expect(history.last?.changes.contains(FieldChange(field: "custom.contactWindow", old: .text("evenings"), new: nil)) == true)
        let bertas = try await f.engine.history(of: Customer.stream(ids[0]), as: berta, consistentWith: moved.position)
        #expect(!bertas.flatMap(\.changes).contains { $0.field == "custom.contactWindow" })
        await f.close()
    }

    @Test func aRoleCarryingADiscountLimitIsGivenOnlyByWhomHoldsOneAsLarge() async throws {
        let f = try await EngineFixture.make("round4-discount")
        let quinn = try await f.hire("Quinn", branch: "berlin", permissions: [
            Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all),
            Permission(module: .quotes, actions: [.create, .edit, .query], scope: .branch("berlin")),
        ])
        let quinnID = try #require(quinn.employeeID)
        let quotes = [Permission(module: .quotes, actions: [.query], scope: .branch("berlin"))]
        let head = try await f.engine.store.headPosition()
        // Defining a role named as one with a limit (salesManager: 15 % by default).
        let own = UUID.derived("role", "quinn-sales")
        let defined = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Organisation.self, id: own, .defineRole(roleID: own, RoleDefinition(name: "salesManager", permissions: quotes), grantor: .none), as: quinn)
        }
        #expect(defined?.domain?.code == .forbidden && defined?.field == "name", "\(String(describing: defined))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // Renaming into it.
        try await f.engine.execute(Organisation.self, id: own, .defineRole(roleID: own, RoleDefinition(name: "helper", permissions: quotes), grantor: .none), as: quinn)
        let afterHelper = try await f.engine.store.headPosition()
        let renamed = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Organisation.self, id: own, .changeRole(roleID: own, RoleDefinition(name: "salesManager", permissions: quotes), grantor: .none), as: quinn)
        }
        #expect(renamed?.domain?.code == .forbidden && renamed?.field == "name")
        #expect(try await f.engine.store.headPosition() == afterHelper)
        // Granting the real one to himself.
        let sales = UUID.derived("role", "salesManager")
        try await f.engine.execute(Organisation.self, id: sales, .defineRole(roleID: sales, RoleDefinition(name: "salesManager", permissions: quotes), grantor: .none), as: f.admin)
        let beforeGrant = try await f.engine.store.headPosition()
        let granted = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Organisation.self, id: sales, .grantRole(grantID: UUID.derived("grant", "quinn-sales"), employeeID: quinnID, roleID: sales,
                                                                                validity: .always, grantor: .none), as: quinn)
        }
        #expect(granted?.domain?.code == .forbidden && granted?.field == "roleID")
        #expect(try await f.engine.store.headPosition() == beforeGrant, "nothing written")
        // The administrator (every permission over all data) may.
        try await f.engine.execute(Organisation.self, id: sales, .grantRole(grantID: UUID.derived("grant", "quinn-sales"), employeeID: quinnID, roleID: sales,
                                                                            validity: .always, grantor: .none), as: f.admin)
        await f.close()
    }

    /// Limits apply by role name: one for a name no role has (a typo) would silently never apply.
    @Test func aDiscountLimitForARoleNameNoRoleHasIsRefused() async throws {
        let f = try await EngineFixture.make("round4-limit-role")
        let head = try await f.engine.store.headPosition()
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "Acount manager", maxPercent: 20)), as: f.admin)
        }
        #expect(refused?.code == .invalid && refused?.field == "role", "\(String(describing: refused))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // A role of the organisation, and a default role's name, are accepted.
        let role = UUID.derived("role", "account-manager")
        try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: "Account manager", permissions: []), grantor: .none), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "Account manager", maxPercent: 20)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "salesManager", maxPercent: 12)), as: f.admin)
        let limits = try await f.engine.settings().discountLimits.map(\.role)
        #expect(limits.contains("Account manager") && limits.contains("salesManager"))

        // Someone with settings rights holding the 20 % role may not raise it (nor another) beyond 20 %.
        let sam = try await f.hire("Sam", branch: "berlin", permissions: [Permission(module: .settings, actions: [.query, .edit], scope: .all)])
        let samID = try #require(sam.employeeID)
        try await f.engine.execute(Organisation.self, id: role, .grantRole(grantID: UUID.derived("grant", "sam-am"), employeeID: samID, roleID: role,
                                                                           validity: .always, grantor: .none), as: f.admin)
        let samNow = try await f.engine.principal(employeeID: samID)
        let before = try await f.engine.store.headPosition()
        let raised = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "Account manager", maxPercent: 100)), as: samNow)
        }
        #expect(raised?.code == .forbidden && raised?.field == "maxPercent", "\(String(describing: raised))")
        #expect(try await f.engine.store.headPosition() == before, "nothing written")
        // Within what Sam holds, it is his to set.
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "salesManager", maxPercent: 18)), as: samNow)
        await f.close()
    }

    @Test func aFeedbackFormNamingAReviewerWhoCouldNotReviewItIsRefused() async throws {
        let f = try await EngineFixture.make("round4-feedback-reviewer")
        let sam = try await f.hire("Sam", branch: "B", permissions: [Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("B"))])
        let rita = try await f.hire("Rita", branch: "B", permissions: [Permission(module: .organisation, actions: [.query], scope: .own)])
        let rory = try await f.hire("Rory", branch: "B", permissions: [Permission(module: .organisation, actions: [.query, .approve], scope: .own)])
        let head = try await f.engine.store.headPosition()
        func submit(_ name: String, reviewer: Principal) async throws {
            let form = UUID.derived("feedback", name)
            try await f.engine.execute(FeedbackForm.self, id: form, .submit(
                id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: sam.id, reviewer: reviewer.id, branch: "B",
                values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: sam)
        }
        let refused = await #expect(throws: EngineError.self) { try await submit("to-rita", reviewer: rita) }
        #expect(refused?.code == .invalid && refused?.field == "reviewer", "\(String(describing: refused))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // A reviewer who may approve the form (their own records) is fine.
        try await submit("to-rory", reviewer: rory)
        await f.close()
    }
}
