import CRMDomain
import EventSourcing
import Foundation

// Service work: tasks, the contact log, visits, tickets and customer care (edits, appointments).
extension Simulation {
    typealias Step<A: Aggregate> = Flow<A>.Step

    /// Starts one activity for a random customer on day `d`; returns the events it will add inside the history.
    func startActivity(day d: Int) -> Int {
        guard let c = random.pick(created), let customer = customers[c] else { return 0 }
        let b = plan.customers[c].branch
        let t0 = plan.instant(branch: b, day: d, hours: random.double(in: 8.5..<18))
        guard t0 < plan.end else { return 0 }
        let before = pendingActivity
        let action: Action
        switch random.weighted([0.31, 0.46, 0.11, 0.055, 0.03, 0.035]) {
        case 0: action = .task(taskFlow(c, customer, b, t0))
        case 1: action = .contactLog(contactLogFlow(c, customer, b, t0))
        case 2: action = .visit(visitFlow(c, customer, b, t0))
        case 3: action = .ticket(ticketFlow(c, customer, b, t0))
        case 4:
            let (opportunity, quote) = opportunityFlows(c, customer, b, t0)
            if let quote, let first = quote.steps.first {
                schedule(.quote(quote), at: first.time)
            }
            action = .opportunity(opportunity)
        default:
            guard let care = careFlow(c, customer, b, t0) else { return 0 }
            action = .care(care)
        }
        schedule(action, at: t0)
        return pendingActivity - before
    }

    // MARK: Who

    func ownerActor(_ c: Int) -> String { plan.actors[plan.customers[c].owner] }
    func managerActor(_ b: Int) -> String { plan.actors[plan.managers[b]] }
    func agentActor(_ b: Int) -> String { plan.actors[random.pick(plan.agents[b]) ?? plan.managers[b]] }
    func text(_ items: [String]?) -> String { items.flatMap { random.pick($0) } ?? "General" }

    /// `base` plus a random delay in `range` seconds, moved into working hours, and never before `after`.
    func later(_ base: Double, _ range: Range<Double>, branch b: Int, after: Double? = nil) -> Double {
        let t = plan.workingTime(base + random.double(in: range), branch: b, random: &random)
        return max(t, (after ?? base) + 60)
    }

    // MARK: Tasks

