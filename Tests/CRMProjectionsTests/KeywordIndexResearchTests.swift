import CRMDomain
@testable import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The keyword index across modules (R-ANA-6) for research data (surveys and their responses, R-MKT-4)
/// and for the contact log and visits, which join at query time from the contact and visit log.
@Suite struct KeywordIndexResearchTests {
    let gas = UUID.derived("customer", "gas")
    let bank = UUID.derived("customer", "bank")
    let survey = UUID.derived("survey", "winter")
    let response = UUID.derived("response", "gas")
    let call = UUID.derived("log", "call")
    let visit = UUID.derived("visit", "bank")
    let wang = UUID.derived("contact", "wang")
    let partner = UUID.derived("partner", "1")

    func sampleLog() -> TestLog {
        var log = TestLog()
        log.add(created(gas, name: "北京燃气 Acme"), on: Customer.stream(gas))
        log.add(created(bank, name: "Beijing Bank", branch: "south"), on: Customer.stream(bank))
        log.add(SurveyCreated(surveyID: survey, title: "Winter satisfaction", questions: [.rating("q1", "How warm?", scale: 5)],
                              createdBy: "emp-9", createdAt: t0), on: Survey.stream(survey))
        log.add(SurveyDistributed(surveyID: survey, recipients: [.customer(gas), .customer(bank), .partner(partner)],
                                  distributedBy: "emp-9", distributedAt: t0), on: Survey.stream(survey))
        log.add(SurveyResponseRecorded(surveyID: survey, responseID: response, recipient: .customer(gas), answers: [],
                                       respondedAt: t0), on: Survey.stream(survey))
        log.add(ContactLogged(entryID: call, customerID: gas, details: .init(contactID: wang, channel: .phone, subject: "Meter reading question",
                                                                              occurredAt: t0, note: "asked twice")),
                on: ContactLogEntry.stream(call))
        log.add(VisitPlanned(visitID: visit, customerID: bank, visitor: "emp-3", scheduledAt: t0.addingTimeInterval(day), contacts: [],
                             agenda: "Boiler check", place: "Vault"), on: Visit.stream(visit))
        return log
    }

    /// The keyword index's and the contact and visit log's views of `log`.
    func views(_ log: TestLog) throws -> (keywords: InMemoryViews, activity: InMemoryViews) {
        (try log.views(KeywordIndex()), try log.views(ContactVisitLog()))
    }

    @Test func aCustomerNameFindsTheSurveysSentToItAndItsResponses() throws {
        let (keywords, _) = try views(sampleLog())
        let hits = try KeywordIndex.search("北京燃气", in: keywords)
        #expect(Set(hits.map(\.kind)) == [.customer, .survey, .surveyResponse])
        let answer = try #require(hits.first { $0.kind == .surveyResponse })
        #expect(answer.id == response && answer.parentID == survey && answer.title == "Winter satisfaction")
        #expect(answer.customerID == gas && answer.scope.branch == "north")
        #expect(answer.score == 3)  // 北京, 燃气 and 京燃, all through the customer's name
        let sent = try #require(hits.first { $0.kind == .survey })
        #expect(sent.id == survey && sent.customerID == nil && sent.scope == .global && sent.parentID == nil)
        // Sent to the bank, which has not answered: the survey, no response.
        #expect(Set(try KeywordIndex.search("beijing bank", in: keywords).map(\.kind)) == [.customer, .survey])
    }

    @Test func aSurveysTitleFindsTheSurveyAlone() throws {
        let (keywords, _) = try views(sampleLog())
        let hits = try KeywordIndex.search("WINTER satisfaction", in: keywords)
        #expect(hits.map(\.kind) == [.survey])
        #expect(hits.first?.score == 4)
        // With a word of a recipient's name besides, the survey sent to it and its response (2 + 1 each).
        #expect(Set(try KeywordIndex.search("winter acme", in: keywords).map(\.id)) == [survey, response])
        #expect(try KeywordIndex.search("winter acme bank", in: keywords).isEmpty)
    }

    @Test func surveyEventsWriteTheTitleOnceAndOneLinkPerCustomer() throws {
        var log = sampleLog()
        let base = try log.views(KeywordIndex()).tables
        let other = UUID.derived("survey", "other")
        log.add(SurveyCreated(surveyID: other, title: "Tariff", questions: [.rating("q1", "Fair?", scale: 5)], createdBy: "emp-9", createdAt: t0),
                on: Survey.stream(other))
        let createdRows = try log.views(KeywordIndex()).tables
        #expect(rowCount(createdRows) - rowCount(base) == 2)  // the posting of "tariff" and the record
        log.add(SurveyDistributed(surveyID: other, recipients: [.customer(gas), .partner(partner)], distributedBy: "emp-9", distributedAt: t0),
                on: Survey.stream(other))
        log.add(SurveyResponseRecorded(surveyID: other, responseID: UUID.derived("response", "other"), recipient: .partner(partner),
                                       answers: [], respondedAt: t0), on: Survey.stream(other))
        log.add(SurveyClosed(surveyID: other, closedBy: "emp-9", closedAt: t0), on: Survey.stream(other))
        let after = try log.views(KeywordIndex()).tables
        #expect(rowCount(after) - rowCount(createdRows) == 1)  // the link of the one customer recipient
    }

