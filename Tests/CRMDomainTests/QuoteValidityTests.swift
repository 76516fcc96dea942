import CRMDomain
import EventSourcing
import Foundation
import Testing

private let quoteID = UUID(uuidString: "0196a000-0000-7000-8000-0000000a0101")!
private let customerID = UUID(uuidString: "0196a000-0000-7000-8000-0000000c0101")!
private let meterID = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0101")!

private func draft(validUntil: String?) -> QuoteDraft {
    QuoteDraft(lines: [QuoteLine(productID: meterID, productName: "Smart meter", unitPrice: Money(100, .cny), quantity: 10)],
               validUntil: validUntil.map { date($0) })
}

private func create(validUntil: String?) -> Quote.Command {
    .create(quoteID: quoteID, customerID: customerID, customerCode: "acme", date: date("2025-12-31"), sequence: 1,
            draft: draft(validUntil: validUntil), authorRole: "salesManager", limits: DiscountLimit.defaults)
}

/// A quote's `validUntil` (R-SAL-3) is judged on the command's instant without a zone: a day is past only once it
/// has ended everywhere on earth (the scenarios decide at 2026-01-01T00:00Z, when it is still 31 December at UTC−12).
@Suite("Quote validity")
struct QuoteValidityTests {
    @Test func aQuoteValidUntilAPastDayIsNeitherCreatedNorRevised() {
        let fresh = Scenario(Quote.self)
        let refused = fresh.whenRefused(create(validUntil: "2020-12-31"))
        #expect(refused?.code == .invalid && refused?.field == "validUntil")
        #expect(fresh.whenRefused(create(validUntil: "2025-12-30"))?.field == "validUntil")
        #expect(fresh.when(create(validUntil: "2025-12-31")).count == 1, "still today at UTC−12")
        #expect(fresh.when(create(validUntil: nil)).count == 1, "no validity: no limit")

        var s = Scenario(Quote.self)
        s.apply(create(validUntil: "2026-01-31"))
        let revised = s.whenRefused(.revise(draft: draft(validUntil: "2025-06-30"), authorRole: "salesManager", limits: DiscountLimit.defaults))
        #expect(revised?.code == .invalid && revised?.field == "validUntil")
        // Resending the identical create records nothing, whenever it comes (no new revision is judged).
        var later = s
        later.context.now = later.context.now.addingTimeInterval(90 * 86_400)
        #expect(later.when(create(validUntil: "2026-01-31")).isEmpty)
    }

    @Test func aQuoteWhoseValidityPassedIsNeitherSentNorAcceptedButMayBeRevisedOrRejected() {
        var s = Scenario(Quote.self)
        s.apply(create(validUntil: "2026-01-10"))
        // Through its last day everywhere it is still valid: 2026-01-11T11:59Z is the 10th at UTC−12.
        var lastDay = s
        lastDay.context.now = Date(timeIntervalSince1970: 1_767_225_600 + 10 * 86_400 + 11 * 3600)
        #expect(lastDay.when(.send).count == 1)
        var expired = s
        expired.context.now = Date(timeIntervalSince1970: 1_767_225_600 + 10 * 86_400 + 13 * 3600)
        let send = expired.whenRefused(.send)
        #expect(send?.code == .invalidTransition && send?.field == "validUntil")
        #expect(expired.whenRefused(.accept)?.code == .invalidTransition)
        var sent = lastDay
        sent.apply(.send)
        sent.context = expired.context
        #expect(sent.whenRefused(.accept)?.field == "validUntil")
        #expect(sent.when(.send).isEmpty, "sending again still records nothing")
        #expect(sent.when(.reject(reason: "too late")).count == 1)
        // A revision with a new validity makes it sendable again.
        expired.apply(.revise(draft: draft(validUntil: "2026-02-28"), authorRole: "salesManager", limits: DiscountLimit.defaults))
        expired.apply(.send)
        #expect(expired.apply(.accept).count == 1)
        #expect(expired.state.status == .accepted)
    }

    @Test func theEarliestDateOnEarthIsThatOfUTCMinus12() {
        let instant = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
        #expect(LocalCalendar.earliestDate(at: instant) == date("2025-12-31"))
        #expect(LocalCalendar.earliestDate(at: instant.addingTimeInterval(12 * 3600)) == date("2026-01-01"))
        #expect(LocalCalendar.latestDate(at: instant) == date("2026-01-01"))
    }
}
