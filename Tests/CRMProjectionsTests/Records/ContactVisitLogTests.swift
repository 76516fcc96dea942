import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct ContactVisitLogTests {
    let acme = UUID.derived("customer", "acme")
    let other = UUID.derived("customer", "other")
    let projection = ContactVisitLog()

    func sampleLog() -> TestLog {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        log.add(created(other, name: "Other", branch: "south"), on: Customer.stream(other))
        let notes: [(ContactChannel, String, String?, UUID, String)] = [
            (.phone, "Meter reading", "燃气表读数偏高", acme, "emp-1"),
            (.email, "Invoice copy", nil, acme, "emp-2"),
            (.phone, "Billing question", "Asked about the meter tariff", other, "emp-1"),
            (.walkIn, "Complaint", "燃气味道", acme, "emp-1"),
        ]
        for (n, (channel, subject, note, customer, actor)) in notes.enumerated() {
            let id = UUID.derived("log", "\(n)")
            log.add(ContactLogged(entryID: id, customerID: customer, details: .init(channel: channel, subject: subject,
                                                                                     occurredAt: t0.addingTimeInterval(Double(n) * day), note: note)),
                    on: ContactLogEntry.stream(id), actor: actor)
        }
        let visit = UUID.derived("visit", "1")
        log.add(VisitPlanned(visitID: visit, customerID: acme, visitor: "emp-3", scheduledAt: t0.addingTimeInterval(10 * day), contacts: [],
                             agenda: "Meter inspection", place: "Plant"), on: Visit.stream(visit))
        return log
    }

    @Test func aCustomersLogIsNewestFirstWithScopeAndPaging() throws {
        let views = try sampleLog().views(projection)
        let all = try ContactVisitLog.log(ofCustomer: acme, in: views)
        #expect(all.entries.map(\.subject) == ["Meter inspection", "Complaint", "Invoice copy", "Meter reading"])
        #expect(all.entries.first?.scope == RecordScope(branch: "north", community: "c1", group: "residential", owners: ["emp-1", "emp-3"]))
        let first = try ContactVisitLog.log(ofCustomer: acme, in: views, limit: 3)
        let next = try ContactVisitLog.log(ofCustomer: acme, in: views, after: first.cursor, limit: 3)
        #expect((first.entries + next.entries).map(\.id) == all.entries.map(\.id))
    }

    @Test func filtersByChannelEmployeeAndDateRange() throws {
        let views = try sampleLog().views(projection)
        #expect(try ContactVisitLog.log(ofCustomer: acme, in: views, filter: .init(channel: "phone")).entries.map(\.subject) == ["Meter reading"])
        #expect(try ContactVisitLog.log(ofEmployee: "emp-1", in: views).entries.map(\.subject) == ["Complaint", "Billing question", "Meter reading"])
        let range = ContactVisitLog.Filter(from: t0.addingTimeInterval(day), until: t0.addingTimeInterval(3 * day))
        #expect(try ContactVisitLog.log(ofCustomer: acme, in: views, filter: range).entries.map(\.subject) == ["Invoice copy"])
        #expect(try ContactVisitLog.log(ofEmployee: "emp-1", in: views, filter: range).entries.map(\.subject) == ["Billing question"])
    }

    @Test func combinedSearchOverSubjectsAndNotesOfContactsAndVisits() throws {
        let views = try sampleLog().views(projection)
        #expect(try ContactVisitLog.search("meter", in: views).map(\.subject) == ["Meter inspection", "Billing question", "Meter reading"])
        #expect(try ContactVisitLog.search("METER", in: views, filter: .init(customerID: acme)).count == 2)
        #expect(try ContactVisitLog.search("燃气", in: views).map(\.subject) == ["Complaint", "Meter reading"])
        #expect(try ContactVisitLog.search("燃气 味道", in: views).map(\.subject) == ["Complaint"])
        #expect(try ContactVisitLog.search("meter", in: views, filter: .init(kind: .visit)).map(\.subject) == ["Meter inspection"])
    }

    @Test func amendmentsAndRecordedVisitsMoveAndReindexRetractionsRemove() throws {
        var log = sampleLog()
        let entry = UUID.derived("log", "0"), visit = UUID.derived("visit", "1")
        log.add(ContactLogAmended(entryID: entry, changes: [], details: .init(channel: .chat, subject: "Tariff change",
                                                                             occurredAt: t0.addingTimeInterval(20 * day))),
                on: ContactLogEntry.stream(entry))
        log.add(VisitRecorded(visitID: visit, actual: .init(date: LocalDate("2026-01-05")!, place: "Plant", contacts: [], topics: ["valves"],
                                                            summary: "Valves replaced"), recordedAt: t0), on: Visit.stream(visit))
        let complaint = UUID.derived("log", "3")
        log.add(ContactLogRetracted(entryID: complaint, reason: "duplicate", retractedAt: t0), on: ContactLogEntry.stream(complaint))
        let views = try log.views(projection)
        #expect(try ContactVisitLog.log(ofCustomer: acme, in: views).entries.map(\.subject) == ["Tariff change", "Valves replaced", "Invoice copy"])
        #expect(try ContactVisitLog.search("meter", in: views).map(\.subject) == ["Billing question"])
        #expect(try ContactVisitLog.search("valves", in: views).map(\.status) == ["done"])
        #expect(try ContactVisitLog.search("燃气", in: views).isEmpty)
        #expect(try ContactVisitLog.log(ofEmployee: "emp-1", in: views, filter: .init(channel: "chat")).entries.map(\.id) == [entry])
    }

    @Test func aRecordedVisitIsListedAtItsPlannedInstantOnItsPlannedDayElseAtNoonUTC() throws {
        var log = sampleLog()  // visit 1 planned for 2026-01-11 00:00 UTC
        let visit = UUID.derived("visit", "1"), late = UUID.derived("visit", "late")
        log.add(VisitRecorded(visitID: visit, actual: .init(date: LocalDate("2026-01-10")!, place: "Plant", summary: "Done the evening before, west of Greenwich"),
                              recordedAt: t0), on: Visit.stream(visit))
        log.add(VisitPlanned(visitID: late, customerID: acme, visitor: "emp-3", scheduledAt: t0.addingTimeInterval(10 * day), contacts: [],
                             agenda: "Second inspection", place: "Plant"), on: Visit.stream(late))
        log.add(VisitRecorded(visitID: late, actual: .init(date: LocalDate("2026-01-13")!, place: "Plant", summary: "Done two days late"),
                              recordedAt: t0), on: Visit.stream(late))
        let views = try log.views(projection)
        let entries = try ContactVisitLog.log(ofCustomer: acme, in: views, filter: .init(kind: .visit)).entries
        #expect(entries.map(\.id) == [late, visit])
        #expect(entries.map(\.at) == [t0.addingTimeInterval(12 * day + 12 * 3600), t0.addingTimeInterval(10 * day)])
    }

    @Test func batchingDoesNotChangeTheRows() throws {
        var log = sampleLog()
        let entry = UUID.derived("log", "1")
        log.add(ContactLogRetracted(entryID: entry, reason: "x", retractedAt: t0), on: ContactLogEntry.stream(entry))
        #expect(try log.views(projection).tables == log.views(projection, batches: 3).tables)
    }
}
