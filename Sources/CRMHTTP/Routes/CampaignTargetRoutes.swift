import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// POST `/v1/campaigns/{id}/targets/select`: a target list selected by criteria (R-MKT-3). The body is a
    /// customer filter (`group`, `branch`, `community`, `status`, `owner`), an RFM `segment` (e.g. `atRisk`:
    /// among the customers the caller may analyse, scored as `GET /v1/reports/rfm` with its defaults; an unknown
    /// name is 400) and a `birthdayMonth` (1–12: persons born in that month), with the list's optional `id`;
    /// the customers matching all of it that the caller may see become the list, its criteria the selection
    /// as text. `If-Match` and `Idempotency-Key` as on every command; `consistentWith` (query) reads the
    /// customer list at least as new as that position. Answers the command's result with the list's id, its
    /// criteria and how many customers were selected.
    func addCampaignTargetSelection(to v1: Group) {
        v1.post("campaigns/:id/targets/select") { request, context in
            let principal = try writer(request, context)
            let id = try pathID(context)
            let body = try await body(request)
            let listID = try newID(body, request, context)
            let segment = try body.optionalString("segment", max: 100)
            let birthdayMonth = try body.optionalInt("birthdayMonth", in: 1...12)
            let filter = CustomerFilter(
                group: try body.optionalString("group", max: 100), branch: try body.optionalString("branch", max: 100),
                community: try body.optionalString("community", max: 100), status: try body.optionalEnum("status", CustomerStatus.self),
                owner: try body.optionalString("owner", max: 100))
            try body.finish()
            let headers = try WriteHeaders(request)
            let selection = try await engine.selectTargets(
                campaign: id, listID: listID, filter: filter, segment: segment, birthdayMonth: birthdayMonth, as: principal, expectedVersion: headers.expectedVersion,
                idempotencyKey: headers.idempotencyKey, requestDigest: context.requestDigest,
                consistentWith: try QueryParameters(request: request).position("consistentWith"))
            var extra = HTTPFields()
            if selection.result.repeated { extra.set("Idempotent-Replayed", "true") }
            return try JSONOutput.response(TargetSelectionAnswer(try await CommandAnswer(selection.result, engine: engine), list: selection.list),
                                           version: selection.result.version, headers: extra)
        }
    }

    /// The customer filter of a list's query parameters (``CustomerFilter``); an unknown `status` is 400.
    func customerFilter(_ query: QueryParameters) throws -> CustomerFilter {
        var status: CustomerStatus?
        if let text = query.string("status"), !text.isEmpty {
            guard let value = CustomerStatus(rawValue: text) else {
                throw Problem.invalid("status", "expected one of " + CustomerStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            status = value
        }
        return CustomerFilter(group: query.string("group"), branch: query.string("branch"), community: query.string("community"),
                              status: status, owner: query.string("owner"))
    }
}

/// A command's answer (``CommandAnswer``) for a target selection, with the list recorded.
struct TargetSelectionAnswer: Encodable {
    var id: UUID?
    var stream: String
    var version: UInt64
    var position: UInt64
    var events: [CommandAnswer.Event]
    /// The target list's id.
    var listId: UUID
    var criteria: String
    var segment: String?
    /// How many customers the list holds.
    var selected: Int

    init(_ answer: CommandAnswer, list: Campaign.TargetList) {
        (id, stream, version, position, events) = (answer.id, answer.stream, answer.version, answer.position, answer.events)
        (listId, criteria, segment, selected) = (list.id, list.criteria, list.segment, list.customerIDs.count)
    }
}
