import CRMDomain
import EventSourcing
import Foundation

// Sales: opportunities through the pipeline, with a quote for those that reach the sales stage.
extension Simulation {
    func opportunityFlows(_ c: Int, _ customer: CustomerRuntime, _ b: Int, _ t0: Double) -> (Flow<Opportunity>, Flow<Quote>?) {
        let id = recordIDs.next(at: date(t0))
        let owner = ownerActor(c)
        let manager = managerActor(b)
        let branch = plan.world.branches[b]
        let factor = Catalog.priceFactor(branch.currency)
        let scale = customer.state.group == "residential" ? 1 : (customer.state.group == "business" ? 10 : 50)
        let revenue = Money(Decimal(random.int(in: 1...40) * 500 * scale) * factor, branch.currency)
        let day = plan.day(of: t0, branch: b)
        let closeDate = plan.localDates[min(day + random.int(in: 30...120), plan.localDates.count - 1)]
        let details = Opportunity.Details(customerID: customer.id, title: text(Catalog.opportunityTitles), source: text(Catalog.opportunitySources),
                                          expectedRevenue: revenue, closeDate: closeDate)
        var steps: [Step<Opportunity>] = [.init(time: t0, actor: owner, command: .open(opportunityID: id, details: details, pipeline: .default,
                                                                                      stage: nil, owner: owner))]
        var t = later(t0, 3600..<5 * 3600, branch: b)
        steps.append(.init(time: t, actor: manager, command: .suggestWinProbability(Decimal(random.int(in: 2...8) * 10))))
        let outcome = random.weighted([0.35, 0.4, 0.25])  // won, lost, still open
        let stages = Pipeline.default.stages
        let reach = outcome == 0 ? 3 : random.int(in: 0...3)
        for stage in stages.dropFirst().prefix(reach) {
            t = later(t, 2 * 86_400..<15 * 86_400, branch: b)
            steps.append(.init(time: t, actor: owner, command: .moveToStage(stage)))
            if random.chance(0.1) {
                steps.append(.init(time: t + 300, actor: owner, command: .overrideWinProbability(Decimal(random.int(in: 3...9) * 10),
                                                                                                 reason: "Customer signalled interest")))
                t += 300
            }
        }
        var quote: Flow<Quote>?
        if reach == 3, outcome != 2 || random.chance(0.5) {
            let (flow, answered) = quoteFlow(c, customer, b, after: t, accepted: outcome == 0)
            quote = flow
            t = max(t, answered)
        }
        switch outcome {
        case 0:
            t = later(t, 86_400..<3 * 86_400, branch: b)
            steps.append(.init(time: t, actor: owner, command: .win(reason: text(Catalog.wonReasons))))
        case 1:
            t = later(t, 2 * 86_400..<20 * 86_400, branch: b)
            steps.append(.init(time: t, actor: owner, command: .lose(reason: text(Catalog.lostReasons))))
        default:
            break
        }
        return (Flow(stream: Opportunity.stream(id), steps: steps), quote)
    }

    /// A quote from the catalog of the branch's currency; over the author's 15 % limit it waits for the
    /// branch manager's approval. Returns the flow and when the customer answers.
    private func quoteFlow(_ c: Int, _ customer: CustomerRuntime, _ b: Int, after: Double, accepted: Bool) -> (Flow<Quote>, Double) {
        let owner = ownerActor(c)
        let manager = managerActor(b)
        var t = later(after, 86_400..<3 * 86_400, branch: b)
        let id = recordIDs.next(at: date(t))
        var lines: [QuoteLine] = []
        let refs = products[b]
        let needsApproval = random.chance(0.3)
        for _ in 0..<(1 + random.below(3)) {
            guard let product = random.pick(refs), !lines.contains(where: { $0.productID == product.id }) else { continue }
            lines.append(QuoteLine(productID: product.id, productName: product.name, unitPrice: product.price,
                                   quantity: Decimal(random.int(in: 1...10)), discountPercent: !needsApproval && random.chance(0.2) ? 5 : 0))
        }
        let discount = Decimal(needsApproval ? [18, 20, 25][random.below(3)] : [0, 0, 5, 10][random.below(4)])
        let validUntil = plan.localDate(of: t, branch: b).adding(days: 30)
        let draft = QuoteDraft(lines: lines, discountPercent: discount, validUntil: validUntil, note: nil)
        let limits = settings.effectiveDiscountLimits
        // The author acts as the branch's account manager, the approver as its branch manager (their limits).
        let roles = Plan.roleNames(branch: plan.world.branches[b].name)
        var sequence = 1
        if var runtime = customers[c] {
            runtime.quotes += 1
            sequence = (runtime.quotes - 1) % 999 + 1
            customers[c] = runtime
        }
        var steps: [Step<Quote>] = [.init(time: t, actor: owner, command: .create(
            quoteID: id, customerID: customer.id, customerCode: customer.code, date: plan.localDate(of: t, branch: b), sequence: sequence,
            draft: draft, authorRole: roles[1], limits: limits))]
        if needsApproval {
            t = later(t, 2 * 3600..<2 * 86_400, branch: b)
            steps.append(.init(time: t, actor: manager, command: .approve(approverRole: roles[0], limits: limits)))
        }
        t = later(t, 3600..<86_400, branch: b)
        steps.append(.init(time: t, actor: owner, command: .send))
        t = later(t, 2 * 86_400..<14 * 86_400, branch: b)
        steps.append(.init(time: t, actor: owner, command: accepted ? .accept : .reject(reason: text(Catalog.lostReasons))))
        return (Flow(stream: Quote.stream(id), steps: steps), t)
    }
}
