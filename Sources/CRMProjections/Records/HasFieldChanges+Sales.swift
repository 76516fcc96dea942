import CRMDomain
import Foundation

// Sales records (R-LOG-5): opportunities, quotes, contracts, products, revenue, loyalty points and campaigns.
// A creation names every field it starts with (∅ → value); a status transition names the status old → new
// when the state machine fixes the status it comes from, else only the new one (old nil); a reason, note or
// amount given with it is named from nothing.

private func status(_ old: String?, _ new: String) -> FieldChange {
    FieldChange(field: "status", old: old.map(FieldValue.option), new: .option(new))
}

// MARK: Opportunities

/// A new opportunity: its details, pipeline, stage, owner and status `open`.
extension OpportunityOpened: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("title", nil, .text(details.title))
        c.record("source", nil, .option(details.source))
        c.record("expectedRevenue", nil, .money(details.expectedRevenue))
        c.record("closeDate", nil, .date(details.closeDate))
        c.record("pipeline", nil, .text(pipeline.name))
        c.record("stage", nil, .option(stage))
        c.record("owner", nil, .text(owner))
        c.record("status", nil, .option(Opportunity.Status.open.rawValue))
        return c
    }
}
/// Won from `open` (only an open opportunity is won), with the reason.
extension OpportunityWon: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Opportunity.Status.open.rawValue, Opportunity.Status.won.rawValue), FieldChange(field: "closeReason", old: nil, new: .text(reason))]
    }
}
/// Lost from `open`, with the reason.
extension OpportunityLost: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Opportunity.Status.open.rawValue, Opportunity.Status.lost.rawValue), FieldChange(field: "closeReason", old: nil, new: .text(reason))]
    }
}
/// Reopened from won or lost (in the payload) at a stage, with the reason.
extension OpportunityReopened: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(previousStatus.rawValue, Opportunity.Status.open.rawValue), FieldChange(field: "stage", old: nil, new: .option(stage)),
         FieldChange(field: "reopenReason", old: nil, new: .text(reason))]
    }
}
/// Contacts named (`contacts.<contact id>`: ∅ → the id) and no longer named (the id → ∅).
extension OpportunityContactsAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] { contactIDs.map { FieldChange(field: "contacts.\($0.lowercasedString)", old: nil, new: .id($0)) } }
}
extension OpportunityContactsRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { contactIDs.map { FieldChange(field: "contacts.\($0.lowercasedString)", old: .id($0), new: nil) } }
}

// MARK: Quotes

/// A quote line as the history shows it: `<product> × <quantity> @ <unit price> −<discount>%`.
private func describe(_ line: QuoteLine) -> String {
    "\(line.productName) × \(line.quantity) @ \(line.unitPrice)" + (line.discountPercent == 0 ? "" : " −\(line.discountPercent)%")
}

/// A revision's terms (`lines`, `discountPercent`, `total`, `validUntil`, `note`) old → new against the
/// revision it replaces, `previous` — only the terms that changed — or each from nothing when there is none
/// (a creation) or it is not known; and the status the revision takes, from nothing (the status it leaves
/// varies: pending, sent back, approved …).
private func revisionFields(_ revision: QuoteRevision, replacing previous: QuoteRevision?, into c: inout [FieldChange]) {
    func total(_ draft: QuoteDraft) -> FieldValue? { draft.currency.map { .money(Money(draft.total, $0)) } }
    let old = previous?.draft
    c.record("lines", old.map { .list($0.lines.map(describe)) }, .list(revision.draft.lines.map(describe)))
    c.record("discountPercent", old.map { .number($0.discountPercent) }, .number(revision.draft.discountPercent))
    c.record("total", old.flatMap(total), total(revision.draft))
    c.record("validUntil", old?.validUntil.map(FieldValue.date), revision.draft.validUntil.map(FieldValue.date))
    c.record("note", old?.note.map(FieldValue.text), revision.draft.note.map(FieldValue.text))
    c.record("status", nil, .option((revision.needsApproval ? Quote.Status.pendingApproval : .approved).rawValue))
}

