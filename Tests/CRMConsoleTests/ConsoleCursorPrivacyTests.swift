@testable import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The console customer list's "Next page" link carries the page's last customer's id, never a name; a link
/// leading on from a customer the signed-in employee may not see is a 400 page exactly as an unknown one.
@Suite(.serialized) struct ConsoleCursorPrivacyTests {
    @Test("the customer list's next-page link holds the last customer's id, not its name, and one no longer visible is a 400 page")
    func theCustomerListCursorHoldsAnIdAndNoName() async throws {
        try await ConsoleServer.with("cursor-privacy") { s in
            // 50 customers of north before "Li Wei": the first page ends at "Customer 50".
            var ids: [Int: UUID] = [:]
            for n in 1...50 {
                let id = UUID.derived("customer", "privacy-\(n)")
                ids[n] = id
                try await s.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                    kind: .person, name: "Customer " + (n < 10 ? "0\(n)" : "\(n)"), group: "residential", branch: "north"),
                    form: .empty(group: "residential")), as: s.admin)
            }
            let southID = UUID.derived("customer", "privacy-south")
            let created = try await s.engine.execute(Customer.self, id: southID, .create(customerID: southID, NewCustomer(
                kind: .person, name: "Southern Person", group: "residential", branch: "south"), form: .empty(group: "residential")), as: s.admin)
            try await s.engine.views.waitUntil(created.position)
            let (cookie, _) = try await s.signIn()

            let first = try await s.send(.GET, "/console/customers", cookie: cookie)
            #expect(first.status == 200 && first.text.contains("Customer 50"))
            let cursor = try #require(ConsolePagingAndTimeTests.nextCursor(first.text))
            let last = try #require(ids[50])
            #expect(try PageCursor.bytes(cursor, list: Console.customerList) == PageCursor.key(last))
            #expect(cursor == PageCursor.text(id: last, list: Console.customerList))
            let second = try await s.send(.GET, "/console/customers?after=\(cursor)", cookie: cookie)
            #expect(second.status == 200 && second.text.contains("Li Wei") && !second.text.contains("Customer 50"))

            // Another branch's customer and an id no customer has: the same 400 page, no list.
            let unknown = try await s.send(.GET, "/console/customers?after=\(PageCursor.text(id: UUID(), list: Console.customerList))", cookie: cookie)
            let foreign = try await s.send(.GET, "/console/customers?after=\(PageCursor.text(id: southID, list: Console.customerList))", cookie: cookie)
            for answer in [unknown, foreign] {
                #expect(answer.status == 400)
                #expect(answer.text.contains("no longer in your list") && !answer.text.contains("Southern") && !answer.text.contains("Li Wei"))
            }
            #expect(unknown.text.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression)
                == foreign.text.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression))

            // "Customer 50" moved to the south branch: the manager's link now leads on from a customer they no longer see.
            let moved = try await s.engine.execute(Customer.self, id: last, .edit(CustomerEdit(branch: .set("south")),
                                                                                 form: .empty(group: "residential")), as: s.admin)
            try await s.engine.views.waitUntil(moved.position)
            let gone = try await s.send(.GET, "/console/customers?after=\(cursor)", cookie: cookie)
            #expect(gone.status == 400 && gone.text.contains("no longer in your list"))
        }
    }
}
