import Foundation

// Work items, progress, costs, materials, target lists and messages: the campaign's execution records.
extension Campaign {
    static func decideExecution(_ command: Command, id: UUID, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .assignWorkItem(var item):
            // A reassignment resends the whole item: what it already holds is not judged again.
            let previous = state.workItems.first { $0.id == item.id }
            item.title = try Validate.text(item.title, field: "title", unlessUnchangedFrom: previous?.title)
            item.department = try Validate.text(item.department, field: "department", max: 100, unlessUnchangedFrom: previous?.department)
            item.team = try Validate.optionalText(item.team, field: "team", max: 100, unlessUnchangedFrom: previous?.team)
            item.person = try Validate.optionalText(item.person, field: "person", max: 100, unlessUnchangedFrom: previous?.person)
            try notClosed(state)
            guard previous != item else { return [] }
            return [.workItemAssigned(CampaignWorkItemAssigned(campaignID: id, item: item, previous: previous))]

        case .reportProgress(let workItemID, let percent, let note):
            let note = try Validate.optionalMultilineText(note, field: "note")
            guard (0...100).contains(percent) else { throw .invalid("percent", "must be 0 to 100") }
            try require(state.status == .executing, "progress is reported only while executing")
            guard state.workItems.contains(where: { $0.id == workItemID }) else { throw .notFound("no such work item") }
            return [.progressReported(CampaignProgressReported(campaignID: id, report: ProgressReport(
                workItemID: workItemID, percent: percent, owner: context.actor, at: context.now, note: note)))]

        case .addCost(var line):
            line.description = try Validate.text(line.description, field: "description")
            guard line.amount.amount > 0 else { throw .invalid("amount", "must be positive") }
            try Validate.amount(line.amount.amount, field: "amount")
            guard line.amount.currency == state.budget.currency else { throw .invalid("amount", "must be in the budget's currency") }
            // Within the plan: the months the costs report spreads the budget over (a cost before the start or
            // after the end is dated on the plan's first or last day), so no cost falls outside them.
            guard line.date >= state.start, line.date <= state.end else {
                throw .invalid("date", "must fall within the campaign's plan (\(state.start) to \(state.end))")
            }
            try require(state.status == .approved || state.status == .executing, "costs are recorded once approved and until closed")
            guard !state.costLines.contains(where: { $0.id == line.id }) else {
                throw DomainError(.alreadyExists, field: "id", "the campaign already has that cost line")
            }
            return [.costAdded(CampaignCostAdded(campaignID: id, line: line, by: context.actor))]

        case .requestMaterial(let materialID, let name, let unit, let quantity):
            let name = try Validate.text(name, field: "name")
            let unit = try Validate.text(unit, field: "unit", max: 20)
            guard quantity > 0 else { throw .invalid("quantity", "must be positive") }
            try Validate.amount(quantity, field: "quantity")
            try notClosed(state)
            guard !state.materials.contains(where: { $0.id == materialID }) else {
                throw DomainError(.alreadyExists, field: "id", "the material is already requested")
            }
            return [.materialRequested(CampaignMaterialRequested(campaignID: id, materialID: materialID, name: name, unit: unit,
                                                                 quantity: quantity, by: context.actor))]

        case .advanceMaterial(let materialID, let stage, let quantity):
            guard quantity > 0 else { throw .invalid("quantity", "must be positive") }
            try Validate.amount(quantity, field: "quantity")
            try notClosed(state)
            guard let material = state.materials.first(where: { $0.id == materialID }) else { throw .notFound("no such material") }
            guard material.quantity(at: stage) + quantity <= material.allowed(at: stage) else {
                throw .invalid("quantity", "exceeds what the previous stage allows")
            }
            return [.materialAdvanced(CampaignMaterialAdvanced(campaignID: id, materialID: materialID, stage: stage,
                                                               quantity: quantity, by: context.actor))]

        case .declineMaterial(let materialID, let reason):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            try notClosed(state)
            guard let material = state.materials.first(where: { $0.id == materialID }) else { throw .notFound("no such material") }
            try require(material.approved == 0, "only a material with nothing approved can be declined")
            guard material.declinedReason != reason else { return [] }
            return [.materialDeclined(CampaignMaterialDeclined(campaignID: id, materialID: materialID, reason: reason,
                                                               by: context.actor, at: context.now))]

        case .selectTargets(var list):
            list.segment = try Validate.optionalText(list.segment, field: "segment", max: 100)
            list.criteria = try Validate.multilineText(list.criteria, field: "criteria", max: 2000)
            guard !list.customerIDs.isEmpty else { throw .invalid("customerIDs", "a target list needs customers") }
            guard Set(list.customerIDs).count == list.customerIDs.count else { throw .invalid("customerIDs", "must not repeat a customer") }
            try notClosed(state)
            guard !state.targetLists.contains(where: { $0.id == list.id }) else {
                throw DomainError(.alreadyExists, field: "id", "the campaign already has that target list")
            }
            return [.targetsSelected(CampaignTargetsSelected(campaignID: id, list: list, by: context.actor, at: context.now))]

        case .recordMessage(let messageID, let listID, let customerID, let kind, let channel):
            let channel = try Validate.text(channel, field: "channel", max: 50)
            // The same message again records nothing; its id reused for another message (list, customer, kind or
            // channel) is a conflict, not a silent success.
            if let sent = state.messages.first(where: { $0.id == messageID }) {
                guard (sent.listID, sent.customerID, sent.kind, sent.channel) == (listID, customerID, kind, channel) else {
                    throw DomainError(.alreadyExists, field: "id", "another message has this id")
                }
                return []
            }
            try require(state.status == .executing, "messages are sent only while executing")
            guard let list = state.targetLists.first(where: { $0.id == listID }) else { throw .notFound("no such target list") }
            guard list.customerIDs.contains(customerID) else { throw .invalid("customerID", "the customer is not on the target list") }
            return [.messageSent(CampaignMessageSent(campaignID: id, message: SentMessage(
                id: messageID, listID: listID, customerID: customerID, kind: kind, channel: channel, sentAt: context.now)))]

        case .plan, .changePlan, .submitFeasibility, .approve, .sendBack, .start, .close:
            throw .transition("not an execution command")
        }
    }

    private static func notClosed(_ state: State) throws(DomainError) {
        try require(state.status != .closed, "the campaign is closed")
    }

    static func evolveExecution(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .workItemAssigned(let e):
            if let index = s.workItems.firstIndex(where: { $0.id == e.item.id }) {
                s.workItems[index] = e.item
            } else {
                s.workItems.append(e.item)
            }
        case .progressReported(let e):
            s.progress.append(e.report)
        case .costAdded(let e):
            s.costLines.append(e.line)
        case .materialRequested(let e):
            var material = Material(id: e.materialID, name: e.name, unit: e.unit, requested: e.quantity)
            material.requestedBy = e.by
            s.materials.append(material)
        case .materialAdvanced(let e):
            if let index = s.materials.firstIndex(where: { $0.id == e.materialID }) {
                switch e.stage {
                case .approved:
                    s.materials[index].approved += e.quantity
                    s.materials[index].declinedReason = nil
                case .purchased: s.materials[index].purchased += e.quantity
                case .consumed: s.materials[index].consumed += e.quantity
                }
            }
        case .materialDeclined(let e):
            if let index = s.materials.firstIndex(where: { $0.id == e.materialID }) {
                s.materials[index].declinedReason = e.reason
            }
        case .targetsSelected(let e):
            s.targetLists.append(e.list)
        case .messageSent(let e):
            s.messages.append(e.message)
        case .planned, .planChanged, .feasibilitySubmitted, .approved, .sentBack, .started, .closed:
            break
        }
        return s
    }
}
