import CRMDomain
import EventSourcing
import Foundation

extension Customer360Projection {
    /// Opportunities, quotes, contracts, revenue and loyalty.
    func applySales(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try applySales(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func applySales<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        // Opportunities
        case let e as OpportunityOpened:
            try insert(Self.record(.opportunity, e.opportunityID, title: e.details.title, status: Opportunity.Status.open.rawValue,
                                   detail: e.stage, at: event.recordedAt, day: e.details.closeDate,
                                   amount: e.details.expectedRevenue, owner: e.owner),
                       customer: e.details.customerID, .openOpportunity, .oldestFirst(event.recordedAt), views: views)
        case let e as OpportunityAssigned: try modify(e.opportunityID, views: views) { $0.owner = e.owner; return nil }
        case let e as OpportunityStageChanged:
            try modify(e.opportunityID, views: views) { r in
                if let stage = e.change.new?.textValue { r.detail = stage }
                return nil
            }
        case let e as OpportunityEdited:
            try modify(e.opportunityID, views: views) { r in
                for c in e.changes {
                    switch (c.field, c.new) {
                    case ("title", let v?): r.title = v.textValue ?? r.title
                    case ("expectedRevenue", .money(let m)?): r.amount = m
                    case ("closeDate", .date(let d)?): r.day = d
                    default: break
                    }
                }
                return nil
            }
        case let e as OpportunityWon:
            try modify(e.opportunityID, views: views) { r in
                r.status = Opportunity.Status.won.rawValue
                r.detail = e.stage
                r.amount = e.expectedRevenue
                return (.closedOpportunity, .newestFirst(e.closedAt))
            }
        case let e as OpportunityLost:
            try modify(e.opportunityID, views: views) { r in
                r.status = Opportunity.Status.lost.rawValue
                r.detail = e.stage
                return (.closedOpportunity, .newestFirst(e.closedAt))
            }
        case let e as OpportunityReopened:
            try modify(e.opportunityID, views: views) { r in
                r.status = Opportunity.Status.open.rawValue
                r.detail = e.stage
                return (.openOpportunity, .oldestFirst(r.at ?? event.recordedAt))
            }
        case let e as OpportunityContactsAdded:
            try modify(e.opportunityID, views: views) { r in
                let named = r.contacts ?? []
                r.contacts = named + e.contactIDs.filter { !named.contains($0) }
                return nil
            }
        case let e as OpportunityContactsRemoved:
            try modify(e.opportunityID, views: views) { r in
                let left = (r.contacts ?? []).filter { !e.contactIDs.contains($0) }
                r.contacts = left.isEmpty ? nil : left
                return nil
            }
        // Quotes
        case let e as QuoteCreated:
            try insert(Self.record(.quote, e.quoteID, title: e.number, status: Self.status(of: e.revision).rawValue,
                                   at: e.revision.createdAt, day: e.revision.draft.validUntil, amount: Self.total(e.revision.draft),
                                   owner: e.revision.author),
                       customer: e.customerID, .openQuote, .oldestFirst(e.revision.createdAt), views: views)
        case let e as QuoteRevised:
            try modify(e.quoteID, views: views) { r in
                r.status = Self.status(of: e.revision).rawValue
                r.amount = Self.total(e.revision.draft)
                r.day = e.revision.draft.validUntil
                return nil
            }
        case let e as QuoteApproved: try modify(e.quoteID, views: views) { $0.status = Quote.Status.approved.rawValue; return nil }
        case let e as QuoteSentBack: try modify(e.quoteID, views: views) { $0.status = Quote.Status.sentBack.rawValue; return nil }
        case let e as QuoteSent: try modify(e.quoteID, views: views) { $0.status = Quote.Status.sent.rawValue; return nil }
        case let e as QuoteAccepted:
            try modify(e.quoteID, views: views) { r in
                r.status = Quote.Status.accepted.rawValue
                r.amount = e.total
                return (.closedQuote, .newestFirst(e.acceptedAt))
            }
        case let e as QuoteRejected:
            try modify(e.quoteID, views: views) { r in
                r.status = Quote.Status.rejected.rawValue
                return (.closedQuote, .newestFirst(e.rejectedAt))
            }
        // Contracts
        case let e as ContractDrafted:
            var record = Self.record(.contract, e.contractID, title: e.title, status: Contract.Status.draft.rawValue,
                                     detail: e.quoteNumber, at: e.draftedAt, day: e.terms.expiry, amount: Self.total(e.lines),
                                     owner: e.owner)
            record.products = Self.products(e.lines)
            try insert(record, customer: e.customerID, .contract, .oldestFirst(e.draftedAt), views: views)
        case let e as ContractLinesChanged:
            try modify(e.contractID, views: views) { r in
                r.amount = Self.total(e.lines)
                r.products = Self.products(e.lines)
                return nil
            }
        case let e as ContractTermsChanged: try modify(e.contractID, views: views) { $0.day = e.terms.expiry; return nil }
        case let e as ContractNegotiationRecorded: try setContract(e.contractID, .negotiating, views: views)
        case let e as ContractSubmittedForApproval: try setContract(e.contractID, .pendingApproval, views: views)
        case let e as ContractApproved: try setContract(e.contractID, .approved, views: views)
        case let e as ContractSentBack: try setContract(e.contractID, .negotiating, views: views)
        case let e as ContractActivated: try setContract(e.contractID, .active, views: views)
        case let e as ContractRenewed:
            try modify(e.contractID, views: views) { r in
                r.status = Contract.Status.active.rawValue
                r.day = e.expiry
                return (.contract, .oldestFirst(r.at ?? e.at))
            }
        case let e as ContractExpired:
            try modify(e.contractID, views: views) { r in
                r.status = Contract.Status.expired.rawValue
                return (.endedContract, .newestFirst(e.recordedAt))
            }
        case let e as ContractTerminated:
            try modify(e.contractID, views: views) { r in
                r.status = Contract.Status.terminated.rawValue
                return (.endedContract, .newestFirst(e.at))
            }
        case let e as ContractCancelled:
            try modify(e.contractID, views: views) { r in
                r.status = Contract.Status.cancelled.rawValue
                return (.endedContract, .newestFirst(e.at))
            }
        // Revenue and loyalty
        case let e as RevenueEntryRecorded: try addRevenue([e.entry], views: views)
        case let e as RevenueEntryReversed: try addRevenue([e.reversal], views: views)
        case let e as BillingBatchImported: try addRevenue(e.entries, views: views)
        case let e as PointsAccrued: try addPoints(e.points, customer: e.customerID, views: views)
        case let e as PointsRedeemed: try addPoints(-e.points, customer: e.customerID, views: views)
        case let e as PointsExpired: try addPoints(-e.points, customer: e.customerID, views: views)
        case let e as PointsClawedBack: try addPoints(-e.points, customer: e.customerID, views: views)
        default:
            return
        }
    }

