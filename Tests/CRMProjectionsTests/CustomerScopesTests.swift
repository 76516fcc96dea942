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

    @Test func anUnknownCustomerIsGlobalSoOnlyAllDataReachesIt() throws {
        let views = InMemoryViews()
        let scope = try CustomerScopes.scope(of: UUID.derived("nobody"), in: views)
        #expect(scope.dataScopes(viewer: "emp-1") == [.all])
    }
}
