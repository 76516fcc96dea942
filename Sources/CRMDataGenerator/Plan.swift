import CRMDomain
import Foundation

/// Everything decided before the first event: calendars of the simulated days per branch, the staff, and
/// the customer roster with each customer's onboarding and billing. Immutable and shared by iterators.
struct Plan: Sendable {
    /// A customer as planned: when it appears, what its onboarding holds, how many planned events it brings.
    struct PlannedCustomer: Sendable {
        var branch: Int
        var owner: Int
        var kind: CustomerKind
        var group: String
        var createdAt: Double
        var status: CustomerStatus
        /// When a prospect is activated (nil: stays a prospect, or was active from the start).
        var activateAt: Double?
        var contactOffsets: [Double]
        var installationOffset: Double?
        var billingDay: Int
        /// First month index billed (0-based month of the history).
        var firstBilledMonth: Int
    }

    let configuration: Configuration
    let world: World
    let start: Double
    let end: Double
    /// Activities never start before it (the organisation is set up in the first minutes).
    let activityStart: Double
    /// Number of simulated local days.
    let days: Int
    /// The local date of each day index (the same calendar date in every branch), with a margin after the end.
    let localDates: [LocalDate]
    /// `dayStarts[branch][day]`: the UTC instant (seconds) the local day starts in that branch.
    let dayStarts: [[Double]]
    /// The earliest start of each day over all branches.
    let horizon: [Double]
    /// Day index of the first of each month (0 = the month of the start), through one month past the end.
    let monthFirstDay: [Int]
    /// Weekday weight of each day (weekends quieter), and suffix sums for spreading a budget.
    let dayWeight: [Double]
    let weightFromDay: [Double]
    /// Staff indices into `world.staff`.
    let administrator: Int
    let managers: [Int]
    let accountManagers: [[Int]]
    let agents: [[Int]]
    let actors: [String]
    let customers: [PlannedCustomer]
    /// Events the onboarding and billing of the roster will produce inside the history.
    let plannedCustomerEvents: Int
    /// Events the organisation, settings, forms and products take.
    let setupEvents: Int
    /// What is left for activities (tasks, contacts, visits, tickets, sales).
    let activityTarget: Int

    typealias Configuration = HistoryGenerator.Configuration