/// A new quote: its number and first revision's content and status.
extension QuoteCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "number", old: nil, new: .text(number)),
                                FieldChange(field: "revision", old: nil, new: .number(Decimal(revision.number)))]
        revisionFields(revision, replacing: nil, into: &c)
        return c
    }
}
/// A new revision: its number old → new (always the next), its terms old → new and the status it takes (from
/// nothing: the status it leaves varies). The payload holds the new revision only: the history read gives the
/// revision it replaced (``fieldChanges(replacing:)``, from the quote's earlier `QuoteCreated` / `QuoteRevised`);
/// without it (``fieldChanges``) every term is from nothing.
extension QuoteRevised: HasFieldChanges {
    public var fieldChanges: [FieldChange] { fieldChanges(replacing: nil) }

    /// The changes against `previous`, the revision this one replaced (number n − 1; another one, or nil,
    /// shows every term from nothing): only the terms that changed, old → new.
    public func fieldChanges(replacing previous: QuoteRevision?) -> [FieldChange] {
        var c: [FieldChange] = []
        c.record("revision", .number(Decimal(revision.number - 1)), .number(Decimal(revision.number)))
        revisionFields(revision, replacing: previous?.number == revision.number - 1 ? previous : nil, into: &c)
        return c
    }
}
/// Approved from `pendingApproval`, with the approver's role and the discount approved.
extension QuoteApproved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Quote.Status.pendingApproval.rawValue, Quote.Status.approved.rawValue),
         FieldChange(field: "approverRole", old: nil, new: .text(approverRole)),
         FieldChange(field: "approvedDiscountPercent", old: nil, new: .number(discountPercent))]
    }
}
/// Sent back from `pendingApproval`, with the reason.
extension QuoteSentBack: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Quote.Status.pendingApproval.rawValue, Quote.Status.sentBack.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
/// Sent from `approved`.
extension QuoteSent: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(Quote.Status.approved.rawValue, Quote.Status.sent.rawValue)] }
}
/// Accepted (from approved or sent: not in the payload, so the new status only) at its total.
extension QuoteAccepted: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(nil, Quote.Status.accepted.rawValue), FieldChange(field: "acceptedTotal", old: nil, new: .money(total))] }
}
/// Rejected (from approved or sent: the new status only), with the reason.
extension QuoteRejected: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(nil, Quote.Status.rejected.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))] }
}

// MARK: Contracts

/// A contract line as the history shows it: `<product> × <quantity> @ <unit price>`.
private func describe(_ line: Contract.Line) -> String { "\(line.name) × \(line.quantity) @ \(line.unitPrice)" }

/// A new contract: every field it starts with, and status `draft`.
extension ContractDrafted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("title", nil, .text(title))
        c.record("owner", nil, .text(owner))
        c.record("branch", nil, branch.map(FieldValue.text))
        c.record("quoteNumber", nil, .text(quoteNumber))
        c.record("lines", nil, .list(lines.map(describe)))
        c.record("effective", nil, .date(terms.effective))
        c.record("serviceStart", nil, .date(terms.serviceStart))
        c.record("expiry", nil, .date(terms.expiry))
        c.record("renewalTermMonths", nil, terms.renewalTermMonths.map { .number(Decimal($0)) })
        c.record("status", nil, .option(Contract.Status.draft.rawValue))
        return c
    }
}
/// The product lines old → new.
extension ContractLinesChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("lines", .list(previousLines.map(describe)), .list(lines.map(describe)))
        return c
    }
}
/// A negotiation note; the contract is `negotiating` after it (from draft or negotiating: the new status only).
extension ContractNegotiationRecorded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, Contract.Status.negotiating.rawValue), FieldChange(field: "negotiationNote", old: nil, new: .text(negotiation.note))]
    }
}
/// Submitted (from draft or negotiating: the new status only).
extension ContractSubmittedForApproval: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(nil, Contract.Status.pendingApproval.rawValue)] }
}
/// Approved from `pendingApproval`, with the approver's note.
extension ContractApproved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = [status(Contract.Status.pendingApproval.rawValue, Contract.Status.approved.rawValue)]
        c.record("approvalNote", nil, note.map(FieldValue.text))
        return c
    }
}
/// Sent back from `pendingApproval` to `negotiating`, with the reason.
extension ContractSentBack: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Contract.Status.pendingApproval.rawValue, Contract.Status.negotiating.rawValue), FieldChange(field: "sentBackReason", old: nil, new: .text(reason))]
    }
}
/// Activated from `approved`.
extension ContractActivated: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(Contract.Status.approved.rawValue, Contract.Status.active.rawValue)] }
}
/// Expired from `active`.
extension ContractExpired: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(Contract.Status.active.rawValue, Contract.Status.expired.rawValue)] }
}
/// Terminated (from approved or active: the new status only), with the reason and the last day of service.
extension ContractTerminated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, Contract.Status.terminated.rawValue), FieldChange(field: "terminationReason", old: nil, new: .text(termination.reason)),
         FieldChange(field: "lastDay", old: nil, new: .date(termination.date))]
    }
}
/// Cancelled (from draft, negotiating or pending approval: the new status only), with the reason.
extension ContractCancelled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, Contract.Status.cancelled.rawValue), FieldChange(field: "cancellationReason", old: nil, new: .text(reason))]
    }
}

