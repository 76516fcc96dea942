import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A creating command names its record's own id; sent to another record (`execute(…, id: a, .create(b…))`)
/// it is `invalid`, naming that member, and writes nothing — before, it wrote stream `a` holding a record
/// that called itself `b`, found under `a` by state reads and under `b` by the views.
@Suite struct CreateNamesItsOwnRecordTests {
    @Test func aCreateNamingAnotherRecordThanItIsSentToIsInvalidAndWritesNothing() async throws {
        let f = try await EngineFixture.make("create-own-id")
        let customer = try await f.customer("Li Wei", branch: "north")
        let head = try await f.engine.store.headPosition()
        let (a, b) = (UUID.derived("record", "a"), UUID.derived("record", "b"))

        let refusal = ReportRangeBoundsTests.refusal
        let customerError = await refusal {
            try await f.engine.execute(Customer.self, id: a, .create(customerID: b, NewCustomer(kind: .person, name: "Wang Fang", group: "residential",
                                                                                                 branch: "north"), form: .empty(group: "residential")), as: f.admin)
        }
        #expect(customerError?.code == .invalid && customerError?.field == "customerID", "\(String(describing: customerError))")
        let taskError = await refusal {
            try await f.engine.execute(WorkTask.self, id: a, .dispatch(taskID: b, details: WorkTask.Details(
                title: "Call", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: f.admin.id), as: f.admin)
        }
        #expect(taskError?.code == .invalid && taskError?.field == "taskID", "\(String(describing: taskError))")
        let ticketError = await refusal {
            try await f.engine.execute(Ticket.self, id: a, .open(id: b, channel: .phone, kind: .consultation, severity: .low, customerID: customer,
                                                                 subject: "Meter", description: nil, department: "service", sla: nil), as: f.admin)
        }
        #expect(ticketError?.code == .invalid && ticketError?.field == "id", "\(String(describing: ticketError))")
        // The dry run judges it the same way, and nothing was written.
        let dryError = await refusal {
            _ = try await f.engine.dryRun(WorkTask.self, id: a, .dispatch(taskID: b, details: WorkTask.Details(
                title: "Call", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: f.admin.id), as: f.admin)
        }
        #expect(dryError?.code == .invalid && dryError?.field == "taskID", "\(String(describing: dryError))")
        #expect(try await f.engine.store.headPosition() == head)

        // The same commands sent to the record they name are recorded.
        try await f.engine.execute(WorkTask.self, id: b, .dispatch(taskID: b, details: WorkTask.Details(
            title: "Call", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: f.admin.id), as: f.admin)
        #expect(try await f.engine.store.headPosition() > head)
        await f.close()
    }
}