    private func setContract(_ id: UUID, _ status: Contract.Status, views: any ViewWriter) throws {
        try modify(id, views: views) { $0.status = status.rawValue; return nil }
    }

    private func addRevenue(_ entries: [RevenueLedger.Entry], views: any ViewWriter) throws {
        for entry in entries {
            let key = Self.key(entry.customerID, .revenue, .none) + ViewKey().string(entry.amount.currency.rawValue).bytes
            try views.update(Money.self, forKey: key, in: Self.parts) { old in
                Money((old?.amount ?? 0) + entry.amount.amount, entry.amount.currency)
            }
        }
    }

    private func addPoints(_ points: Int, customer: UUID, views: any ViewWriter) throws {
        try views.update(Int.self, forKey: Self.key(customer, .loyalty), in: Self.parts) { ($0 ?? 0) + points }
    }

    /// A contract's lines as its summary keeps them (product, name, quantity); nil for none.
    static func products(_ lines: [Contract.Line]) -> [RelatedRecord.Product]? {
        lines.isEmpty ? nil : lines.map { RelatedRecord.Product(productID: $0.productID, name: $0.name, quantity: $0.quantity) }
    }

    static func status(of revision: QuoteRevision) -> Quote.Status { revision.needsApproval ? .pendingApproval : .approved }

    static func total(_ draft: QuoteDraft) -> Money? { draft.currency.map { Money(draft.total, $0) } }

    static func total(_ lines: [Contract.Line]) -> Money? {
        guard let currency = lines.first?.unitPrice.currency else { return nil }
        return Money(lines.reduce(Decimal(0)) { $0 + $1.amount.amount }, currency)
    }
}
