import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Shared fixtures of the organisation and permission tests.
enum OrgFixture {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // the Scenario default, 2026-01-01 UTC
    static let admin = UUID.derived("org-test", "admin")
    static let adminRole = UUID.derived("org-test", "role", "admin")
    static let adminGrant = UUID.derived("org-test", "grant", "admin")

    static func day(_ n: Double) -> Date { now.addingTimeInterval(n * 86_400) }
    static func id(_ name: String) -> UUID { UUID.derived("org-test", name) }

    static let bootstrapped = OrganisationEvent.bootstrapped(OrganisationBootstrapped(
        administratorID: admin, name: "Ada Admin", position: "Administrator", branch: "head office",
        hiredOn: date("2025-01-01"), roleID: adminRole, roleName: "Administrator",
        permissions: Permission.everything, grantID: adminGrant
    ))

    static func hired(_ name: String, unit: UUID? = nil, manager: UUID? = nil, branch: String = "north") -> OrganisationEvent {
        .employeeHired(EmployeeHired(employeeID: id(name), name: name, unitID: unit, position: "Sales", branch: branch,
                                     managerID: manager, hiredOn: date("2025-06-01")))
    }

    static func unit(_ name: String, _ kind: OrgUnit.Kind, under parent: String? = nil) -> OrganisationEvent {
        .unitCreated(UnitCreated(unitID: id(name), kind: kind, name: name, parentID: parent.map(id)))
    }

    static func role(_ name: String, _ permissions: [Permission], hidden: [HiddenField] = []) -> OrganisationEvent {
        .roleDefined(RoleDefined(roleID: id("role-" + name), name: name, permissions: permissions, hiddenFields: hidden))
    }

    static func granted(_ role: String, to employee: String, _ validity: ValidityPeriod = .always) -> OrganisationEvent {
        .roleGranted(RoleGranted(grantID: id("grant-\(role)-\(employee)"), employeeID: id(employee), roleID: id("role-" + role), validity: validity))
    }

    /// What the administrator holds right after bootstrap.
    static var adminHolds: EffectivePermissions { Organisation.replay([bootstrapped]).effectivePermissions(of: admin, at: now) }

    /// A branch manager: query, create and edit customers in the north branch during 2026, and approve quotes
    /// there; the customer form's `income` field is hidden from them.
    static let managerPeriod = ValidityPeriod(from: day(0), until: day(365))
    static let manager = EffectivePermissions(permissions: [
        Permission(module: .customers, actions: [.create, .edit, .query], scope: .branch("north"), validity: managerPeriod),
        Permission(module: .quotes, actions: [.approve], scope: .branch("north"), validity: managerPeriod),
    ], hiddenFields: [HiddenField(formGroup: "residential", field: "income")])
}

@Suite("Permissions and the grant rule")
struct PermissionTests {
    typealias F = OrgFixture
    let north = DataScope.branch("north")

    // MARK: The grant rule, one test per excess