    func taskFlow(_ c: Int, _ customer: CustomerRuntime, _ b: Int, _ t0: Double) -> Flow<WorkTask> {
        let id = recordIDs.next(at: date(t0))
        let kinds: [WorkTask.Kind] = [.followUp, .reminder, .supportRequest, .visit, .other]
        let kind = kinds[random.weighted([0.45, 0.15, 0.2, 0.1, 0.1])]
        let branch = plan.world.branches[b]
        let owner = ownerActor(c)
        let day = plan.day(of: t0, branch: b)
        let due = plan.instant(branch: b, day: day + random.int(in: 1...7), hours: 17 + random.unit())
        let details = WorkTask.Details(title: text(Catalog.taskTitles[kind]), note: random.chance(0.3) ? "Customer asked for a call before noon" : nil,
                                       customerID: customer.id, kind: kind, dueAt: date(due), branch: branch.name,
                                       reminderKind: kind == .reminder ? (random.chance(0.5) ? .birthday : .contractExpiry) : nil)
        var steps: [Step<WorkTask>] = []
        if random.chance(0.3) {
            let input = RoutingInput(branch: branch.name, community: customer.state.community, customerGroup: customer.state.group,
                                     customerOwner: owner)
            steps.append(.init(time: t0, actor: managerActor(b), command: .dispatchByRules(taskID: id, details: details, input: input,
                                                                                          rules: settings.routingRules)))
        } else {
            steps.append(.init(time: t0, actor: owner, command: .dispatch(taskID: id, details: details, assignee: owner)))
        }
        let accept = t0 + (due - t0) * random.double(in: 0.02..<0.2)
        let roll = random.unit()
        let note = text(Catalog.taskResults)
        if roll < 0.60 {
            steps.append(.init(time: accept, actor: owner, command: .accept))
            steps.append(.init(time: accept + (due - accept) * random.double(in: 0.1..<0.95), actor: owner, command: .complete(resultNote: note)))
        } else if roll < 0.74 {
            steps.append(.init(time: accept, actor: owner, command: .accept))
            steps.append(.init(time: later(due, 1800..<6 * 86_400, branch: b), actor: owner, command: .complete(resultNote: note)))
        } else if roll < 0.80 {
            let moveAt = accept + (due - accept) * 0.5
            let newDue = due + Double(random.int(in: 2...6)) * 86_400
            steps.append(.init(time: accept, actor: owner, command: .accept))
            steps.append(.init(time: moveAt, actor: owner, command: .reschedule(dueAt: date(newDue), reason: "Customer not available")))
            steps.append(.init(time: moveAt + (newDue - moveAt) * random.double(in: 0.2..<0.9), actor: owner, command: .complete(resultNote: note)))
        } else if roll < 0.84, let other = plan.accountManagers[b].map({ plan.actors[$0] }).first(where: { $0 != owner }) {
            let moveAt = t0 + (accept - t0) * 0.5
            steps.append(.init(time: moveAt, actor: managerActor(b), command: .reassign(to: other, reason: "Workload balancing")))
            steps.append(.init(time: accept, actor: other, command: .accept))
            steps.append(.init(time: accept + (due - accept) * random.double(in: 0.1..<0.9), actor: other, command: .complete(resultNote: note)))
        } else if roll < 0.90 {
            steps.append(.init(time: accept, actor: owner, command: .cancel(reason: "No longer needed")))
        } else if random.chance(0.5) {
            steps.append(.init(time: accept, actor: owner, command: .accept))  // then forgotten: overdue
        }
        return Flow(stream: WorkTask.stream(id), steps: steps)
    }

    // MARK: Contact log

    func contactLogFlow(_ c: Int, _ customer: CustomerRuntime, _ b: Int, _ t0: Double) -> Flow<ContactLogEntry> {
        let id = recordIDs.next(at: date(t0))
        let channels: [ContactChannel] = [.phone, .callCenter, .email, .walkIn, .web, .chat, .letter]
        let channel = channels[random.weighted([0.35, 0.25, 0.15, 0.08, 0.08, 0.06, 0.03])]
        let duration = channel == .email || channel == .letter || channel == .web ? 0 : random.int(in: 60...1800)
        let actor = random.chance(0.6) ? ownerActor(c) : agentActor(b)
        var details = ContactLogEntry.Details(
            contactID: random.pick(customer.contacts), channel: channel, subject: text(Catalog.logSubjects),
            occurredAt: date(t0 - Double(duration)), durationSeconds: duration,
            attachments: random.chance(0.1) ? ["doc-\(id.lowercasedString).pdf"] : [],
            note: random.chance(0.4) ? "Customer will call back if needed" : nil)
        var steps: [Step<ContactLogEntry>] = [.init(time: t0, actor: actor, command: .log(id: id, customerID: customer.id, details: details))]
        if random.chance(0.04) {
            details.note = "Corrected: the customer asked for a written confirmation"
            steps.append(.init(time: later(t0, 3600..<48 * 3600, branch: b), actor: actor, command: .amend(details)))
        }
        return Flow(stream: ContactLogEntry.stream(id), steps: steps)
    }

    // MARK: Visits

