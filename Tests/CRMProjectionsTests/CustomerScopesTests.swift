import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct CustomerScopesTests {
    let id = UUID.derived("customer", "1")

    func event(_ payload: any EventPayload, position: UInt64) -> ProjectionEvent {
        ProjectionEvent(
            id: UUID.derived("event", "\(position)"), stream: Customer.stream(id), streamVersion: StreamVersion(position),
            position: GlobalPosition(position), recordedAt: Date(timeIntervalSince1970: 1_700_000_000), metadata: .system, payload: payload)
    }

    @Test func aCreatedCustomerTakesItsBranchCommunityGroupAndOwner() throws {
        let views = InMemoryViews()
        try CustomerScopes.apply(event(CustomerCreated(
            customerID: id, kind: .person, name: "Li", group: "residential", industry: nil, branch: "north", community: "c1",
            owner: "emp-1", status: .prospect, birthday: nil, founded: nil, customFields: [:], externalKeys: []), position: 1), to: views)
        let scope = try CustomerScopes.scope(of: id, in: views)
        #expect(scope == RecordScope(branch: "north", community: "c1", group: "residential", owners: ["emp-1"]))
        #expect(scope.dataScopes(viewer: "emp-1") == [.branch("north"), .community("c1"), .customerGroup("residential"), .own])
        #expect(scope.dataScopes(viewer: "emp-2") == [.branch("north"), .community("c1"), .customerGroup("residential")])
    }

    @Test func anEditMovesTheCustomerToAnotherBranchAndOwner() throws {
        let views = InMemoryViews()
        try CustomerScopes.apply(event(CustomerCreated(
            customerID: id, kind: .person, name: "Li", group: "residential", industry: nil, branch: "north", community: nil,
            owner: "emp-1", status: .prospect, birthday: nil, founded: nil, customFields: [:], externalKeys: []), position: 1), to: views)
        try CustomerScopes.apply(event(CustomerEdited(customerID: id, changes: [
            FieldChange(field: "branch", old: .text("north"), new: .text("south")),
            FieldChange(field: "owner", old: .text("emp-1"), new: .text("emp-9")),
        ]), position: 2), to: views)
        #expect(try CustomerScopes.scope(of: id, in: views) == RecordScope(branch: "south", group: "residential", owners: ["emp-9"]))
    }

    @Test func theBranchAloneIsTheBranchOfTheWholeScope() throws {
        let views = InMemoryViews()
        let scopes = [
            RecordScope(branch: "north", community: "c1", group: "residential", owners: ["emp-1"]),
            RecordScope(branch: "华北", owners: []),
            RecordScope(branch: nil, community: "c2", group: "sme", owners: ["emp-1", "emp-2"]),
            RecordScope(branch: "", community: nil, group: nil, owners: []),
        ]
        for (n, scope) in scopes.enumerated() {
            let customer = UUID.derived("customer", "branch-\(n)")
            try views.put(row: scope, forKey: ViewKey().uuid(customer).bytes, in: CustomerScopes.table)
            #expect(try CustomerScopes.branch(of: customer, in: views) == CustomerScopes.scope(of: customer, in: views).branch)
            #expect(try CustomerScopes.branch(of: customer, in: views) == scope.branch)
        }
        #expect(try CustomerScopes.branch(of: UUID.derived("customer", "unknown"), in: views) == nil)
        #expect(try CustomerScopes.branch(of: nil, in: views) == nil)
    }

    @Test func anUnknownCustomerIsGlobalSoOnlyAllDataReachesIt() throws {
        let views = InMemoryViews()
        let scope = try CustomerScopes.scope(of: UUID.derived("nobody"), in: views)
        #expect(scope.dataScopes(viewer: "emp-1") == [.all])
    }
}