// MARK: Products

/// A new product: its line, name, standard price and status `active`.
extension ProductCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "productLine", old: nil, new: .text(productLine)), FieldChange(field: "name", old: nil, new: .text(name)),
         FieldChange(field: "standardPrice", old: nil, new: .money(standardPrice)), status(nil, Product.Status.active.rawValue)]
    }
}
/// Retired from `active`, with the reason.
extension ProductRetired: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = [status(Product.Status.active.rawValue, Product.Status.retired.rawValue)]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}
/// Offered again: `retired` → `active`.
extension ProductReactivated: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(Product.Status.retired.rawValue, Product.Status.active.rawValue)] }
}
/// A milestone's planned date (`milestones.<name>.planned`), old → new when moved.
extension ProductMilestonePlanned: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("milestones.\(name).planned", previousPlannedDate.map(FieldValue.date), .date(plannedDate))
        return c
    }
}
/// A milestone reached: its actual date, timing against the plan and the delay's reason.
extension ProductMilestoneReached: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "milestones.\(name).actual", old: nil, new: .date(actualDate)),
                                FieldChange(field: "milestones.\(name).timing", old: nil, new: .option(timing.rawValue))]
        c.record("milestones.\(name).delayReason", nil, delayReason.map(FieldValue.text))
        return c
    }
}
/// A document's new version (`documents.<title>.version`: the number, its address).
extension ProductDocumentVersionAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "documents.\(document.title).version", old: nil, new: .number(Decimal(document.version))),
         FieldChange(field: "documents.\(document.title).uri", old: nil, new: .text(document.uri))]
    }
}

// MARK: Revenue and usage (one ledger per customer: each entry's fields under `entries.<entry id>.`)

private func entryFields(_ entry: RevenueLedger.Entry, into c: inout [FieldChange]) {
    let path = "entries.\(entry.id.lowercasedString)."
    c.record(path + "chargeItem", nil, .text(entry.chargeItem))
    c.record(path + "businessLine", nil, .text(entry.businessLine))
    c.record(path + "productID", nil, entry.productID.map(FieldValue.id))
    c.record(path + "date", nil, .date(entry.date))
    c.record(path + "amount", nil, .money(entry.amount))
    c.record(path + "reversalOf", nil, entry.reversalOf.map(FieldValue.id))
    c.record(path + "note", nil, entry.note.map(FieldValue.text))
}
private func readingFields(_ reading: RevenueLedger.UsageReading, into c: inout [FieldChange]) {
    let path = "readings.\(reading.id.lowercasedString)."
    c.record(path + "meter", nil, .text(reading.meter))
    c.record(path + "periodStart", nil, .date(reading.periodStart))
    c.record(path + "periodEnd", nil, .date(reading.periodEnd))
    c.record(path + "quantity", nil, .number(reading.quantity))
    c.record(path + "unit", nil, .text(reading.unit))
}