    func visitFlow(_ c: Int, _ customer: CustomerRuntime, _ b: Int, _ t0: Double) -> Flow<Visit> {
        let id = recordIDs.next(at: date(t0))
        let visitor = random.chance(0.9) ? ownerActor(c) : managerActor(b)
        let day = plan.day(of: t0, branch: b)
        var scheduled = plan.instant(branch: b, day: day + random.int(in: 1...14), hours: random.double(in: 9..<16))
        let contacts = Array(customer.contacts.prefix(1 + random.below(2)))
        let place = Names.address(plan.configuration.branches[b].names, &random)
        var steps: [Step<Visit>] = [.init(time: t0, actor: visitor, command: .plan(
            id: id, customerID: customer.id, visitor: visitor, scheduledAt: date(scheduled), contacts: contacts,
            agenda: text(Catalog.visitAgendas), place: place))]
        let roll = random.unit()
        if roll < 0.08 {
            steps.append(.init(time: t0 + (scheduled - t0) * random.double(in: 0.2..<0.9), actor: visitor, command: .cancel(reason: "Customer cancelled")))
            return Flow(stream: Visit.stream(id), steps: steps)
        }
        if roll < 0.18 {
            let moveAt = t0 + (scheduled - t0) * 0.5
            scheduled += Double(random.int(in: 1...7)) * 86_400
            steps.append(.init(time: moveAt, actor: visitor, command: .reschedule(to: date(scheduled), place: nil, reason: "Customer asked to move it")))
        }
        let done = scheduled + random.double(in: 3600..<9000)
        let topics = (0..<(1 + random.below(3))).compactMap { _ in random.pick(Catalog.visitTopics) }
        let actual = Visit.Actual(date: plan.localDate(of: scheduled, branch: b), place: place, contacts: contacts,
                                  topics: Array(Set(topics)).sorted(), summary: "Discussed \(topics.first ?? "the account"); next steps agreed")
        steps.append(.init(time: done, actor: visitor, command: .recordActual(actual)))
        let currency = plan.world.branches[b].currency
        let factor = Catalog.priceFactor(currency)
        if random.chance(0.65) {
            let line = Visit.CostLine(id: recordIDs.next(at: date(done)), kind: .transport, amount: Money(Decimal(random.int(in: 5...80)) * factor, currency))
            steps.append(.init(time: done + 600, actor: visitor, command: .addCostLine(line)))
            if random.chance(0.3) {
                let meal = Visit.CostLine(id: recordIDs.next(at: date(done)), kind: .entertainment,
                                          amount: Money(Decimal(random.int(in: 20...150)) * factor, currency), note: "Lunch with the customer")
                steps.append(.init(time: done + 900, actor: visitor, command: .addCostLine(meal)))
            }
        }
        return Flow(stream: Visit.stream(id), steps: steps)
    }

    // MARK: Tickets

