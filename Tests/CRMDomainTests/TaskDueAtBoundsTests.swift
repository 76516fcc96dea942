import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A task falls due within 100 years of the command's time, either way: `0001-01-01` or `9999-12-31` is a
/// typo or a placeholder, refused `invalid` naming `dueAt` with nothing recorded.
@Suite struct TaskDueAtBoundsTests {
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
    static let taskID = UUID(uuidString: "00000000-0000-0000-0000-00000000d001")!
    static let farPast = ISO8601DateFormatter().date(from: "0001-01-01T00:00:00Z") ?? .distantPast
    static let farFuture = ISO8601DateFormatter().date(from: "9999-12-31T23:59:59Z") ?? .distantFuture

    static func details(due: Date) -> WorkTask.Details {
        WorkTask.Details(title: "Call back", customerID: nil, kind: .followUp, dueAt: due)
    }

    @Test(arguments: [farPast, farFuture, now.addingTimeInterval(WorkTask.dueAtReach + 60), now.addingTimeInterval(-WorkTask.dueAtReach - 60)])
    func aDispatchDueImplausiblyFarOffIsRefusedNamingDueAt(due: Date) {
        let s = Scenario(WorkTask.self, at: Self.now)
        let error = s.whenRefused(.dispatch(taskID: Self.taskID, details: Self.details(due: due), assignee: "emp-7"))
        #expect(error?.code == .invalid && error?.field == "dueAt")
        #expect(s.whenRefused(.importExternal(taskID: Self.taskID, details: Self.details(due: due),
                                              reference: WorkTask.ExternalReference(system: "billing", id: "B-1"), owner: "emp-7"))?.field == "dueAt")
    }

    @Test func aRescheduleImplausiblyFarOffIsRefusedNamingDueAt() {
        var s = Scenario(WorkTask.self, at: Self.now)
        s.apply(.dispatch(taskID: Self.taskID, details: Self.details(due: Self.now.addingTimeInterval(86_400)), assignee: "emp-7"))
        for due in [Self.farPast, Self.farFuture] {
            let error = s.whenRefused(.reschedule(dueAt: due, reason: nil))
            #expect(error?.code == .invalid && error?.field == "dueAt")
        }
    }

    @Test func aDueInstantDecadesAwayEitherWayIsAccepted() {
        let years50 = 50 * 365.25 * 86_400
        for due in [Self.now.addingTimeInterval(years50), Self.now.addingTimeInterval(-years50)] {
            #expect(Scenario(WorkTask.self, at: Self.now).when(.dispatch(taskID: Self.taskID, details: Self.details(due: due), assignee: "emp-7")).count == 1)
        }
    }
}
