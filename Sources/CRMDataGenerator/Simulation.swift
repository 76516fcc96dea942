import CRMDomain
import EventSourcing
import Foundation

/// A planned run of commands on one record: each step is decided at its time against the state the earlier
/// steps left. The flow travels through the agenda, so a record's state lives only while it has work ahead.
struct Flow<A: Aggregate> {
    struct Step {
        var time: Double
        var actor: String
        var command: A.Command
    }

    var stream: StreamID
    var state: A.State = A.initialState
    var version: UInt64 = 0
    var steps: [Step]
    var next = 0

    init(stream: StreamID, steps: [Step]) {
        self.stream = stream
        self.steps = steps
    }

    /// Steps still to run before `end`: the events the flow will add to the history.
    func remaining(before end: Double) -> Int {
        var count = 0
        for i in next..<steps.count where steps[i].time < end { count += 1 }
        return count
    }
}

/// Customer-stream steps (edits, appointments): the customer's state lives in the roster, not in the flow.
struct CareFlow {
    var customer: Int
    var steps: [Flow<Customer>.Step]
    var next = 0
}

/// Work waiting in the agenda.
indirect enum Action {
    case createCustomer(Int)
    case addContact(customer: Int, primary: Bool)
    case addInstallation(Int)
    case activate(Int)
    case bill(customer: Int, month: Int)
    case care(CareFlow)
    case task(Flow<WorkTask>)
    case contactLog(Flow<ContactLogEntry>)
    case visit(Flow<Visit>)
    case ticket(Flow<Ticket>)
    case opportunity(Flow<Opportunity>)
    case quote(Flow<Quote>)

    /// The events an activity still owes the history before `end` (0 for onboarding and billing, which the
    /// plan counts up front).
    func pendingEvents(before end: Double) -> Int {
        switch self {
        case .createCustomer, .addContact, .addInstallation, .activate, .bill: return 0
        case .care(let f):
            var count = 0
            for i in f.next..<f.steps.count where f.steps[i].time < end { count += 1 }
            return count
        case .task(let f): return f.remaining(before: end)
        case .contactLog(let f): return f.remaining(before: end)
        case .visit(let f): return f.remaining(before: end)
        case .ticket(let f): return f.remaining(before: end)
        case .opportunity(let f): return f.remaining(before: end)
        case .quote(let f): return f.remaining(before: end)
        }
    }

    var isActivity: Bool {
        switch self {
        case .createCustomer, .addContact, .addInstallation, .activate, .bill: return false
        default: return true
        }
    }
}

/// A customer of the roster once created: the state its later commands need.
struct CustomerRuntime {
    var id: UUID
    var state: Customer.State
    var version: UInt64
    var ledgerVersion: UInt64 = 0
    var contacts: [UUID] = []
    var meter: String?
    var code: String
    var quotes = 0
}

/// A catalog product as quotes and revenue entries use it.
struct ProductRef {
    var id: UUID
    var name: String
    var line: String
    var chargeItem: String
    var price: Money
}

/// The running simulation behind a ``HistoryGenerator/BatchIterator``: the agenda of timed work, the state
/// of the organisation, settings, forms, products and customers, and the budget control that lands the
/// history on its target size.
final class Simulation {
    let plan: Plan
    var random: SeededRandom
    var eventIDs: IDFactory
    var recordIDs: IDFactory
    var agenda = Agenda<Action>()
    private var output: [[StreamAppend]] = []
    private var outputIndex = 0
    private var started = false
    private var nextDay = 0
    private var rosterCursor = 0
    private var carry = 0.0
    /// The time of the work being done now; nothing is scheduled before it.
    var clock: Double
    private var inActivity = false

    private(set) var emitted = 0
    private(set) var activityEmitted = 0
    private(set) var pendingActivity = 0

    var organisation = Organisation.initialState
    var organisationVersion: UInt64 = 0
    var settings = Settings.initialState
    var settingsVersion: UInt64 = 0
    var forms: [String: FormDefinition] = [:]
    /// Products by branch (in the branch's currency).
    var products: [[ProductRef]] = []
    var customers: [CustomerRuntime?]
    /// Roster indices of the customers created so far.
    var created: [Int] = []
    var contactSerial = 0

    init(plan: Plan) {
        self.plan = plan
        random = SeededRandom(seed: plan.configuration.seed, stream: 2)
        eventIDs = IDFactory(seed: plan.configuration.seed, stream: 3)
        recordIDs = IDFactory(seed: plan.configuration.seed, stream: 4)
        clock = plan.start
        customers = Array(repeating: nil, count: plan.customers.count)
    }

    func nextBatch() throws -> [StreamAppend]? {
        while outputIndex >= output.count {
            output.removeAll(keepingCapacity: true)
            outputIndex = 0
            if !started {
                started = true
                try setUp()
                continue
            }
            guard try step() else { return nil }
        }
        outputIndex += 1
        return output[outputIndex - 1]
    }