    @Test func aRenamedCustomerStillBringsItsSurveysAndResponses() throws {
        var log = sampleLog()
        log.add(CustomerEdited(customerID: gas, changes: [FieldChange(field: "name", old: .text("北京燃气 Acme"), new: .text("Tianjin Gas"))]),
                on: Customer.stream(gas))
        let (keywords, _) = try views(log)
        #expect(Set(try KeywordIndex.search("tianjin", in: keywords).map(\.kind)) == [.customer, .survey, .surveyResponse])
        #expect(try KeywordIndex.search("北京燃气", in: keywords).isEmpty)
        #expect(try log.views(KeywordIndex()).tables == log.views(KeywordIndex(), batches: 3).tables)
    }

    @Test func contactLogEntriesAndVisitsJoinFromTheActivityLogByNameAndSubject() throws {
        let (keywords, activity) = try views(sampleLog())
        // Without the activity log's view, none.
        #expect(try KeywordIndex.search("meter", in: keywords).isEmpty)
        let byName = try KeywordIndex.search("acme", in: keywords, activityLog: activity)
        let logged = try #require(byName.first { $0.kind == .contactLog })
        #expect(logged.id == call && logged.title == "Meter reading question" && logged.customerID == gas && logged.score == 1)
        #expect(logged.scope.branch == "north" && logged.scope.owners == ["emp-1"])
        // Own subject and note weigh 2 per term, the customer's name 1.
        #expect(try KeywordIndex.search("meter twice", in: keywords, activityLog: activity).map(\.score) == [4])
        #expect(try KeywordIndex.search("acme meter", in: keywords, activityLog: activity).map(\.kind) == [.contactLog])
        #expect(try KeywordIndex.search("acme meter", in: keywords, activityLog: activity).first?.score == 3)
        let visits = try KeywordIndex.search("beijing boiler", in: keywords, activityLog: activity)
        #expect(visits.map(\.kind) == [.visit] && visits.first?.id == visit && visits.first?.scope.branch == "south")
        #expect(try KeywordIndex.search("acme boiler", in: keywords, activityLog: activity).isEmpty)
        #expect(Set(try KeywordIndex.search("beijing bank", in: keywords, activityLog: activity).map(\.kind)) == [.customer, .survey, .visit])
    }

    @Test func anAmendedEntryIsFoundByItsNewSubjectAndARetractedOneNotAtAll() throws {
        var log = sampleLog()
        log.add(ContactLogAmended(entryID: call, changes: [], details: .init(channel: .chat, subject: "Tariff change", occurredAt: t0)),
                on: ContactLogEntry.stream(call))
        log.add(VisitRecorded(visitID: visit, actual: .init(date: LocalDate("2026-01-02")!, place: "Vault", summary: "Valves replaced"),
                              recordedAt: t0), on: Visit.stream(visit))
        var (keywords, activity) = try views(log)
        #expect(try KeywordIndex.search("meter", in: keywords, activityLog: activity).isEmpty)
        #expect(try KeywordIndex.search("tariff", in: keywords, activityLog: activity).map(\.id) == [call])
        #expect(try KeywordIndex.search("valves", in: keywords, activityLog: activity).map(\.title) == ["Valves replaced"])
        log.add(ContactLogRetracted(entryID: call, reason: "duplicate", retractedAt: t0), on: ContactLogEntry.stream(call))
        (keywords, activity) = try views(log)
        #expect(try KeywordIndex.search("tariff", in: keywords, activityLog: activity).isEmpty)
        #expect(try KeywordIndex.search("acme", in: keywords, activityLog: activity).allSatisfy { $0.kind != .contactLog })
    }

    @Test func activityEntriesKeepTheContactsTheyNameForTheContactFilter() throws {
        var log = sampleLog()
        let li = UUID.derived("contact", "li")
        log.add(VisitPlanned(visitID: UUID.derived("visit", "gas"), customerID: gas, visitor: "emp-3", scheduledAt: t0.addingTimeInterval(day),
                             contacts: [wang], agenda: "Inspection", place: "Plant"), on: Visit.stream(UUID.derived("visit", "gas")))
        log.add(VisitRecorded(visitID: UUID.derived("visit", "gas"), actual: .init(date: LocalDate("2026-01-02")!, place: "Plant", contacts: [li],
                                                                                  summary: "Inspected"), recordedAt: t0),
                on: Visit.stream(UUID.derived("visit", "gas")))
        let views = try log.views(ContactVisitLog())
        let ofWang = try ContactVisitLog.log(ofCustomer: gas, in: views, filter: .init(contactID: wang)).entries
        #expect(ofWang.map(\.subject) == ["Inspected", "Meter reading question"])
        #expect(try ContactVisitLog.log(ofCustomer: gas, in: views, filter: .init(contactID: li)).entries.map(\.subject) == ["Inspected"])
        #expect(try ContactVisitLog.search("meter", in: views, filter: .init(contactID: li)).isEmpty)
        #expect(try ContactVisitLog.log(ofCustomer: bank, in: views, filter: .init(contactID: wang)).entries.isEmpty)
    }

    func rowCount(_ tables: [ViewTable: [[UInt8]: [UInt8]]]) -> Int { tables.values.reduce(0) { $0 + $1.count } }
}
