import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Organisation")
struct OrganisationTests {
    typealias F = OrgFixture
    let north = DataScope.branch("north")

    func newEmployee(_ name: String, unit: UUID? = nil, manager: UUID? = nil) -> NewEmployee {
        NewEmployee(id: F.id(name), name: name, unitID: unit, position: "Sales", branch: "north", managerID: manager, hiredOn: date("2026-01-05"))
    }

    /// Headquarters (department) → north office → field team, with Bo in the team managed by Al.
    var staffed: [OrganisationEvent] {
        [F.bootstrapped, F.unit("HQ", .department), F.unit("North", .office, under: "HQ"), F.unit("Field", .team, under: "North"),
         F.hired("Al", unit: F.id("North")), F.hired("Bo", unit: F.id("Field"), manager: F.id("Al"))]
    }

    // MARK: Bootstrap

    @Test func bootstrapOnAnEmptyOrganisationCreatesAnAdministratorHoldingEverything() {
        var s = Scenario(Organisation.self)
        let admin = NewEmployee(id: F.admin, name: " Ada Admin ", position: "Administrator", branch: "head office", hiredOn: date("2025-01-01"))
        let events = s.apply(.bootstrap(administrator: admin, roleID: F.adminRole, roleName: "Administrator", grantID: F.adminGrant))
        #expect(events == [F.bootstrapped])
        let holds = s.state.effectivePermissions(of: F.admin, at: F.now)
        for module in Permission.Module.allCases {
            for action in Permission.Action.allCases { #expect(holds.allows(module: module, action: action, scope: .all, at: F.now)) }
        }
        #expect(s.state.bootstrapped)
    }

    @Test func bootstrapIsRefusedOnceTheOrganisationIsBootstrapped() {
        let s = Scenario(Organisation.self, given: [F.bootstrapped])
        let error = s.whenRefused(.bootstrap(administrator: newEmployee("Eve"), roleID: F.id("r2"), roleName: "Root", grantID: F.id("g2")))
        #expect(error?.code == .alreadyExists)
    }

    @Test func bootstrapIsRefusedWhenAnEmployeeOrARoleExists() {
        let command = Organisation.Command.bootstrap(administrator: newEmployee("Eve"), roleID: F.id("r2"), roleName: "Root", grantID: F.id("g2"))
        #expect(Scenario(Organisation.self, given: [F.hired("Al")]).whenRefused(command)?.code == .alreadyExists)
        #expect(Scenario(Organisation.self, given: [F.role("viewer", [])]).whenRefused(command)?.code == .alreadyExists)
    }

    @Test func bootstrapValidatesTheAdministrator() {
        let s = Scenario(Organisation.self)
        var blank = newEmployee("Eve")
        blank.name = "  "
        #expect(s.whenRefused(.bootstrap(administrator: blank, roleID: F.adminRole, roleName: "Admin", grantID: F.adminGrant))?.field == "name")
        #expect(s.whenRefused(.bootstrap(administrator: newEmployee("Eve", unit: F.id("HQ")), roleID: F.adminRole, roleName: "Admin", grantID: F.adminGrant))?.field == "unitID")
        #expect(s.whenRefused(.bootstrap(administrator: newEmployee("Eve"), roleID: F.adminRole, roleName: "", grantID: F.adminGrant))?.field == "roleName")
    }

    @Test func everythingElseWaitsForBootstrap() {
        let s = Scenario(Organisation.self)
        #expect(s.whenRefused(.hire(newEmployee("Al")))?.code == .notConfigured)
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("HQ"), kind: .department, name: "HQ")))?.code == .notConfigured)
        #expect(s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: []), grantor: .none))?.code == .notConfigured)
    }

    // MARK: Hierarchy

    @Test func unitsFormADepartmentOfficeTeamHierarchy() {
        var s = Scenario(Organisation.self, given: [F.bootstrapped])
        let events = s.apply(.createUnit(OrgUnit(id: F.id("HQ"), kind: .department, name: " HQ ")))
        #expect(events == [F.unit("HQ", .department)])
        s.apply(.createUnit(OrgUnit(id: F.id("North"), kind: .office, name: "North", parentID: F.id("HQ"))))
        s.apply(.createUnit(OrgUnit(id: F.id("Field"), kind: .team, name: "Field", parentID: F.id("North"))))
        #expect(s.state.chain(from: F.id("Field")).map(\.name) == ["Field", "North", "HQ"])
        #expect(s.state.department(of: F.id("Field"))?.name == "HQ")
    }

    @Test func aUnitMustSitUnderAnExistingUnitOfItsLevelOrHigher() {
        let s = Scenario(Organisation.self, given: staffed)
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("x"), kind: .office, name: "Lone")))?.field == "parentID")
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("x"), kind: .department, name: "Sub", parentID: F.id("Field"))))?.field == "parentID")
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("x"), kind: .team, name: "T", parentID: F.id("nowhere"))))?.field == "parentID")
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("HQ"), kind: .department, name: "Again")))?.code == .alreadyExists)
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("x"), kind: .office, name: "North", parentID: F.id("HQ"))))?.field == "name")
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("x"), kind: .office, name: " ", parentID: F.id("HQ"))))?.code == .invalid)
        #expect(s.when(.createUnit(OrgUnit(id: F.id("Sub"), kind: .team, name: "Sub", parentID: F.id("Field")))).count == 1)
    }

    @Test func aMoveThatWouldCloseACycleIsRefused() {
        var s = Scenario(Organisation.self, given: staffed + [F.unit("Ops", .department, under: "HQ"), F.unit("Sub", .team, under: "Field")])
        // Moving HQ under its own descendant Ops would make HQ its own ancestor.
        let error = s.whenRefused(.moveUnit(unitID: F.id("HQ"), parentID: F.id("Ops")))
        #expect(error?.code == .invalid)
        #expect(error?.field == "parentID")
        #expect(s.whenRefused(.moveUnit(unitID: F.id("Field"), parentID: F.id("Sub")))?.field == "parentID")
        #expect(s.whenRefused(.moveUnit(unitID: F.id("Field"), parentID: F.id("Field")))?.field == "parentID")
        // A move elsewhere is fine, and is traced with the previous parent.
        let events = s.apply(.moveUnit(unitID: F.id("North"), parentID: F.id("Ops")))
        #expect(events == [.unitMoved(UnitMoved(unitID: F.id("North"), parentID: F.id("Ops"), previousParentID: F.id("HQ")))])
        #expect(s.state.chain(from: F.id("Field")).map(\.name) == ["Field", "North", "Ops", "HQ"])
        #expect(s.state.department(of: F.id("Field"))?.name == "HQ")
        #expect(s.when(.moveUnit(unitID: F.id("North"), parentID: F.id("Ops"))).isEmpty)
        #expect(s.whenRefused(.moveUnit(unitID: F.id("North"), parentID: nil))?.field == "parentID")
        #expect(s.whenRefused(.moveUnit(unitID: F.id("nowhere"), parentID: F.id("HQ")))?.code == .notFound)
    }

    @Test func renamingAUnitRecordsThePreviousName() {
        var s = Scenario(Organisation.self, given: staffed)
        #expect(s.apply(.renameUnit(unitID: F.id("North"), name: "North-East")) ==
                [.unitRenamed(UnitRenamed(unitID: F.id("North"), name: "North-East", previousName: "North"))])
        #expect(s.state.units[F.id("North")]?.name == "North-East")
        #expect(s.when(.renameUnit(unitID: F.id("North"), name: "North-East")).isEmpty)
        #expect(s.whenRefused(.renameUnit(unitID: F.id("nowhere"), name: "x"))?.code == .notFound)
    }

    @Test func onlyAnEmptyUnitIsDissolvedAndItsIdIsNotReused() {
        var s = Scenario(Organisation.self, given: staffed)
        #expect(s.whenRefused(.dissolveUnit(unitID: F.id("North")))?.code == .invalidTransition)  // the team sits under it
        #expect(s.whenRefused(.dissolveUnit(unitID: F.id("Field")))?.code == .invalidTransition)  // Bo works there
        s.apply(.deactivate(employeeID: F.id("Bo"), reason: "left"))
        #expect(s.apply(.dissolveUnit(unitID: F.id("Field"))) == [.unitDissolved(UnitDissolved(unitID: F.id("Field")))])
        #expect(s.state.units[F.id("Field")] == nil)
        #expect(s.whenRefused(.createUnit(OrgUnit(id: F.id("Field"), kind: .team, name: "Field", parentID: F.id("North"))))?.code == .alreadyExists)
        #expect(s.whenRefused(.dissolveUnit(unitID: F.id("Field")))?.code == .notFound)
    }

    // MARK: Employees

    @Test func hiringRecordsTheEmployee() {
        var s = Scenario(Organisation.self, given: staffed)
        let events = s.apply(.hire(newEmployee("Cy", unit: F.id("Field"), manager: F.id("Al"))))
        #expect(events == [.employeeHired(EmployeeHired(employeeID: F.id("Cy"), name: "Cy", unitID: F.id("Field"), position: "Sales",
                                                        branch: "north", managerID: F.id("Al"), hiredOn: date("2026-01-05")))])
        #expect(s.state.employees[F.id("Cy")]?.active == true)
        #expect(s.state.managers(of: F.id("Cy")) == [F.id("Al")])
    }

    @Test func hiringIsValidated() {
        var s = Scenario(Organisation.self, given: staffed)
        #expect(s.whenRefused(.hire(newEmployee("Al")))?.code == .alreadyExists)
        #expect(s.whenRefused(.hire(newEmployee("Cy", unit: F.id("nowhere"))))?.field == "unitID")
        #expect(s.whenRefused(.hire(newEmployee("Cy", manager: F.id("nobody"))))?.field == "managerID")
        var blank = newEmployee("Cy")
        blank.position = ""
        #expect(s.whenRefused(.hire(blank))?.field == "position")
        s.apply(.deactivate(employeeID: F.id("Al"), reason: nil))
        #expect(s.whenRefused(.hire(newEmployee("Cy", manager: F.id("Al"))))?.field == "managerID")
    }

    @Test func changingAnEmployeeRecordsExactlyTheChangedFields() {
        var s = Scenario(Organisation.self, given: staffed)
        let events = s.apply(.changeEmployee(employeeID: F.id("Bo"), EmployeeEdit(name: "Bo", unitID: .some(F.id("North")), position: "Lead", managerID: .some(nil))))
        #expect(events == [.employeeChanged(EmployeeChanged(employeeID: F.id("Bo"), changes: [
            FieldChange(field: "unit", old: .id(F.id("Field")), new: .id(F.id("North"))),
            FieldChange(field: "position", old: .text("Sales"), new: .text("Lead")),
            FieldChange(field: "manager", old: .id(F.id("Al")), new: nil),
        ]))])
        let bo = s.state.employees[F.id("Bo")]
        #expect(bo?.unitID == F.id("North"))
        #expect(bo?.position == "Lead")
        #expect(bo?.managerID == nil)
        #expect(s.when(.changeEmployee(employeeID: F.id("Bo"), EmployeeEdit(position: "Lead", branch: "north"))).isEmpty)
    }

    @Test func aManagerChainMustNotCloseACycle() {
        let s = Scenario(Organisation.self, given: staffed + [F.hired("Cy", manager: F.id("Bo"))])
        // Al manages Bo, Bo manages Cy: Cy may not become Al's manager.
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("Al"), EmployeeEdit(managerID: .some(F.id("Cy")))))?.field == "managerID")
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("Al"), EmployeeEdit(managerID: .some(F.id("Al")))))?.field == "managerID")
        #expect(s.when(.changeEmployee(employeeID: F.id("Cy"), EmployeeEdit(managerID: .some(F.id("Al"))))).count == 1)
    }

    @Test func changingAnEmployeeIsValidated() {
        let s = Scenario(Organisation.self, given: staffed + [.employeeDeactivated(EmployeeDeactivated(employeeID: F.id("Bo"), reason: nil))])
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("nobody"), EmployeeEdit(name: "x")))?.code == .notFound)
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("Bo"), EmployeeEdit(name: "x")))?.code == .invalidTransition)
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("Al"), EmployeeEdit(unitID: .some(F.id("nowhere")))))?.field == "unitID")
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("Al"), EmployeeEdit(branch: " ")))?.field == "branch")
        #expect(s.whenRefused(.changeEmployee(employeeID: F.id("Al"), EmployeeEdit(managerID: .some(F.id("Bo")))))?.field == "managerID")
    }

    @Test func aDeactivatedEmployeeHoldsNoPermission() {
        var s = Scenario(Organisation.self, given: staffed + [F.role("clerk", [Permission(module: .tasks, actions: [.query], scope: .own)]), F.granted("clerk", to: "Bo")])
        #expect(s.state.effectivePermissions(of: F.id("Bo"), at: F.now).allows(module: .tasks, action: .query, scope: .own, at: F.now))
        let events = s.apply(.deactivate(employeeID: F.id("Bo"), reason: " moved abroad "))
        #expect(events == [.employeeDeactivated(EmployeeDeactivated(employeeID: F.id("Bo"), reason: "moved abroad"))])
        #expect(s.state.effectivePermissions(of: F.id("Bo"), at: F.now) == .none)
        #expect(s.whenRefused(.deactivate(employeeID: F.id("Bo"), reason: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.deactivate(employeeID: F.id("nobody"), reason: nil))?.code == .notFound)
    }

    // MARK: Roles

    @Test func theAdministratorDefinesARole() {
        var s = Scenario(Organisation.self, given: [F.bootstrapped])
        let definition = RoleDefinition(name: " Branch manager ", permissions: F.manager.permissions,
                                        hiddenFields: [HiddenField(formGroup: "residential", field: "income"), HiddenField(formGroup: "residential", field: "income")])
        let events = s.apply(.defineRole(roleID: F.id("role-bm"), definition, grantor: F.adminHolds))
        #expect(events == [.roleDefined(RoleDefined(roleID: F.id("role-bm"), name: "Branch manager", permissions: F.manager.permissions,
                                                    hiddenFields: [HiddenField(formGroup: "residential", field: "income")]))])
        #expect(s.state.roles[F.id("role-bm")]?.permissions.count == 2)
    }

    @Test func definingARoleIsValidated() {
        let s = Scenario(Organisation.self, given: [F.bootstrapped, F.role("clerk", [])])
        #expect(s.whenRefused(.defineRole(roleID: F.id("role-clerk"), RoleDefinition(name: "other", permissions: []), grantor: F.adminHolds))?.code == .alreadyExists)
        #expect(s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "clerk", permissions: []), grantor: F.adminHolds))?.field == "name")
        #expect(s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: [Permission(module: .tasks, actions: [], scope: .all)]), grantor: F.adminHolds))?.field == "actions")
        #expect(s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: [Permission(module: .tasks, actions: [.query], scope: .branch(""))]), grantor: F.adminHolds))?.field == "scope")
        let backwards = ValidityPeriod(from: F.day(5), until: F.day(1))
        #expect(s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: [Permission(module: .tasks, actions: [.query], scope: .all, validity: backwards)]), grantor: F.adminHolds))?.field == "validity")
        #expect(s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: [], hiddenFields: [HiddenField(formGroup: "g", field: " ")]), grantor: F.adminHolds))?.field == "hiddenFields")
    }

    @Test func aManagerCannotDefineARoleBeyondTheirOwnRights() {
        let s = Scenario(Organisation.self, given: [F.bootstrapped])
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        func define(_ p: Permission, hiding: [HiddenField] = hidden) -> DomainError? {
            s.whenRefused(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: [p], hiddenFields: hiding), grantor: F.manager))
        }
        #expect(define(Permission(module: .customers, actions: [.delete], scope: north, validity: F.managerPeriod))?.field == "actions")
        #expect(define(Permission(module: .customers, actions: [.delete], scope: north, validity: F.managerPeriod))?.code == .forbidden)
        #expect(define(Permission(module: .customers, actions: [.query], scope: .all, validity: F.managerPeriod))?.field == "scope")
        #expect(define(Permission(module: .customers, actions: [.query], scope: north, validity: F.managerPeriod), hiding: [])?.field == "hiddenFields")
        #expect(define(Permission(module: .customers, actions: [.query], scope: north))?.field == "validity")
        #expect(s.when(.defineRole(roleID: F.id("r"), RoleDefinition(name: "r", permissions: [Permission(module: .customers, actions: [.query], scope: .own, validity: F.managerPeriod)], hiddenFields: hidden), grantor: F.manager)).count == 1)
    }

    @Test func changingARoleRecordsItsPreviousDefinition() {
        let old = [Permission(module: .tasks, actions: [.query], scope: .own)]
        var s = Scenario(Organisation.self, given: [F.bootstrapped, F.role("clerk", old)])
        let new = [Permission(module: .tasks, actions: [.edit, .query], scope: .own)]  // validated: sorted
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        let events = s.apply(.changeRole(roleID: F.id("role-clerk"), RoleDefinition(name: "Senior clerk", permissions: new, hiddenFields: hidden), grantor: F.adminHolds))
        #expect(events == [.roleChanged(RoleChanged(roleID: F.id("role-clerk"), changes: [FieldChange(field: "name", old: .text("clerk"), new: .text("Senior clerk"))],
                                                    permissions: new, previousPermissions: old, hiddenFields: hidden, previousHiddenFields: []))])
        #expect(s.state.roles[F.id("role-clerk")]?.name == "Senior clerk")
        #expect(s.state.roles[F.id("role-clerk")]?.permissions == new)
        #expect(s.when(.changeRole(roleID: F.id("role-clerk"), RoleDefinition(name: "Senior clerk", permissions: new, hiddenFields: hidden), grantor: .none)).isEmpty)
        #expect(s.whenRefused(.changeRole(roleID: F.id("role-none"), RoleDefinition(name: "x", permissions: []), grantor: F.adminHolds))?.code == .notFound)
    }

    @Test func aManagerCannotWidenARoleBeyondTheirRights() {
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        let s = Scenario(Organisation.self, given: [F.bootstrapped, F.role("rep", [Permission(module: .customers, actions: [.query], scope: .own, validity: F.managerPeriod)], hidden: hidden)])
        let wider = RoleDefinition(name: "rep", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("south"), validity: F.managerPeriod)], hiddenFields: hidden)
        #expect(s.whenRefused(.changeRole(roleID: F.id("role-rep"), wider, grantor: F.manager))?.field == "scope")
        let unhiding = RoleDefinition(name: "rep", permissions: [Permission(module: .customers, actions: [.query], scope: .own, validity: F.managerPeriod)])
        #expect(s.whenRefused(.changeRole(roleID: F.id("role-rep"), unhiding, grantor: F.manager))?.field == "hiddenFields")
    }

    // MARK: Role grants

    @Test func grantingARoleGivesTheEmployeeItsPermissionsForTheGrantPeriod() {
        var s = Scenario(Organisation.self, given: staffed + [F.role("rep", [Permission(module: .customers, actions: [.query, .edit], scope: .branch("north"))])])
        let period = ValidityPeriod(from: F.day(10), until: F.day(20))
        let events = s.apply(.grantRole(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-rep"), validity: period, grantor: F.adminHolds))
        #expect(events == [.roleGranted(RoleGranted(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-rep"), validity: period))])
        let bo = { (t: Date) in s.state.effectivePermissions(of: F.id("Bo"), at: t).allows(module: .customers, action: .edit, scope: .branch("north"), at: t) }
        #expect(!bo(F.day(9)))  // not yet valid
        #expect(bo(F.day(10)))
        #expect(bo(F.day(19.5)))
        #expect(!bo(F.day(20)))  // expired
        #expect(!s.state.effectivePermissions(of: F.id("Al"), at: F.day(15)).allows(module: .customers, action: .edit, scope: .branch("north"), at: F.day(15)))
    }

    @Test func aManagerCannotGrantARoleHoldingMoreThanThey() {
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        let s = Scenario(Organisation.self, given: staffed + [
            F.role("deleter", [Permission(module: .customers, actions: [.delete], scope: .branch("north"))], hidden: hidden),
            F.role("everywhere", [Permission(module: .customers, actions: [.query], scope: .all)], hidden: hidden),
            F.role("seer", [Permission(module: .customers, actions: [.query], scope: .branch("north"))]),
            F.role("rep", [Permission(module: .customers, actions: [.query], scope: .branch("north"))], hidden: hidden),
        ])
        func grant(_ role: String, _ validity: ValidityPeriod = F.managerPeriod) -> DomainError? {
            s.whenRefused(.grantRole(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-" + role), validity: validity, grantor: F.manager))
        }
        #expect(grant("deleter")?.field == "actions")
        #expect(grant("everywhere")?.field == "scope")
        #expect(grant("seer")?.field == "hiddenFields")
        #expect(grant("rep", .always)?.field == "validity")  // beyond the manager's own year
        #expect(grant("rep", ValidityPeriod(from: F.day(100), until: F.day(400)))?.field == "validity")
        #expect(s.when(.grantRole(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-rep"), validity: ValidityPeriod(from: F.day(100), until: F.day(200)), grantor: F.manager)).count == 1)
    }

    @Test func grantingARoleIsValidated() {
        let s = Scenario(Organisation.self, given: staffed + [F.role("rep", []), F.granted("rep", to: "Al"),
                                                             .employeeDeactivated(EmployeeDeactivated(employeeID: F.id("Bo"), reason: nil))])
        func grant(id: String = "g", to employee: String = "Al", role: String = "rep", _ validity: ValidityPeriod = .always) -> DomainError? {
            s.whenRefused(.grantRole(grantID: F.id(id), employeeID: F.id(employee), roleID: F.id("role-" + role), validity: validity, grantor: F.adminHolds))
        }
        #expect(grant(id: "grant-rep-Al")?.code == .alreadyExists)
        #expect(grant(to: "nobody")?.code == .notFound)
        #expect(grant(to: "Bo")?.code == .invalidTransition)
        #expect(grant(role: "none")?.field == "roleID")
        #expect(grant(ValidityPeriod(from: F.day(3), until: F.day(3)))?.field == "validity")
    }

    @Test func revokingARoleGrantRemovesItsPermissions() {
        var s = Scenario(Organisation.self, given: staffed + [F.role("rep", [Permission(module: .tasks, actions: [.query], scope: .own)]), F.granted("rep", to: "Bo")])
        let events = s.apply(.revokeRoleGrant(grantID: F.id("grant-rep-Bo")))
        #expect(events == [.roleGrantRevoked(RoleGrantRevoked(grantID: F.id("grant-rep-Bo"), employeeID: F.id("Bo"), roleID: F.id("role-rep")))])
        #expect(s.state.effectivePermissions(of: F.id("Bo"), at: F.now) == .none)
        #expect(s.whenRefused(.revokeRoleGrant(grantID: F.id("grant-rep-Bo")))?.code == .notFound)
    }

    @Test func effectivePermissionsJoinEveryRoleGrantInForce() {
        let s = Scenario(Organisation.self, given: staffed + [
            F.role("tasks", [Permission(module: .tasks, actions: [.query], scope: .own)]),
            F.role("tickets", [Permission(module: .tickets, actions: [.edit], scope: .branch("north"))]),
            F.granted("tasks", to: "Bo"), F.granted("tickets", to: "Bo", ValidityPeriod(until: F.day(-1))),
        ])
        let bo = s.state.effectivePermissions(of: F.id("Bo"), at: F.now)
        #expect(bo.allows(module: .tasks, action: .query, scope: .own, at: F.now))
        #expect(!bo.allows(module: .tickets, action: .edit, scope: .branch("north"), at: F.now))  // that grant expired
        #expect(s.state.effectivePermissions(of: F.id("nobody"), at: F.now) == .none)
    }

    @Test func everyOrganisationEventRoundTripsThroughBothEncodings() throws {
        let validity = ValidityPeriod(from: F.day(0), until: F.day(365))
        let permissions = [Permission(module: .customers, actions: [.query, .edit], scope: .branch("北区"), validity: validity),
                           Permission(module: .revenue, actions: [.analyse], scope: .community("c"), validity: ValidityPeriod(from: F.day(1))),
                           Permission(module: .quotes, actions: [.approve], scope: .customerGroup("key")),
                           Permission(module: .tasks, actions: [.query], scope: .own, validity: ValidityPeriod(until: F.day(9)))]
        let hidden = [HiddenField(formGroup: "residential", field: "income")]
        try expectRoundTrips([
            F.bootstrapped,
            F.unit("HQ", .department), F.unit("North", .office, under: "HQ"),
            .unitRenamed(UnitRenamed(unitID: F.id("North"), name: "N", previousName: "North")),
            .unitMoved(UnitMoved(unitID: F.id("North"), parentID: nil, previousParentID: F.id("HQ"))),
            .unitDissolved(UnitDissolved(unitID: F.id("North"))),
            F.hired("Bo", unit: F.id("HQ"), manager: F.admin),
            .employeeChanged(EmployeeChanged(employeeID: F.id("Bo"), changes: [FieldChange(field: "manager", old: .id(F.admin), new: nil)])),
            .employeeDeactivated(EmployeeDeactivated(employeeID: F.id("Bo"), reason: nil)),
            .employeeDeactivated(EmployeeDeactivated(employeeID: F.id("Bo"), reason: "left")),
            F.role("rep", permissions, hidden: hidden),
            .roleChanged(RoleChanged(roleID: F.id("role-rep"), changes: [FieldChange(field: "name", old: .text("a"), new: .text("b"))],
                                     permissions: [], previousPermissions: permissions, hiddenFields: [], previousHiddenFields: hidden)),
            .roleGranted(RoleGranted(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-rep"), validity: validity)),
            .roleGranted(RoleGranted(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-rep"), validity: .always)),
            .roleGrantRevoked(RoleGrantRevoked(grantID: F.id("g"), employeeID: F.id("Bo"), roleID: F.id("role-rep"))),
        ])
        #expect(Set(OrganisationEvent.payloadTypes.map { $0.eventType }).count == 12)
    }
}
