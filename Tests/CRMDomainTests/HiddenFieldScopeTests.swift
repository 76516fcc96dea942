import CRMDomain
import Foundation
import Testing

/// Hidden fields are decided per customer: by the roles giving `query` in customers over its scope.
@Suite struct HiddenFieldScopeTests {
    typealias F = OrgFixture
    let salary = HiddenField(formGroup: "residential", field: "salary")

    func role(_ name: String, _ permissions: [Permission], hiding: [HiddenField] = []) -> (role: Role, grant: ValidityPeriod) {
        (role: Role(id: F.id(name), name: name, permissions: permissions, hiddenFields: hiding), grant: .always)
    }

    func reader(_ name: String, _ scope: DataScope, hiding: [HiddenField] = []) -> (role: Role, grant: ValidityPeriod) {
        role(name, [Permission(module: .customers, actions: [.query, .edit], scope: scope)], hiding: hiding)
    }

    /// X: customers of Berlin, `salary` hidden; Y: customers of Hamburg, nothing hidden.
    var berlinAndHamburg: EffectivePermissions {
        EffectivePermissions.of(roles: [reader("x", .branch("berlin"), hiding: [salary]), reader("y", .branch("hamburg"))], at: F.now)
    }

    @Test func aFieldHiddenByTheRoleReadingBerlinStaysHiddenOnBerlinCustomersWhenAnotherRoleReadsHamburg() {
        let held = berlinAndHamburg
        #expect(!held.canSee(formGroup: "residential", field: "salary", in: [.branch("berlin")]))
        #expect(!held.canSee(formGroup: "residential", field: "salary", in: [.branch("berlin"), .customerGroup("residential")]))
        #expect(held.canSee(formGroup: "residential", field: "salary", in: [.branch("hamburg")]))
        #expect(held.canSee(formGroup: "residential", field: "floor", in: [.branch("berlin")]))
        // Hidden on some customers, on none everywhere.
        #expect(held.hiddenFields.isEmpty)
        #expect(held.hiddenSomewhere == [salary])
        #expect(held.fieldVisibility(in: [.branch("berlin")]).hidden == [salary])
        #expect(!held.fieldVisibility(in: [.branch("hamburg")]).hidesAny)
    }

    @Test func aFieldIsShownWhereAnyRoleReadingThatScopeShowsIt() {
        // A role over all customers hiding nothing shows it in Berlin too; one over one's own shows it on one's own.
        let everywhere = EffectivePermissions.of(roles: [reader("x", .branch("berlin"), hiding: [salary]), reader("all", .all)], at: F.now)
        #expect(everywhere.canSee(formGroup: "residential", field: "salary", in: [.branch("berlin")]))
        let own = EffectivePermissions.of(roles: [reader("x", .branch("berlin"), hiding: [salary]), reader("own", .own)], at: F.now)
        #expect(!own.canSee(formGroup: "residential", field: "salary", in: [.branch("berlin")]))
        #expect(own.canSee(formGroup: "residential", field: "salary", in: [.branch("berlin"), .own]))
        // A role giving no `query` in customers over Berlin shows nothing there.
        let writer = EffectivePermissions.of(roles: [reader("x", .branch("berlin"), hiding: [salary]),
                                                     role("writer", [Permission(module: .customers, actions: [.edit], scope: .all)])], at: F.now)
        #expect(!writer.canSee(formGroup: "residential", field: "salary", in: [.branch("berlin")]))
    }

    @Test func withOneRoleTheFieldIsHiddenOnEveryCustomerAsBefore() {
        let held = EffectivePermissions.of(roles: [reader("x", .branch("berlin"), hiding: [salary])], at: F.now)
        #expect(held.hiddenFields == [salary])
        for scopes: [DataScope] in [[.branch("berlin")], [.branch("hamburg")], [.all], [.branch("berlin"), .own]] {
            #expect(!held.canSee(formGroup: "residential", field: "salary", in: scopes))
            #expect(held.canSee(formGroup: "residential", field: "floor", in: scopes))
        }
        #expect(!EffectivePermissions.none.canSee(formGroup: "residential", field: "floor", in: [.all]))
    }

    @Test func withNoRoleReadingTheCustomerEveryFieldAnyRoleHidesStaysHidden() {
        // Munich: neither role gives `query` there; what X hides stays hidden.
        #expect(!berlinAndHamburg.canSee(formGroup: "residential", field: "salary", in: [.branch("munich")]))
    }

    @Test func aGrantorShowsNoFieldHiddenFromThemInTheScopeGranted() {
        let grantor = berlinAndHamburg
        let berlin = [Permission(module: .customers, actions: [.query], scope: .branch("berlin"))]
        #expect(GrantRule.excess(granting: berlin, hiding: [], by: grantor) == .hiddenField(salary))
        #expect(GrantRule.excess(granting: berlin, hiding: [salary], by: grantor) == nil)
        let hamburg = [Permission(module: .customers, actions: [.query], scope: .branch("hamburg"))]
        #expect(GrantRule.excess(granting: hamburg, hiding: [], by: grantor) == nil)
    }
}
