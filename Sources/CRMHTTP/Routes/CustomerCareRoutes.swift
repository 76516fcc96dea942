import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// Loyalty points, maintenance pairings (agent + manager per customer), new service connections,
    /// survey templates and surveys.
    func addCustomerCareRoutes(to v1: Group) {
        // Loyalty: the account's id is its customer's. Points by hand are `manual`, each accrual a new one unless it names
        // its `reference` (the same reference again: nothing recorded when it is the same accrual, 409 otherwise); rules
        // accrue by themselves. `earnedOn` and `on` default to today in the customer's branch calendar.
        // With `ETag` = the account's stream version (what its writes take as If-Match): the balances are read
        // at least as new as the stream's last event, so the body matches the ETag.
        // Balances are a view's answer today: no `asOf` (400).
        v1.get("loyalty/:id") { request, context in
            try refuseAsOf(request)
            let query = QueryParameters(request: request)
            let id = try pathID(context)
            let last = try await lastEvent(of: LoyaltyAccount.stream(id))
            let balance = try await engine.loyalty(of: id, as: try context.requirePrincipal(),
                                                   consistentWith: max(last?.position ?? .start, try query.position("consistentWith") ?? .start))
            return try JSONOutput.reflected(balance, version: last?.streamVersion)
        }
        // Without `earnedOn` / `on` the day is read after the body's fields, from the customer's branch (async: not `command`'s).
        v1.on(RouterPath("loyalty/:id/accrue"), method: .post) { request, context in
            let id = try pathID(context)
            let body = try await body(request)
            let points = try body.int("points", in: 1...10_000_000)
            let reference = try body.optionalString("reference", max: 200) ?? "manual-\(engine.configuration.ids.next().lowercasedString)"
            let reason = try body.string("reason", max: 2000)
            let earnedOn = try body.optionalDay("earnedOn"), expiresOn = try body.optionalDay("expiresOn")
            try body.finish()
            let day = if let earnedOn { earnedOn } else { try await engine.today(ofCustomer: id) }
            let command = LoyaltyAccount.Command.accrue(customerID: id, points: points, source: .manual, sourceReference: reference, reason: reason,
                                                        earnedOn: day, expiresOn: expiresOn)
            return try await execute(LoyaltyAccount.self, id: id, command, request: request, context: context, body: body)
        }
        v1.on(RouterPath("loyalty/:id/redeem"), method: .post) { request, context in
            let id = try pathID(context)
            let body = try await body(request)
            let redemptionID = try body.optionalUUID("redemptionId") ?? engine.configuration.ids.next()
            let points = try body.int("points", in: 1...10_000_000)
            let reason = try body.string("reason", max: 2000)
            let on = try body.optionalDay("on")
            try body.finish()
            let day = if let on { on } else { try await engine.today(ofCustomer: id) }
            let command = LoyaltyAccount.Command.redeem(redemptionID: redemptionID, points: points, reason: reason, on: day)
            return try await execute(LoyaltyAccount.self, id: id, command, request: request, context: context, body: body)
        }
        command(v1, "loyalty/:id/expire", LoyaltyAccount.self) { _, body in .expire(asOf: try day(body, "asOf")) }

        // Maintenance pairings: one per customer, its id derived from the customer's.
        create(v1, "pairings", MaintenancePairing.self, id: { MaintenancePairing.id(customerID: try $0.uuid("customerId")) }) { _, body in
            .pair(customerID: try body.uuid("customerId"), agent: try body.string("agent", max: 100), manager: try body.string("manager", max: 100))
        }
        record(v1, "pairings/:id", MaintenancePairing.self)
        command(v1, "pairings/:id/agent", MaintenancePairing.self) { _, body in
            .changeAgent(newAgent: try body.string("agent", max: 100), reason: try body.optionalString("reason", max: 2000))
        }
        command(v1, "pairings/:id/manager", MaintenancePairing.self) { _, body in
            .changeManager(newManager: try body.string("manager", max: 100), reason: try body.optionalString("reason", max: 2000))
        }
        command(v1, "pairings/:id/unpair", MaintenancePairing.self) { _, body in .unpair(reason: try body.string("reason", max: 2000)) }
        // Feedback is the caller's own: `giver` may be left out (the engine records the caller); another's id is 403.
        command(v1, "pairings/:id/feedback", MaintenancePairing.self) { [engine] _, body in
            .giveFeedback(feedbackID: try body.optionalUUID("feedbackId") ?? engine.configuration.ids.next(),
                          direction: try body.enumValue("direction", FeedbackDirection.self), giver: try body.optionalString("giver", max: 100) ?? "",
                          rating: try body.int("rating", in: 1...5), comment: try body.optionalString("comment", max: 2000), about: try body.optionalUUID("about"))
        }

        // New connections (gas/water service connection processes).
        create(v1, "connections", NewConnection.self) { id, body in
            .open(connectionID: id, customerID: try body.uuid("customerId"), address: try body.string("address", max: 500),
                  deadline: try body.date("deadline"), assignee: try body.string("assignee", max: 100))
        }
        record(v1, "connections/:id", NewConnection.self)
        command(v1, "connections/:id/materials", NewConnection.self) { _, body in .addMaterial(try body.decodedAll(ConnectionMaterial.self)) }
        command(v1, "connections/:id/fees", NewConnection.self) { [engine] _, body in
            .assessFee(feeID: try body.optionalUUID("feeId") ?? engine.configuration.ids.next(), amount: try body.decoded("amount", Money.self),
                       description: try body.string("description", max: 500))
        }
        command(v1, "connections/:id/fees/pay", NewConnection.self) { _, body in .payFee(feeID: try body.uuid("feeId")) }
        command(v1, "connections/:id/advance", NewConnection.self) { _, body in
            .advance(note: try body.optionalString("note", max: 2000), deadline: try body.optionalDate("deadline"), assignee: try body.optionalString("assignee", max: 100))
        }
        command(v1, "connections/:id/send-back", NewConnection.self) { _, body in
            .sendBack(reason: try body.string("reason", max: 2000), deadline: try body.date("deadline"), assignee: try body.string("assignee", max: 100))
        }
        command(v1, "connections/:id/replan", NewConnection.self) { _, body in
            .replan(deadline: try body.date("deadline"), assignee: try body.string("assignee", max: 100))
        }
        command(v1, "connections/:id/cancel", NewConnection.self) { _, body in .cancel(reason: try body.string("reason", max: 2000)) }

        // Survey templates and surveys (R-MKT-4). A survey from a template gets the template's recorded questions.
        create(v1, "survey-templates", SurveyTemplate.self) { id, body in
            .create(templateID: id, title: try body.string("title", max: 200), questions: try body.decoded("questions", [QuestionBody].self).map(\.question))
        }
        list(v1, "survey-templates", SurveyTemplate.self)
        record(v1, "survey-templates/:id", SurveyTemplate.self)
        command(v1, "survey-templates/:id/revise", SurveyTemplate.self) { _, body in
            .revise(title: try body.string("title", max: 200), questions: try body.decoded("questions", [QuestionBody].self).map(\.question))
        }
        command(v1, "survey-templates/:id/archive", SurveyTemplate.self) { _, _ in .archive }
        command(v1, "survey-templates/:id/restore", SurveyTemplate.self) { _, _ in .restore }
        create(v1, "surveys", Survey.self) { id, body in
            if let template = try body.optionalUUID("templateId") {
                return .create(surveyID: id, questionnaire: Questionnaire(templateID: template, title: try body.optionalString("title", max: 200) ?? "", questions: []))
            }
            return .create(surveyID: id, questionnaire: Questionnaire(title: try body.string("title", max: 200),
                                                                      questions: try body.decoded("questions", [QuestionBody].self).map(\.question)))
        }
        list(v1, "surveys", Survey.self)
        record(v1, "surveys/:id", Survey.self)
        // Up to Survey.maximumRecipientsPerDistribution recipients: the route's larger body limit is HTTPConfiguration.bodyLimit's.
        command(v1, "surveys/:id/distribute", Survey.self) { _, body in .distribute(recipients: try body.decoded("recipients", [SurveyRecipient].self)) }
        command(v1, "surveys/:id/responses", Survey.self) { [engine] _, body in
            .respond(responseID: try body.optionalUUID("responseId") ?? engine.configuration.ids.next(),
                     recipient: try body.decoded("recipient", SurveyRecipient.self), answers: try body.decoded("answers", [SurveyAnswer].self))
        }
        command(v1, "surveys/:id/close", Survey.self) { _, _ in .close }
    }
}

/// A survey question as a body gives it: `id`, `prompt` and `kind` required, the rest defaulting as in
/// ``CRMDomain/SurveyQuestion/init(id:prompt:kind:isRequired:options:minSelections:maxSelections:scale:maxLength:)``.
private struct QuestionBody: Codable {
    var id: String
    var prompt: String
    var kind: SurveyQuestion.Kind
    var isRequired: Bool?
    var options: [String]?
    var minSelections: Int?
    var maxSelections: Int?
    var scale: Int?
    var maxLength: Int?

    var question: SurveyQuestion {
        let defaults = SurveyQuestion(id: id, prompt: prompt, kind: kind, isRequired: isRequired ?? false)
        return SurveyQuestion(id: id, prompt: prompt, kind: kind, isRequired: isRequired ?? false, options: options ?? [],
                              minSelections: minSelections ?? defaults.minSelections, maxSelections: maxSelections ?? defaults.maxSelections,
                              scale: scale ?? defaults.scale, maxLength: maxLength ?? defaults.maxLength)
    }
}
