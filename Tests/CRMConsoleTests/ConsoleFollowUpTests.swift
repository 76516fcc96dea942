import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The home's announcements when their query fails, the timeline's owner changes by name, and the supervisor
/// page's RFM currency.
@Suite(.serialized) struct ConsoleFollowUpTests: ConsolePageReading {
    @Test func theHomeSaysWhenTheAnnouncementsCouldNotBeReadInsteadOfNoAnnouncements() async throws {
        try await ConsoleServer.with("announcements-problem") { s in
            let (cookie, csrf) = try await s.signIn()
            let before = try await s.send(.GET, "/console", cookie: cookie)
            #expect(try card("announcements", in: before.text).contains("Meter campaign"))
            // An announcement event whose payload does not decode stops the announcement inbox view.
            _ = try await s.engine.store.append(
                [EventData(id: UUID(), type: AnnouncementWithdrawn.eventType, payload: [0xFF, 0xFE, 0xFD], metadata: EventMetadata(actor: "tester"))],
                to: "announcement-broken", expectedVersion: .noStream)
            for _ in 0..<200 where !s.engine.views.status().contains(where: { $0.name == "announcement-inbox" && $0.failure != nil }) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(s.engine.views.status().contains { $0.name == "announcement-inbox" && $0.failure != nil })
            // A write of the session's after it: the home reads the views at least as new as that.
            let completed = try await s.send(.POST, "/console/tasks/\(s.todayTaskID.lowercasedString)/complete", cookie: cookie,
                                             form: [("_csrf", csrf), ("result", "Reading confirmed.")])
            #expect(completed.status == 303)
            let home = try await s.send(.GET, "/console", cookie: cookie)
            #expect(home.status == 200)
            let announcements = try card("announcements", in: home.text)
            #expect(announcements.contains("class=\"problem card-problem\">Could not be computed"), "\(announcements)")
            #expect(!announcements.contains("No announcements."), "a failure is not shown as emptiness")
            // The other cards are drawn as usual.
            #expect(try card("overdue", in: home.text).contains("Call back about the bill"))
        }
    }

    @Test func theTimelineShowsOwnerChangesByNameWhereTheReaderMaySeeTheName() async throws {
        try await ConsoleServer.with("owner-names") { s in
            let olga = UUID.derived("employee", "olga")
            try await s.engine.execute(Organisation.self, id: olga, .hire(NewEmployee(
                id: olga, name: "Olga Owner", position: "account manager", branch: "north", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            let sam = UUID.derived("employee", "sam")
            try await s.engine.execute(Organisation.self, id: sam, .hire(NewEmployee(
                id: sam, name: "Sam South", position: "account manager", branch: "south", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            for owner in [olga, sam] {
                try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(owner: .set(owner.lowercasedString)),
                                                                                  form: .empty(group: "residential")), as: s.admin)
            }
            try await caughtUp(s)
            let path = "/console/customers/\(s.customerID.lowercasedString)"
            func owners(_ page: String) -> [String] {
                page.components(separatedBy: "<td class=\"change-field\">owner</td><td class=\"change-values\">").dropFirst()
                    .map { String($0.prefix { $0 != "<" }) }
            }

            // An administrator sees every name (newest first; the creation set the manager, ∅ → Mia).
            let adminID = UUID.derived("employee", "admin")
            let token = try await s.engine.issueToken(for: adminID, name: "admin console", as: s.admin)
            let (adminCookie, _) = try await s.signIn(token: token.token)
            let admin = try await s.send(.GET, path, cookie: adminCookie)
            #expect(admin.status == 200)
            #expect(owners(admin.text) == ["Olga Owner → Sam South", "Mia Manager → Olga Owner", "— → Mia Manager"], "\(owners(admin.text))")
            #expect(!admin.text.contains(olga.lowercasedString))

            // The branch north's manager: themself as "you", north's staff by name, south's by id.
            let (cookie, _) = try await s.signIn()
            let manager = try await s.send(.GET, path, cookie: cookie)
            #expect(manager.status == 200)
            #expect(owners(manager.text) == ["Olga Owner → \(sam.lowercasedString)", "you → Olga Owner", "— → you"], "\(owners(manager.text))")
            #expect(!manager.text.contains("Sam South"))
        }
    }

    @Test func theSupervisorSegmentsTakeACurrencyDefaultingToThePaySchemesAndSayIt() async throws {
        try await ConsoleServer.with("rfm-currency") { s in
            // A purchase in CHF, for which the settings hold no rate into CNY.
            try await purchaseInCHF(s)
            let chf = try #require(Currency(rawValue: "CHF"))
            let (cookie, _) = try await s.signIn()

            // No pay scheme: CNY, which this purchase cannot be converted into.
            let cny = try card("segments", in: try await s.send(.GET, "/console/supervisor", cookie: cookie).text)
            #expect(cny.contains("as of today, in CNY"))
            #expect(cny.contains("Could not be computed: "))

            // Asked in CHF: scored, and the card says so.
            let asked = try await s.send(.GET, "/console/supervisor?currency=CHF", cookie: cookie)
            #expect(asked.status == 200)
            let inCHF = try card("segments", in: asked.text)
            #expect(inCHF.contains("as of today, in CHF"), "\(inCHF)")
            #expect(!inCHF.contains("Could not be computed"), "\(inCHF)")
            #expect(!inCHF.contains("No customers you may analyse."))

            // A code that is not an ISO 4217 code in capitals is refused, as the HTTP reports refuse it.
            for bad in ["chf", "XXX", "ABC", "CNY1"] {
                let refused = try await s.send(.GET, "/console/supervisor?currency=\(bad)", cookie: cookie)
                #expect(refused.status == 400, "\(bad)")
                #expect(refused.text.contains("ISO 4217"), "\(bad)")
            }

            // With a pay scheme in CHF, the page defaults to it; a past month says it too.
            try await s.engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: chf, basePerDay: 100, defaultRatePerPoint: 1)), as: s.admin)
            let byScheme = try card("segments", in: try await s.send(.GET, "/console/supervisor", cookie: cookie).text)
            #expect(byScheme.contains("as of today, in CHF"), "\(byScheme)")
            #expect(!byScheme.contains("Could not be computed"))
            let december = try card("segments", in: try await s.send(.GET, "/console/supervisor?month=2025-12", cookie: cookie).text)
            #expect(december.contains("as of 2025-12-31, in CHF"), "\(december)")
        }
    }
}