/// A new entry's fields.
extension RevenueEntryRecorded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        entryFields(entry, into: &c)
        return c
    }
}
/// The reversing entry's fields (its `reversalOf` the original, the amount negated) and the reason; the
/// original stays as it was.
extension RevenueEntryReversed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        entryFields(reversal, into: &c)
        c.record("entries.\(reversal.id.lowercasedString).reason", nil, .text(reason))
        return c
    }
}
/// A new reading's fields.
extension UsageReadingRecorded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        readingFields(reading, into: &c)
        return c
    }
}
/// The batch (`batches.<system>`: its batch id) and every entry and reading it brought.
extension BillingBatchImported: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "batches.\(source.system)", old: nil, new: .text(source.batchID))]
        for entry in entries { entryFields(entry, into: &c) }
        for reading in readings { readingFields(reading, into: &c) }
        return c
    }
}

// MARK: Loyalty points (one account per customer: each lot under `lots.<lot id>.`, each draw its points off a lot)

private func drawFields(_ draws: [LotDraw], into c: inout [FieldChange]) {
    for draw in draws { c.record("lots.\(draw.lotID.lowercasedString).drawn", nil, .number(Decimal(draw.points))) }
}

/// A new lot: its points, source and reference, reason, day earned and expiry.
extension PointsAccrued: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "lots.\(lotID.lowercasedString)."
        var c: [FieldChange] = []
        c.record(path + "points", nil, .number(Decimal(points)))
        c.record(path + "source", nil, .option(source.rawValue))
        c.record(path + "sourceReference", nil, .text(sourceReference))
        c.record(path + "reason", nil, .text(reason))
        c.record(path + "earnedOn", nil, .date(earnedOn))
        c.record(path + "expiresOn", nil, expiresOn.map(FieldValue.date))
        return c
    }
}
/// A redemption: its points and reason, and the points drawn off each lot.
extension PointsRedeemed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "redemptions.\(redemptionID.lowercasedString)."
        var c: [FieldChange] = [FieldChange(field: path + "points", old: nil, new: .number(Decimal(points))),
                                FieldChange(field: path + "reason", old: nil, new: .text(reason))]
        drawFields(draws, into: &c)
        return c
    }
}
/// Points taken back: how many, why, and off which lot.
extension PointsClawedBack: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "clawbacks.\(clawbackID.lowercasedString)."
        var c: [FieldChange] = [FieldChange(field: path + "points", old: nil, new: .number(Decimal(points))),
                                FieldChange(field: path + "reason", old: nil, new: .text(reason))]
        drawFields(draws, into: &c)
        return c
    }
}
/// Points expired on a day, off each lot.
extension PointsExpired: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "expired.\(asOf)", old: nil, new: .number(Decimal(points)))]
        drawFields(draws, into: &c)
        return c
    }
}

// MARK: Campaigns

