import CRMDomain
import CRMEngine
import Foundation
import Hummingbird

extension Routes {
    /// Campaigns: the plan, the feasibility review (an approval workflow), execution and closing. Nested
    /// work items, cost lines, target lists and the summary are read in the domain's own field names.
    func addCampaignRoutes(to v1: Group) {
        create(v1, "campaigns", Campaign.self) { id, body in
            .plan(id: id, name: try body.string("name", max: 200), objective: try body.string("objective", max: 2000),
                  owner: try body.string("owner", max: 100), budget: try body.decoded("budget", Money.self),
                  start: try day(body, "start"), end: try day(body, "end"))
        }
        list(v1, "campaigns", Campaign.self)
        // The campaign with its budget against actual cost (R-MKT-1): `actualCost` (the cost lines' sum),
        // `budgetRemaining` (negative when over budget) and, once closed, `netReturn` (sales effect minus cost);
        // with `asOf`, the campaign then and those figures from it.
        v1.get("campaigns/:id") { request, context in
            let (state, version) = try await recordState(Campaign.self, id: try pathID(context), request: request, context: context)
            guard var answer = reflectJSON(state) as? [String: Any] else { return try JSONOutput.reflected(state, version: version) }
            answer["actualCost"] = reflectJSON(state.actualCost)
            answer["budgetRemaining"] = reflectJSON(state.budgetRemaining)
            answer["netReturn"] = state.netReturn.map(reflectJSON) ?? NSNull()
            return try JSONOutput.reflected(answer, version: version)
        }
        command(v1, "campaigns/:id/plan", Campaign.self) { _, body in
            .changePlan(name: try body.string("name", max: 200), objective: try body.string("objective", max: 2000),
                        budget: try body.decoded("budget", Money.self), start: try day(body, "start"), end: try day(body, "end"))
        }
        command(v1, "campaigns/:id/feasibility", Campaign.self) { _, body in .submitFeasibility(study: try body.string("study")) }
        command(v1, "campaigns/:id/start", Campaign.self) { _, _ in .start }
        command(v1, "campaigns/:id/work-items", Campaign.self) { _, body in .assignWorkItem(try body.decodedAll(Campaign.WorkItem.self)) }
        command(v1, "campaigns/:id/progress", Campaign.self) { _, body in
            .reportProgress(workItemID: try body.uuid("workItemId"), percent: try body.int("percent", in: 0...100),
                            note: try body.optionalString("note", max: 2000))
        }
        command(v1, "campaigns/:id/costs", Campaign.self) { _, body in .addCost(try body.decodedAll(Campaign.CostLine.self)) }
        command(v1, "campaigns/:id/materials", Campaign.self) { [engine] _, body in
            .requestMaterial(id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), name: try body.string("name", max: 200),
                             unit: try body.string("unit", max: 32), quantity: try body.decoded("quantity", Decimal.self))
        }
        command(v1, "campaigns/:id/materials/advance", Campaign.self) { _, body in
            .advanceMaterial(id: try body.uuid("materialId"), stage: try body.enumValue("stage", Campaign.MaterialStage.self),
                             quantity: try body.decoded("quantity", Decimal.self))
        }
        command(v1, "campaigns/:id/materials/decline", Campaign.self) { _, body in
            .declineMaterial(id: try body.uuid("materialId"), reason: try body.string("reason", max: 2000))
        }
        command(v1, "campaigns/:id/targets", Campaign.self) { _, body in .selectTargets(try body.decodedAll(Campaign.TargetList.self)) }
        addCampaignTargetSelection(to: v1)
        command(v1, "campaigns/:id/messages", Campaign.self) { [engine] _, body in
            .recordMessage(id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), listID: try body.uuid("listId"),
                           customerID: try body.uuid("customerId"), kind: try body.enumValue("kind", Campaign.MessageKind.self),
                           channel: try body.string("channel", max: 100))
        }
        command(v1, "campaigns/:id/close", Campaign.self) { _, body in .close(try body.decodedAll(Campaign.Summary.self)) }
    }
}