    init(_ configuration: Configuration) {
        self.configuration = configuration
        var random = SeededRandom(seed: configuration.seed, stream: 1)
        var ids = IDFactory(seed: configuration.seed, stream: 1)
        let branchSpecs = configuration.branches.isEmpty ? HistoryGenerator.BranchSpec.defaults(1) : configuration.branches
        let perBranch = max(configuration.employeesPerBranch, 3)
        let months = max(configuration.months, 1)

        start = configuration.start.timeIntervalSince1970
        activityStart = start + 3600
        let startDate = LocalCalendar.utc.localDate(of: configuration.start)
        let endDate = startDate.adding(months: months)
        days = max(startDate.days(until: endDate), 1)
        let endTime = start + Double(days) * 86_400
        end = endTime
        let margin = 400
        let dates = (0..<(days + margin)).map { startDate.adding(days: $0) }
        localDates = dates
        let calendars = branchSpecs.map { LocalCalendar(timeZoneID: $0.timeZoneID) ?? .utc }
        let starts = calendars.map { calendar in dates.map { calendar.startOfDay($0).timeIntervalSince1970 } }
        dayStarts = starts
        horizon = (0..<dates.count).map { d in starts.map { $0[d] }.min() ?? 0 }
        let firsts = (0...(months + 13)).map { m in startDate.adding(months: m) }.map { first in
            let day = LocalDate(year: first.year, month: first.month, day: 1) ?? first
            return startDate.days(until: day)
        }
        monthFirstDay = firsts
        func billing(_ branch: Int, _ month: Int, _ day: Int) -> Double {
            Self.billingTime(dayStarts: starts[branch], monthFirstDay: firsts, month: month, day: day)
        }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = LocalCalendar.utc.timeZone
        let firstWeekday = utc.component(.weekday, from: LocalCalendar.utc.startOfDay(startDate))  // 1 = Sunday
        dayWeight = (0..<days).map { d in
            let weekday = (firstWeekday - 1 + d) % 7  // 0 = Sunday
            return weekday == 0 || weekday == 6 ? 0.35 : 1.0
        }
        var suffix = [Double](repeating: 0, count: days + 1)
        for d in stride(from: days - 1, through: 0, by: -1) { suffix[d] = suffix[d + 1] + dayWeight[d] }
        weightFromDay = suffix

        // Staff: the administrator, then per branch a manager, account managers and service agents.
        let setupInstant = configuration.start
        var staff: [World.Staff] = []
        var branches: [World.Branch] = []
        var managers: [Int] = []
        var accountManagers: [[Int]] = []
        var agents: [[Int]] = []
        staff.append(World.Staff(id: ids.next(at: setupInstant), name: Names.person(branchSpecs[0].names, &random),
                                 branch: branchSpecs[0].name, role: .administrator))
        let accountManagerCount = min(max(1, Int((Double(perBranch - 1) * 0.65).rounded())), perBranch - 2)
        for spec in branchSpecs {
            let communities = Names.communitySuffixes.prefix(3 + random.below(3)).map { "\(spec.name)-\($0)" }
            branches.append(World.Branch(name: spec.name, timeZoneID: spec.timeZoneID, currency: spec.currency,
                                         unitID: ids.next(at: setupInstant), communities: communities))
            var ams: [Int] = []
            var ags: [Int] = []
            for j in 0..<perBranch {
                let role: World.StaffRole = j == 0 ? .branchManager : (j <= accountManagerCount ? .accountManager : .serviceAgent)
                let index = staff.count
                staff.append(World.Staff(id: ids.next(at: setupInstant), name: Names.person(spec.names, &random), branch: spec.name, role: role))
                switch role {
                case .branchManager: managers.append(index)
                case .accountManager: ams.append(index)
                default: ags.append(index)
                }
            }
            accountManagers.append(ams)
            agents.append(ags)
        }
        administrator = 0
        self.managers = managers
        self.accountManagers = accountManagers
        self.agents = agents
        actors = staff.map(\.actor)
        var roles: [String: UUID] = ["Administrator": ids.next(at: setupInstant)]
        for spec in branchSpecs {
            for name in Self.roleNames(branch: spec.name) { roles[name] = ids.next(at: setupInstant) }
        }

        // Setup: bootstrap, 3 units + 3 roles + hires + grants per branch, announcements (one per branch and
        // one to the account managers), settings, forms, products.
        let currencies = Set(branchSpecs.map(\.currency)).count
        let announcementEvents = branchSpecs.count + 1
        let settingsEvents = branchSpecs.count + 24 + 1 + Set(branchSpecs.map(\.currency)).subtracting([.usd]).count + 2 + 1 + 2
        setupEvents = 1 + branchSpecs.count * (3 + 3 + 2 * perBranch) + announcementEvents + settingsEvents + 3
            + currencies * Catalog.products.count + 2

        // The roster: about a quarter of the events are billing and usage of the customers' accounts.
        let target = max(configuration.targetEvents, 0)
        let perCustomer = 3.8 + 2.0 * Double(months) * 0.9
        let customerCount = max(configuration.customers ?? Int(Double(max(target - setupEvents, 0)) * 0.3 / perCustomer), 4)
        var planned: [PlannedCustomer] = []
        planned.reserveCapacity(customerCount)
        let earlyDays = min(14, days)
        for _ in 0..<customerCount {
            let b = random.below(branchSpecs.count)
            let early = random.chance(0.75)
            let day = early ? random.below(earlyDays) : random.int(in: earlyDays...max(earlyDays, days - 1))
            let createdAt = max(dayStarts[b][day] + random.double(in: 8.5 * 3600..<18 * 3600), activityStart)
            let person = random.chance(0.65)
            let group = person ? "residential" : (random.chance(0.75) ? "business" : "key-account")
            let prospect = !early && random.chance(0.8)
            let activateAt = prospect && random.chance(0.85) ? createdAt + random.double(in: 86_400..<20 * 86_400) : nil
            let contacts = person ? 1 : 1 + random.below(3)
            let offsets = (0..<contacts).map { Double($0 + 1) * random.double(in: 60..<900) }
            let installation = group != "key-account" && random.chance(0.7) ? random.double(in: 86_400..<5 * 86_400) : nil
            planned.append(PlannedCustomer(
                branch: b, owner: random.pick(accountManagers[b]) ?? managers[b], kind: person ? .person : .organisation, group: group,
                createdAt: createdAt, status: prospect ? .prospect : .active, activateAt: activateAt, contactOffsets: offsets,
                installationOffset: installation, billingDay: 1 + random.below(28), firstBilledMonth: 0))
        }
        planned.sort { $0.createdAt < $1.createdAt }
        var customerEvents = 0
        var worldCustomers: [World.Customer] = []
        worldCustomers.reserveCapacity(planned.count)
        for i in planned.indices {
            var p = planned[i]
            let spec = branchSpecs[p.branch]
            let name = p.kind == .person ? Names.person(spec.names, &random) : Names.company(spec.names, &random)
            let community = random.pick(branches[p.branch].communities) ?? spec.name
            worldCustomers.append(World.Customer(id: ids.next(at: Date(timeIntervalSince1970: p.createdAt)), name: name, kind: p.kind,
                                                 group: p.group, branch: spec.name, community: community, owner: staff[p.owner].id,
                                                 createdAt: Date(timeIntervalSince1970: p.createdAt)))
            // Onboarding events inside the history.
            let createdAt = p.createdAt
            var count = 1 + p.contactOffsets.filter { createdAt + $0 < endTime }.count
            if let offset = p.installationOffset, createdAt + offset < endTime { count += 1 }
            if let at = p.activateAt, at < endTime { count += 1 }
            let activeFrom = p.status == .active ? p.createdAt : (p.activateAt ?? .infinity)
            // Billing: one revenue entry and one usage reading a month from the month after activation.
            var month = 1
            while month + 1 < firsts.count, billing(p.branch, month, p.billingDay) <= activeFrom { month += 1 }
            p.firstBilledMonth = month
            var m = month
            while m + 1 < firsts.count, billing(p.branch, m, p.billingDay) < endTime {
                count += 2
                m += 1
            }
            customerEvents += count
            planned[i] = p
        }
        customers = planned
        plannedCustomerEvents = customerEvents
        activityTarget = max(target - setupEvents - customerEvents, 0)
        world = World(start: configuration.start, end: Date(timeIntervalSince1970: end), branches: branches, staff: staff,
                      roles: roles, customers: worldCustomers, customerGroups: Catalog.groups)
    }

