import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A log written before employee ids were recorded in lower case may hold an owner in upper case: re-sending
/// it unchanged (now in lower case) names nobody new, so it is not judged again (a departed owner stays editable).
@Suite("Named employees: ids recorded in upper case")
struct NamedEmployeesCaseTests {
    static let upper = "01A21D62-FCAA-4E3B-9C1D-6F0A8E2B7C11"
    static let lower = upper.lowercased()

    @Test func anUnchangedOwnerDifferingOnlyInCaseNamesNobodyNew() {
        var customer = Customer.State()
        customer.owner = Self.upper
        #expect(Customer.employeesNamed(by: .edit(CustomerEdit(owner: .set(Self.lower)), form: .empty(group: "residential")), state: customer).isEmpty)
        #expect(Customer.employeesNamed(by: .edit(CustomerEdit(owner: .set("7b3c1d62-fcaa-4e3b-9c1d-6f0a8e2b7c22")), form: .empty(group: "residential")),
                                        state: customer).count == 1)

        let details = WorkTask.Details(title: "Call", note: nil, customerID: nil, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_225_600))
        let task = WorkTask.replay([.dispatched(TaskDispatched(taskID: UUID.derived("t"), details: details, assignee: Self.upper, route: .manual))])
        #expect(WorkTask.employeesNamed(by: .reassign(to: Self.lower), state: task).isEmpty)

        let pairing = MaintenancePairing.replay([.paired(MaintenancePaired(customerID: UUID.derived("c"), agent: Self.upper, manager: "m",
                                                                           pairedAt: Date(timeIntervalSince1970: 0)))])
        #expect(MaintenancePairing.employeesNamed(by: .changeAgent(newAgent: Self.lower, reason: nil), state: pairing).isEmpty)
    }
}
