import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension CRMEngine {
    /// The revision each `QuoteRevised` among `events` (a page of a history) replaced, by the revised event's
    /// position, so its entry shows the quote's terms old → new (R-LOG-5): found among the events at hand
    /// (``ModificationHistory/replacedRevisions(in:)``), else in the quote's state (`Quote.State.revisions`
    /// keeps every revision; revision n − 1 is always before revision n in the log), each quote folded once
    /// — so a page that starts after the revision it replaced (a record's history after a version, a
    /// customer's history page, the events stream's single entry) shows the same changes as the whole history.
    func replacedQuoteRevisions(_ events: [ProjectionEvent]) async throws -> [GlobalPosition: QuoteRevision] {
        var replaced = ModificationHistory.replacedRevisions(in: events)
        var revisions: [StreamID: [QuoteRevision]] = [:]
        for event in events where replaced[event.position] == nil {
            guard let revised = event.payload as? QuoteRevised else { continue }
            if revisions[event.stream] == nil { revisions[event.stream] = try await load(Quote.self, stream: event.stream).state.revisions }
            replaced[event.position] = revisions[event.stream]?.first { $0.number == revised.revision.number - 1 }
        }
        return replaced
    }
}