    @Test func aManagerCannotGrantAnActionTheyLack() {
        let excess = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query, .delete], scope: north, validity: F.managerPeriod)],
                                      hiding: [HiddenField(formGroup: "residential", field: "income")], by: F.manager)
        #expect(excess == .action(.customers, .delete))
        #expect(excess?.error.code == .forbidden)
        #expect(excess?.error.field == "actions")
        #expect(GrantRule.excess(granting: [Permission(module: .contracts, actions: [.query], scope: north, validity: F.managerPeriod)],
                                 hiding: [HiddenField(formGroup: "residential", field: "income")], by: F.manager) == .action(.contracts, .query))
    }

    @Test func aManagerCannotGrantAWiderOrOtherScopeThanTheirs() {
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        let all = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: .all, validity: F.managerPeriod)], hiding: hidden, by: F.manager)
        #expect(all == .scope(.customers, .query, .all))
        #expect(all?.error.field == "scope")
        let south = GrantRule.excess(granting: [Permission(module: .customers, actions: [.edit], scope: .branch("south"), validity: F.managerPeriod)], hiding: hidden, by: F.manager)
        #expect(south == .scope(.customers, .edit, .branch("south")))
        // A branch does not cover a community or a customer group: the organisation cannot tell they lie inside it.
        let community = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: .community("riverside"), validity: F.managerPeriod)], hiding: hidden, by: F.manager)
        #expect(community == .scope(.customers, .query, .community("riverside")))
    }

    @Test func aManagerCannotShowAFieldHiddenFromThem() {
        let excess = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: north, validity: F.managerPeriod)],
                                      hiding: [], by: F.manager)
        #expect(excess == .hiddenField(HiddenField(formGroup: "residential", field: "income")))
        #expect(excess?.error.field == "hiddenFields")
    }

    @Test func aManagerCannotGrantBeyondTheirOwnPeriod() {
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        let openEnded = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: north, validity: ValidityPeriod(from: F.day(10)))], hiding: hidden, by: F.manager)
        #expect(openEnded == .validity(.customers, .query, north))
        #expect(openEnded?.error.field == "validity")
        let tooLate = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: north, validity: ValidityPeriod(from: F.day(10), until: F.day(400)))], hiding: hidden, by: F.manager)
        #expect(tooLate == .validity(.customers, .query, north))
        let tooEarly = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: north, validity: ValidityPeriod(from: F.day(-5), until: F.day(30)))], hiding: hidden, by: F.manager)
        #expect(tooEarly == .validity(.customers, .query, north))
        let always = GrantRule.excess(granting: [Permission(module: .customers, actions: [.query], scope: north)], hiding: hidden, by: F.manager)
        #expect(always == .validity(.customers, .query, north))
    }

    @Test func aManagerMayGrantWhatTheyHoldOrLess() {
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        let same = F.manager.permissions
        #expect(GrantRule.excess(granting: same, hiding: hidden, by: F.manager) == nil)
        let less = [
            Permission(module: .customers, actions: [.query], scope: north, validity: ValidityPeriod(from: F.day(30), until: F.day(60))),
            Permission(module: .customers, actions: [.edit], scope: .own, validity: F.managerPeriod),
            Permission(module: .quotes, actions: [.approve], scope: .own, validity: ValidityPeriod(from: F.day(1), until: F.day(2))),
        ]
        let hidingMore = hidden + [HiddenField(formGroup: "residential", field: "phone"), HiddenField(formGroup: "business", field: "revenue")]
        #expect(GrantRule.excess(granting: less, hiding: hidingMore, by: F.manager) == nil)
        #expect(GrantRule.excess(granting: [], hiding: [], by: F.manager) == nil)
    }

    @Test func theAdministratorMayGrantAnything() throws {
        let anything = Permission.everything + [Permission(module: .revenue, actions: [.analyse], scope: .customerGroup("key"), validity: ValidityPeriod(from: F.day(-100), until: F.day(1000)))]
        #expect(GrantRule.excess(granting: anything, hiding: [], by: F.adminHolds) == nil)
        #expect(throws: Never.self) { try GrantRule.check(granting: anything, hiding: [], by: F.adminHolds) }
    }

    @Test func periodsOfSeveralGrantorPermissionsAreNotJoined() {
        let halves = EffectivePermissions(permissions: [
            Permission(module: .tasks, actions: [.create], scope: .all, validity: ValidityPeriod(from: F.day(0), until: F.day(100))),
            Permission(module: .tasks, actions: [.create], scope: .all, validity: ValidityPeriod(from: F.day(100), until: F.day(200))),
        ])
        let whole = [Permission(module: .tasks, actions: [.create], scope: .all, validity: ValidityPeriod(from: F.day(0), until: F.day(200)))]
        #expect(GrantRule.excess(granting: whole, hiding: [], by: halves) == .validity(.tasks, .create, .all))
    }

    @Test func anEmptyGrantorCanGrantNothing() {
        #expect(GrantRule.excess(granting: [Permission(module: .tasks, actions: [.query], scope: .own)], hiding: [], by: .none) == .action(.tasks, .query))
    }

    // MARK: Default deny

    @Test func nothingIsAllowedWithoutAPermission() {
        for module in Permission.Module.allCases {
            for action in Permission.Action.allCases {
                #expect(!EffectivePermissions.none.allows(module: module, action: action, scope: .own, at: F.now))
            }
        }
        #expect(!EffectivePermissions.none.canSee(formGroup: "residential", field: "name", in: [.all]))
    }

    @Test func onlyTheModuleActionAndScopeGrantedAreAllowed() {
        let m = F.manager
        let t = F.day(1)
        #expect(m.allows(module: .customers, action: .edit, scope: north, at: t))
        #expect(m.allows(module: .customers, action: .edit, scope: .own, at: t))
        #expect(!m.allows(module: .customers, action: .delete, scope: north, at: t))
        #expect(!m.allows(module: .customers, action: .edit, scope: .branch("south"), at: t))
        #expect(!m.allows(module: .customers, action: .edit, scope: .all, at: t))
        #expect(!m.allows(module: .contacts, action: .edit, scope: north, at: t))
        #expect(m.allows(module: .quotes, action: .approve, scope: north, at: t))
        #expect(!m.allows(module: .quotes, action: .query, scope: north, at: t))
    }

    @Test func expiredAndNotYetValidPermissionsAllowNothing() {
        let m = F.manager  // valid from day 0 (inclusive) until day 365 (exclusive)
        #expect(!m.allows(module: .customers, action: .query, scope: north, at: F.day(-1)))
        #expect(m.allows(module: .customers, action: .query, scope: north, at: F.day(0)))
        #expect(m.allows(module: .customers, action: .query, scope: north, at: F.day(364.99)))
        #expect(!m.allows(module: .customers, action: .query, scope: north, at: F.day(365)))
        #expect(!m.allows(module: .customers, action: .query, scope: north, at: F.day(400)))
    }

    // MARK: Scopes and periods

    @Test func scopeCoverage() {
        #expect(DataScope.all.covers(.branch("x")))
        #expect(DataScope.all.covers(.customerGroup("key")))
        #expect(DataScope.branch("x").covers(.own))
        #expect(DataScope.community("c").covers(.community("c")))
        #expect(!DataScope.community("c").covers(.community("d")))
        #expect(!DataScope.branch("x").covers(.community("c")))
        #expect(!DataScope.own.covers(.branch("x")))
        #expect(!DataScope.customerGroup("key").covers(.all))
    }

    @Test func validityPeriodsContainCoverAndIntersect() {
        let year = ValidityPeriod(from: F.day(0), until: F.day(365))
        #expect(ValidityPeriod.always.covers(year))
        #expect(!year.covers(.always))
        #expect(year.covers(ValidityPeriod(from: F.day(0), until: F.day(365))))
        #expect(!year.covers(ValidityPeriod(from: F.day(0))))
        #expect(!year.covers(ValidityPeriod(until: F.day(10))))
        #expect(year.intersection(ValidityPeriod(from: F.day(300), until: F.day(500))) == ValidityPeriod(from: F.day(300), until: F.day(365)))
        #expect(year.intersection(ValidityPeriod(from: F.day(365))) == nil)
        #expect(year.intersection(.always) == year)
        #expect(throws: DomainError.invalid("validity", "the start must be before the end")) {
            try ValidityPeriod(from: F.day(2), until: F.day(2)).validated()
        }
    }

    @Test func permissionsAreValidated() throws {
        let p = try Permission(module: .tasks, actions: [.edit, .query, .edit], scope: .branch("  north "), validity: .always).validated()
        #expect(p.actions == [.edit, .query])
        #expect(p.scope == .branch("north"))
        #expect(throws: DomainError.self) { try Permission(module: .tasks, actions: [], scope: .all).validated() }
        #expect((try? Permission(module: .tasks, actions: [.query], scope: .community(" ")).validated()) == nil)
    }

    // MARK: Effective permissions

    @Test func effectivePermissionsCountOnlyGrantsInForceNarrowedToTheGrantPeriod() {
        let role = Role(id: F.id("r"), name: "r", permissions: [
            Permission(module: .tasks, actions: [.query], scope: .all),
            Permission(module: .tickets, actions: [.edit], scope: .all, validity: ValidityPeriod(until: F.day(10))),
            Permission(module: .visits, actions: [.create], scope: .all, validity: ValidityPeriod(from: F.day(50))),
        ])
        let grant = ValidityPeriod(from: F.day(-10), until: F.day(100))
        let held = EffectivePermissions.of(roles: [(role: role, grant: grant)], at: F.day(1))
        #expect(held.permissions.map(\.module) == [.tasks, .tickets])
        #expect(held.permissions[0].validity == grant)
        #expect(held.permissions[1].validity == ValidityPeriod(from: F.day(-10), until: F.day(10)))
        #expect(EffectivePermissions.of(roles: [(role: role, grant: grant)], at: F.day(100)) == .none)
        #expect(EffectivePermissions.of(roles: [(role: role, grant: grant)], at: F.day(-11)) == .none)
        #expect(EffectivePermissions.of(roles: [(role: role, grant: grant)], at: F.day(60)).permissions.map(\.module) == [.tasks, .visits])
    }

    @Test func aFieldIsHiddenOnlyWhenEveryContributingRoleHidesIt() {
        let income = HiddenField(formGroup: "residential", field: "income")
        let phone = HiddenField(formGroup: "residential", field: "phone")
        let a = Role(id: F.id("a"), name: "a", permissions: [Permission(module: .customers, actions: [.query], scope: .all)], hiddenFields: [income, phone])
        let b = Role(id: F.id("b"), name: "b", permissions: [Permission(module: .customers, actions: [.query], scope: .own)], hiddenFields: [income])
        let expired = Role(id: F.id("c"), name: "c", permissions: [Permission(module: .customers, actions: [.query], scope: .own, validity: ValidityPeriod(until: F.day(-1)))])
        let held = EffectivePermissions.of(roles: [(role: a, grant: .always), (role: b, grant: .always), (role: expired, grant: .always)], at: F.now)
        #expect(held.hiddenFields == [income])
        // On the holder's own customers, both roles give `query`: only what both hide is hidden.
        #expect(!held.canSee(formGroup: "residential", field: "income", in: [.branch("north"), .own]))
        #expect(held.canSee(formGroup: "residential", field: "phone", in: [.branch("north"), .own]))
        #expect(held.canSee(formGroup: "business", field: "income", in: [.branch("north"), .own]))
        // On anyone else's, only `a` does.
        #expect(!held.canSee(formGroup: "residential", field: "phone", in: [.branch("north")]))
    }
}
