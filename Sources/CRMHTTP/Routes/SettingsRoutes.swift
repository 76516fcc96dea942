import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// The settings (one record), the customer groups' custom-field forms and the approval workflow
    /// definitions: configuration as data. Nested rules are read in the domain's own field names.
    func addSettingsRoutes(to v1: Group) {
        v1.get("settings") { request, context in
            let (state, version) = try await recordState(Settings.self, id: Self.singletonID, request: request, context: context)
            return try JSONOutput.reflected(state, version: version)
        }
        singleton(v1, "settings/time-zones", Settings.self) { body in
            .setBranchTimeZone(branch: try body.string("branch", max: 100), timeZoneID: try body.string("timeZone", max: 64))
        }
        // `branches` may be left out (or null): every branch, as `[]` is.
        singleton(v1, "settings/holidays", Settings.self) { body in
            .addHoliday(Holiday(date: try day(body, "date"), name: try body.string("name", max: 200),
                                branches: try body.optionalDecoded("branches", [String].self) ?? []))
        }
        singleton(v1, "settings/holidays/remove", Settings.self) { body in
            .removeHoliday(date: try day(body, "date"), name: try body.string("name", max: 200))
        }
        singleton(v1, "settings/sla", Settings.self) { body in .setSLADeadline(try body.decodedAll(SLADeadline.self)) }
        singleton(v1, "settings/routing-rules", Settings.self) { body in .replaceRoutingRules(try body.decoded("rules", [RoutingRule].self)) }
        singleton(v1, "settings/reminder-lead-times", Settings.self) { body in
            .setReminderLeadTime(kind: try body.enumValue("kind", ReminderKind.self), days: try body.int("days", in: 0...366))
        }
        singleton(v1, "settings/ticket-rule-chains", Settings.self) { body in .setTicketRuleChain(try body.decodedAll(TicketRuleChain.self)) }
        singleton(v1, "settings/ticket-rule-chains/remove", Settings.self) { body in
            .removeTicketRuleChain(kind: try body.enumValue("kind", TicketKind.self), minimumSeverity: try body.enumValue("minimumSeverity", TicketSeverity.self))
        }
        singleton(v1, "settings/discount-limits", Settings.self) { body in .setDiscountLimit(try body.decodedAll(DiscountLimit.self)) }
        singleton(v1, "settings/exchange-rates", Settings.self) { body in .setExchangeRate(try body.decodedAll(ExchangeRate.self)) }
        singleton(v1, "settings/warning-thresholds", Settings.self) { body in .setWarningThreshold(try body.decodedAll(WarningThreshold.self)) }
        singleton(v1, "settings/loyalty-thresholds", Settings.self) { body in
            .replaceLoyaltyThresholds(try body.decoded("thresholds", [LoyaltyThreshold].self))
        }
        singleton(v1, "settings/kpi-rules", Settings.self) { body in .replaceKPIRules(try body.decoded("rules", [KPIRule].self)) }
        singleton(v1, "settings/kpi-scoring", Settings.self) { body in .setKPIScoring(try body.decodedAll(KPIScoring.self)) }
        singleton(v1, "settings/rfm-scheme", Settings.self) { body in .setRFMScheme(try body.decodedAll(RFMScheme.self)) }
        singleton(v1, "settings/pay-scheme", Settings.self) { body in .setPayScheme(try body.decodedAll(PayScheme.self)) }
        singleton(v1, "settings/cost-budgets", Settings.self) { body in
            guard let month = RevenueMonth(text: try body.string("month", max: 7)) else { throw Problem.invalid("month", "a month YYYY-MM") }
            return .setCostBudget(CostBudget(dimension: try body.enumValue("dimension", CostBudget.Dimension.self), key: try body.string("key", max: 100),
                                             month: month, amount: try body.decoded("amount", Money.self)))
        }
        singleton(v1, "settings/loyalty-accrual-rules", Settings.self) { body in
            .replaceLoyaltyAccrualRules(try body.decoded("rules", [LoyaltyAccrualRule].self))
        }

        // A group's form is addressed by the group's name, percent-encoded in the path as any name beyond
        // ASCII is (or by its record id, which derives from the name and is what a create's Location names).
        // The router hands the segment over as sent, so it is decoded here, once. The name is compared as
        // defining a form compares it (``CustomerGroups/key(_:)``: case, width and surrounding spaces
        // ignored): `RESIDENTIAL` reaches the form of `residential`; a spelling of the group itself wins.
        let form: @Sendable (CRMRequestContext) async throws -> UUID = { [engine] context in
            guard let segment = context.parameters.get("group"), let group = segment.removingPercentEncoding,
                  (1...100).contains(group.count) else { throw Problem.invalid("group", "1 to 100 characters, percent-encoded UTF-8") }
            if let id = UUID(text: group) { return id }
            let known = try await engine.customerGroups()
            let trimmed = group.trimmingCharacters(in: .whitespacesAndNewlines)
            return CustomerForm.id(group: known.names.contains(trimmed) ? trimmed : known.otherSpelling(of: group) ?? trimmed)
        }
        create(v1, "forms", CustomerForm.self, id: { CustomerForm.id(group: try $0.string("group", max: 100)) }) { _, body in
            .define(group: try body.string("group", max: 100), fields: try body.optionalDecoded("fields", [FieldDefinition].self) ?? [])
        }
        v1.get("forms/:group") { request, context in
            let (state, version) = try await recordState(CustomerForm.self, id: try await form(context), request: request, context: context)
            return try JSONOutput.reflected(state, version: version)
        }
        // A command on a group's form, as ``command(_:_:_:method:id:_:)`` answers one, with the form found by `form`.
        func formCommand(_ path: String, _ make: @escaping @Sendable (JSONObjectReader) throws -> CustomerForm.Command) {
            v1.post(RouterPath(path)) { request, context in
                let id = try await form(context)
                let body = try await body(request)
                let command = try make(body)
                try body.finish()
                return try await execute(CustomerForm.self, id: id, command, request: request, context: context)
            }
        }
        formCommand("forms/:group/fields") { body in .addField(try body.decodedAll(FieldDefinition.self)) }
        formCommand("forms/:group/fields/change") { body in .changeField(try body.decodedAll(FieldDefinition.self)) }
        formCommand("forms/:group/fields/retire") { body in .retireField(name: try body.string("name", max: 64)) }

        // Without an id, a definition is its kind's default: the one approvals route through.
        create(v1, "workflow-definitions", WorkflowDefinition.self, id: { body in
            try body.optionalUUID("id") ?? WorkflowDefinition.defaultID(for: body.enumValue("kind", WorkflowSubjectKind.self))
        }) { id, body in
            .define(id: id, name: try body.string("name", max: 200), kind: try body.enumValue("kind", WorkflowSubjectKind.self),
                    steps: try body.decoded("steps", [WorkflowStep].self))
        }
        list(v1, "workflow-definitions", WorkflowDefinition.self)
        record(v1, "workflow-definitions/:id", WorkflowDefinition.self)
        command(v1, "workflow-definitions/:id/revise", WorkflowDefinition.self) { _, body in
            .revise(name: try body.string("name", max: 200), steps: try body.decoded("steps", [WorkflowStep].self))
        }
    }
}