    static func roleNames(branch: String) -> [String] {
        ["Branch manager \(branch)", "Account manager \(branch)", "Service agent \(branch)"]
    }

    /// When month `month`'s bill of a customer with billing day `day` is run: 02:00 local.
    func billingTime(branch: Int, month: Int, day: Int) -> Double {
        Self.billingTime(dayStarts: dayStarts[branch], monthFirstDay: monthFirstDay, month: month, day: day)
    }

    static func billingTime(dayStarts: [Double], monthFirstDay: [Int], month: Int, day: Int) -> Double {
        guard month < monthFirstDay.count else { return .infinity }
        let index = monthFirstDay[month] + day - 1
        guard index >= 0, index < dayStarts.count else { return .infinity }
        return dayStarts[index] + 2 * 3600
    }

    /// The instant `hours` after the local midnight of `day` in `branch` (far future past the calendar's end).
    func instant(branch: Int, day: Int, hours: Double) -> Double {
        let starts = dayStarts[branch]
        guard day >= 0, day < starts.count else { return day < 0 ? start : end + 1e9 }
        return starts[day] + hours * 3600
    }

    /// The local day index of `time` in `branch`.
    func day(of time: Double, branch: Int) -> Int {
        let starts = dayStarts[branch]
        var lo = 0
        var hi = starts.count - 1
        if time < starts[0] { return 0 }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= time { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The local date of `time` in `branch`.
    func localDate(of time: Double, branch: Int) -> LocalDate { localDates[day(of: time, branch: branch)] }

    /// `time` moved into working hours (08:00–19:00 local): a later hour the same day, or the next morning.
    func workingTime(_ time: Double, branch: Int, random: inout SeededRandom) -> Double {
        let d = day(of: time, branch: branch)
        let hour = (time - dayStarts[branch][d]) / 3600
        if hour < 8 { return instant(branch: branch, day: d, hours: 8 + random.unit() * 2) }
        if hour > 19 { return instant(branch: branch, day: d + 1, hours: 8 + random.unit() * 2) }
        return time
    }
}
