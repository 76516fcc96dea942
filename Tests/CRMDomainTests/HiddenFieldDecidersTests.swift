import CRMDomain
import Foundation
import Testing

/// Hidden fields are customer form fields: only the roles giving `query` in customers decide them.
@Suite struct HiddenFieldDecidersTests {
    typealias F = OrgFixture
    let window = HiddenField(formGroup: "residential", field: "contactWindow")

    func role(_ name: String, _ permissions: [Permission], hiding: [HiddenField] = []) -> (role: Role, grant: ValidityPeriod) {
        (role: Role(id: F.id(name), name: name, permissions: permissions, hiddenFields: hiding), grant: .always)
    }

    @Test func aRoleGivingNothingInCustomersDoesNotShowAFieldHiddenByTheCustomerRole() {
        let agent = role("agent", [Permission(module: .customers, actions: [.query, .edit], scope: .branch("berlin"))], hiding: [window])
        let organisation = role("org", [Permission(module: .organisation, actions: [.query], scope: .own)])
        let held = EffectivePermissions.of(roles: [agent, organisation], at: F.now)
        #expect(held.hiddenFields == [window])
        #expect(!held.canSee(formGroup: "residential", field: "contactWindow", in: [.branch("berlin")]))
        // Nor does one giving customer rights without `query`.
        let writer = role("writer", [Permission(module: .customers, actions: [.create], scope: .all)])
        #expect(!EffectivePermissions.of(roles: [agent, writer], at: F.now).canSee(formGroup: "residential", field: "contactWindow", in: [.branch("berlin")]))
    }

    @Test func aFieldIsShownByAnyRoleGivingCustomerQueryThatDoesNotHideIt() {
        let agent = role("agent", [Permission(module: .customers, actions: [.query], scope: .branch("berlin"))], hiding: [window])
        let viewer = role("viewer", [Permission(module: .customers, actions: [.query], scope: .branch("hamburg"))])
        #expect(EffectivePermissions.of(roles: [agent, viewer], at: F.now).canSee(formGroup: "residential", field: "contactWindow", in: [.branch("hamburg")]))
        // A role giving nothing in customers hides nothing from a customer reader either.
        let hidingOrg = role("hiding-org", [Permission(module: .organisation, actions: [.query], scope: .own)], hiding: [window])
        #expect(EffectivePermissions.of(roles: [viewer, hidingOrg], at: F.now).canSee(formGroup: "residential", field: "contactWindow", in: [.branch("hamburg")]))
        // Without any customer reader, what any role hides stays hidden.
        let writer = role("writer", [Permission(module: .customers, actions: [.edit], scope: .all)])
        #expect(EffectivePermissions.of(roles: [writer, hidingOrg], at: F.now).hiddenFields == [window])
    }

    @Test func aDiscountLimitRoleIsGivenOnlyWithAsLargeALimitHeld() {
        let limits = DiscountLimit.defaults  // salesManager 15, officeManager 25, departmentManager 35
        let quinn = EffectivePermissions(permissions: [Permission(module: .organisation, actions: [.create, .edit], scope: .all)])
        #expect(GrantRule.discountExcess(roleNamed: "salesManager", limits: limits, grantorRoles: ["hr"], grantor: quinn, field: "name")?.code == .forbidden)
        #expect(GrantRule.discountExcess(roleNamed: "salesManager", limits: limits, grantorRoles: ["officeManager"], grantor: quinn, field: "name") == nil)
        #expect(GrantRule.discountExcess(roleNamed: "officeManager", limits: limits, grantorRoles: ["salesManager"], grantor: quinn, field: "name") != nil)
        #expect(GrantRule.discountExcess(roleNamed: "clerk", limits: limits, grantorRoles: [], grantor: quinn, field: "name") == nil)
        let everything = EffectivePermissions(permissions: Permission.everything)
        #expect(GrantRule.discountExcess(roleNamed: "departmentManager", limits: limits, grantorRoles: [], grantor: everything, field: "name") == nil)
    }
}
