import CRMDomain
import CRMEngine
import Foundation
import Hummingbird

extension Routes {
    /// Customer visits: plan, reschedule, record what happened, cancel, costs.
    func addVisitRoutes(to v1: Group) {
        create(v1, "visits", Visit.self) { id, body in
            .plan(id: id, customerID: try body.uuid("customerId"), visitor: try body.string("visitor", max: 100),
                  scheduledAt: try body.date("scheduledAt"), contacts: try uuids(body, "contacts"),
                  agenda: try body.string("agenda", max: 2000), place: try body.string("place", max: 500))
        }
        record(v1, "visits/:id", Visit.self)
        command(v1, "visits/:id/reschedule", Visit.self) { _, body in
            .reschedule(to: try body.date("scheduledAt"), place: try body.optionalString("place", max: 500), reason: try body.optionalString("reason", max: 2000))
        }
        command(v1, "visits/:id/actual", Visit.self) { _, body in
            guard let date = try body.optionalDay("date") else { throw Problem.invalid("date", "required") }
            return .recordActual(Visit.Actual(date: date, place: try body.string("place", max: 500), contacts: try uuids(body, "contacts"),
                                              topics: try body.optionalStrings("topics") ?? [], summary: try body.string("summary")))
        }
        command(v1, "visits/:id/cancel", Visit.self) { _, body in .cancel(reason: try body.string("reason", max: 2000)) }
        command(v1, "visits/:id/costs", Visit.self) { _, body in
            .addCostLine(Visit.CostLine(id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), kind: try body.enumValue("kind", Visit.CostKind.self),
                                        amount: try body.decoded("amount", Money.self), note: try body.optionalString("note", max: 2000)))
        }
        command(v1, "visits/:id/costs/remove", Visit.self) { _, body in .removeCostLine(id: try body.uuid("costLineId")) }
    }

    /// An optional array of UUIDs (each named `field[i]` when invalid).
    func uuids(_ body: JSONObjectReader, _ key: String) throws -> [UUID] {
        try (body.optionalStrings(key) ?? []).enumerated().map { index, text in try JSONObjectReader.uuid(text, field: "\(key)[\(index)]") }
    }
}