    func ticketFlow(_ c: Int, _ customer: CustomerRuntime, _ b: Int, _ t0: Double) -> Flow<Ticket> {
        let id = recordIDs.next(at: date(t0))
        let kinds: [TicketKind] = [.faultRepair, .billingQuery, .consultation, .complaint, .praise, .suggestion]
        let kind = kinds[random.weighted([0.3, 0.3, 0.2, 0.12, 0.04, 0.04])]
        let severities: [TicketSeverity] = [.low, .normal, .high, .critical]
        let severity = severities[random.weighted([0.2, 0.55, 0.2, 0.05])]
        let channels: [ContactChannel] = [.callCenter, .web, .email, .phone, .walkIn, .chat]
        let channel = channels[random.weighted([0.4, 0.2, 0.15, 0.15, 0.05, 0.05])]
        let agent = agentActor(b)
        var steps: [Step<Ticket>] = [.init(time: t0, actor: agent, command: .open(
            id: id, channel: channel, kind: kind, severity: severity, customerID: customer.id, subject: text(Catalog.ticketSubjects[kind]),
            description: random.chance(0.5) ? "Reported by the customer via \(channel.rawValue)" : nil, department: "call-center",
            sla: settings.sla(kind: kind, severity: severity)))]
        var t = t0 + random.double(in: 300..<3600)
        steps.append(.init(time: t, actor: agent, command: .assign(assignee: agent)))
        t = later(t, 600..<4 * 3600, branch: b)
        steps.append(.init(time: t, actor: agent, command: .startWork))
        if severity < .critical, random.chance(0.1) {
            let higher = severities[min(severities.firstIndex(of: severity).map { $0 + 1 } ?? 3, 3)]
            t = later(t, 1800..<8 * 3600, branch: b)
            steps.append(.init(time: t, actor: managerActor(b), command: .changeSeverity(to: higher, sla: settings.sla(kind: kind, severity: higher),
                                                                                         reason: "Customer escalated")))
        }
        var worker = agent
        if random.chance(0.08) {
            t = later(t, 1800..<24 * 3600, branch: b)
            steps.append(.init(time: t, actor: agent, command: .handOver(toDepartment: "field-service", reason: "Needs a technician on site")))
            worker = agentActor(b)
            t = later(t, 600..<4 * 3600, branch: b)
            steps.append(.init(time: t, actor: managerActor(b), command: .assign(assignee: worker)))
            t = later(t, 600..<8 * 3600, branch: b)
            steps.append(.init(time: t, actor: worker, command: .startWork))
        }
        let maxHours = severity >= .high ? 12.0 : 72.0
        t = later(t, 1800..<maxHours * 3600, branch: b)
        steps.append(.init(time: t, actor: worker, command: .resolve(resolution: text(Catalog.resolutions))))
        if random.chance(0.85) {
            t = later(t, 3600..<3 * 86_400, branch: b)
            steps.append(.init(time: t, actor: worker, command: .close(satisfaction: [5, 5, 4, 4, 4, 3, 2, 1][random.below(8)], comment: nil)))
            if random.chance(0.03) {
                t = later(t, 86_400..<5 * 86_400, branch: b)
                steps.append(.init(time: t, actor: agent, command: .reopen(reason: "Problem came back")))
                t = later(t, 600..<4 * 3600, branch: b)
                steps.append(.init(time: t, actor: worker, command: .startWork))
                t = later(t, 3600..<48 * 3600, branch: b)
                steps.append(.init(time: t, actor: worker, command: .resolve(resolution: "Fixed for good")))
                t = later(t, 3600..<2 * 86_400, branch: b)
                steps.append(.init(time: t, actor: worker, command: .close(satisfaction: 3, comment: "Took two attempts")))
            }
        }
        return Flow(stream: Ticket.stream(id), steps: steps)
    }

    // MARK: Customer care

    func careFlow(_ c: Int, _ customer: CustomerRuntime, _ b: Int, _ t0: Double) -> CareFlow? {
        let owner = ownerActor(c)
        let form = forms[customer.state.group] ?? .empty(group: customer.state.group)
        if random.chance(0.5) {
            let others = plan.world.branches[b].communities.filter { $0 != customer.state.community }
            guard let community = random.pick(others) else { return nil }
            return CareFlow(customer: c, steps: [.init(time: t0, actor: owner, command: .edit(CustomerEdit(community: .set(community)), form: form))])
        }
        let appointment = recordIDs.next(at: date(t0))
        let at = plan.instant(branch: b, day: plan.day(of: t0, branch: b) + random.int(in: 1...10), hours: random.double(in: 9..<17))
        let kinds: [AppointmentKind] = [.onSiteService, .install, .move]
        var steps: [Flow<Customer>.Step] = [.init(time: t0, actor: owner, command: .scheduleAppointment(
            id: appointment, kind: kinds[random.weighted([0.7, 0.2, 0.1])], at: date(at),
            address: Names.address(plan.configuration.branches[b].names, &random), note: nil))]
        if random.chance(0.9) {
            steps.append(.init(time: at + 3600, actor: owner, command: .completeAppointment(id: appointment, note: "Done")))
        } else {
            steps.append(.init(time: t0 + (at - t0) * 0.5, actor: owner, command: .cancelAppointment(id: appointment, reason: "Customer away")))
        }
        return CareFlow(customer: c, steps: steps)
    }
}