    /// Runs the earliest work in the agenda, first planning every day that could hold earlier work.
    private func step() throws -> Bool {
        while nextDay < plan.days, agenda.nextTime.map({ $0 >= plan.horizon[nextDay] }) ?? true {
            planDay(nextDay)
            nextDay += 1
        }
        guard let (time, action) = agenda.pop(), time < plan.end else { return false }
        clock = time
        inActivity = action.isActivity
        pendingActivity -= action.pendingEvents(before: plan.end)
        defer { inActivity = false }
        try perform(action, at: time)
        return true
    }

    /// Schedules work (never before now, never before activities may start).
    func schedule(_ action: Action, at time: Double) {
        let t = max(time, clock, plan.activityStart)
        pendingActivity += action.pendingEvents(before: plan.end)
        agenda.push(action, at: t)
    }

    /// Puts the day's new customers and new activities into the agenda. Activities fill the day's share of
    /// what is left of the budget, weekends getting less; since every flow's steps are planned when it
    /// starts, the events it will add inside the history are known exactly.
    private func planDay(_ d: Int) {
        let limit = d + 1 < plan.horizon.count ? plan.horizon[d + 1] : .infinity
        while rosterCursor < plan.customers.count, plan.customers[rosterCursor].createdAt < limit {
            schedule(.createCustomer(rosterCursor), at: plan.customers[rosterCursor].createdAt)
            rosterCursor += 1
        }
        let remaining = plan.activityTarget - activityEmitted - pendingActivity
        guard remaining > 0, plan.weightFromDay[d] > 0, !created.isEmpty else { return }
        let budget = Double(remaining) * plan.dayWeight[d] / plan.weightFromDay[d] + carry
        var planned = 0
        var misses = 0
        while Double(planned) < budget, misses < 50 {
            let added = startActivity(day: d)
            planned += added
            misses = added == 0 ? misses + 1 : 0
        }
        carry = budget - Double(planned)
    }

    private func perform(_ action: Action, at time: Double) throws {
        switch action {
        case .createCustomer(let i): try createCustomer(i, at: time)
        case .addContact(let c, let primary): try addContact(c, primary: primary, at: time)
        case .addInstallation(let c): try addInstallation(c, at: time)
        case .activate(let c): try activate(c, at: time)
        case .bill(let c, let month): try bill(c, month: month, at: time)
        case .care(var flow):
            guard var customer = customers[flow.customer] else { return }
            let step = flow.steps[flow.next]
            try execute(Customer.self, stream: Customer.stream(customer.id), step.command, state: &customer.state,
                        version: &customer.version, actor: step.actor, at: time)
            customers[flow.customer] = customer
            flow.next += 1
            if flow.next < flow.steps.count { schedule(.care(flow), at: flow.steps[flow.next].time) }
        case .task(let flow): try advance(flow, at: time, wrap: Action.task)
        case .contactLog(let flow): try advance(flow, at: time, wrap: Action.contactLog)
        case .visit(let flow): try advance(flow, at: time, wrap: Action.visit)
        case .ticket(let flow): try advance(flow, at: time, wrap: Action.ticket)
        case .opportunity(let flow): try advance(flow, at: time, wrap: Action.opportunity)
        case .quote(let flow): try advance(flow, at: time, wrap: Action.quote)
        }
    }

    private func advance<A: Aggregate>(_ flow: Flow<A>, at time: Double, wrap: (Flow<A>) -> Action) throws {
        var flow = flow
        let step = flow.steps[flow.next]
        try execute(A.self, stream: flow.stream, step.command, state: &flow.state, version: &flow.version, actor: step.actor, at: time)
        flow.next += 1
        if flow.next < flow.steps.count { schedule(wrap(flow), at: flow.steps[flow.next].time) }
    }

    /// Decides `command` with the real rules at `time`, folds the events into `state`, and emits them as
    /// one batch with the stream's expected version.
    func execute<A: Aggregate>(_ type: A.Type, stream: StreamID, _ command: A.Command, state: inout A.State, version: inout UInt64,
                               actor: String, at time: Double, source: String? = nil) throws {
        let now = Date(timeIntervalSince1970: time)
        let events: [A.Event]
        do {
            events = try A.decide(command, state: state, context: CommandContext(now: now, actor: actor))
        } catch {
            throw GenerationError(stream: stream.rawValue, reason: error.description)
        }
        guard !events.isEmpty else { return }
        let metadata = EventMetadata(actor: actor, sourceSystem: source)
        var data: [EventData] = []
        data.reserveCapacity(events.count)
        for event in events {
            do {
                data.append(try event.eventData(id: eventIDs.next(at: now), metadata: metadata))
            } catch {
                throw GenerationError(stream: stream.rawValue, reason: "payload encoding failed: \(error)")
            }
            state = A.evolve(state, event)
        }
        let expected: ExpectedVersion = version == 0 ? .noStream : .exact(StreamVersion(version))
        output.append([StreamAppend(stream: stream, expectedVersion: expected, events: data)])
        version += UInt64(events.count)
        emitted += events.count
        if inActivity { activityEmitted += events.count }
    }
}