/// A new campaign: its plan and status `planned`.
extension CampaignPlanned: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "name", old: nil, new: .text(name)), FieldChange(field: "objective", old: nil, new: .text(objective)),
         FieldChange(field: "owner", old: nil, new: .text(owner)), FieldChange(field: "budget", old: nil, new: .money(budget)),
         FieldChange(field: "start", old: nil, new: .date(start)), FieldChange(field: "end", old: nil, new: .date(end)),
         status(nil, Campaign.Status.planned.rawValue)]
    }
}
/// To feasibility review from `planned`, with the study.
extension CampaignFeasibilitySubmitted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Campaign.Status.planned.rawValue, Campaign.Status.feasibility.rawValue), FieldChange(field: "study", old: nil, new: .text(study))]
    }
}
/// Approved from `feasibility`, with the note.
extension CampaignApproved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = [status(Campaign.Status.feasibility.rawValue, Campaign.Status.approved.rawValue)]
        c.record("approvalNote", nil, note.map(FieldValue.text))
        return c
    }
}
/// Sent back from `feasibility` to `planned`, with the reason.
extension CampaignSentBack: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Campaign.Status.feasibility.rawValue, Campaign.Status.planned.rawValue), FieldChange(field: "sentBackReason", old: nil, new: .text(reason))]
    }
}
/// Started from `approved`.
extension CampaignStarted: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(Campaign.Status.approved.rawValue, Campaign.Status.executing.rawValue)] }
}
/// A work item's assignment (`workItems.<id>.`), old → new on a reassignment.
extension CampaignWorkItemAssigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "workItems.\(item.id.lowercasedString)."
        var c: [FieldChange] = []
        c.record(path + "title", previous.map { .text($0.title) }, .text(item.title))
        c.record(path + "department", previous.map { .text($0.department) }, .text(item.department))
        c.record(path + "team", previous?.team.map(FieldValue.text), item.team.map(FieldValue.text))
        c.record(path + "person", previous?.person.map(FieldValue.text), item.person.map(FieldValue.text))
        return c
    }
}
/// Progress on a work item: its percent (the previous report's is not in the payload) and the note.
extension CampaignProgressReported: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "workItems.\(report.workItemID.lowercasedString)."
        var c: [FieldChange] = [FieldChange(field: path + "percent", old: nil, new: .number(Decimal(report.percent)))]
        c.record(path + "progressNote", nil, report.note.map(FieldValue.text))
        return c
    }
}
/// A cost line (`costs.<id>.`).
extension CampaignCostAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "costs.\(line.id.lowercasedString)."
        return [FieldChange(field: path + "description", old: nil, new: .text(line.description)),
                FieldChange(field: path + "amount", old: nil, new: .money(line.amount)), FieldChange(field: path + "date", old: nil, new: .date(line.date))]
    }
}
/// A material request (`materials.<id>.`).
extension CampaignMaterialRequested: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "materials.\(materialID.lowercasedString)."
        return [FieldChange(field: path + "name", old: nil, new: .text(name)), FieldChange(field: path + "unit", old: nil, new: .text(unit)),
                FieldChange(field: path + "requested", old: nil, new: .number(quantity))]
    }
}
/// A quantity approved, purchased or consumed (`materials.<id>.<stage>`: the quantity of this step).
extension CampaignMaterialAdvanced: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "materials.\(materialID.lowercasedString).\(stage.rawValue)", old: nil, new: .number(quantity))]
    }
}
/// A material request declined, with the reason.
extension CampaignMaterialDeclined: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "materials.\(materialID.lowercasedString).declineReason", old: nil, new: .text(reason))] }
}
/// A target list (`targetLists.<id>.`): its segment, criteria and how many customers it holds.
extension CampaignTargetsSelected: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "targetLists.\(list.id.lowercasedString)."
        var c: [FieldChange] = []
        c.record(path + "segment", nil, list.segment.map(FieldValue.text))
        c.record(path + "criteria", nil, .text(list.criteria))
        c.record(path + "customers", nil, .number(Decimal(list.customerIDs.count)))
        return c
    }
}
/// A message sent (`messages.<id>.`): to whom, of which kind, over which channel.
extension CampaignMessageSent: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "messages.\(message.id.lowercasedString)."
        return [FieldChange(field: path + "customer", old: nil, new: .id(message.customerID)),
                FieldChange(field: path + "kind", old: nil, new: .option(message.kind.rawValue)),
                FieldChange(field: path + "channel", old: nil, new: .text(message.channel))]
    }
}
/// Closed from `executing`, with its summary and actual cost.
extension CampaignClosed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Campaign.Status.executing.rawValue, Campaign.Status.closed.rawValue),
         FieldChange(field: "responses", old: nil, new: .number(Decimal(summary.responses))),
         FieldChange(field: "salesEffect", old: nil, new: .money(summary.salesEffect)),
         FieldChange(field: "summaryNote", old: nil, new: .text(summary.note)),
         FieldChange(field: "actualCost", old: nil, new: .money(actualCost))]
    }
}
