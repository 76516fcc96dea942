import CRMDomain
import EventSourcing
import Foundation

// The organisation, settings, customer forms and catalog, set up in the first minutes of the history.
extension Simulation {
    func setUp() throws {
        let world = plan.world
        var time = plan.start
        func tick() -> Double {
            time += 2
            return time
        }
        let admin = world.staff[plan.administrator]
        let adminActor = admin.actor
        guard let adminRole = world.roles["Administrator"] else { return }
        let hiredOn = plan.localDates[0].adding(days: -2000)

        // Organisation: the administrator, then per branch a department with a sales and a service team.
        try organise(.bootstrap(administrator: NewEmployee(id: admin.id, name: admin.name, position: "Administrator", branch: admin.branch,
                                                           hiredOn: hiredOn),
                                roleID: adminRole, roleName: "Administrator", grantID: recordIDs.next(at: date(time))),
                     actor: "system", at: tick())
        var teams: [(sales: UUID, service: UUID)] = []
        for branch in world.branches {
            let label = branch.name.capitalized
            try organise(.createUnit(OrgUnit(id: branch.unitID, kind: .department, name: label)), actor: adminActor, at: tick())
            let sales = recordIDs.next(at: date(time))
            let service = recordIDs.next(at: date(time))
            try organise(.createUnit(OrgUnit(id: sales, kind: .team, name: "\(label) sales", parentID: branch.unitID)), actor: adminActor, at: tick())
            try organise(.createUnit(OrgUnit(id: service, kind: .team, name: "\(label) service", parentID: branch.unitID)), actor: adminActor, at: tick())
            teams.append((sales, service))
        }
        for branch in world.branches {
            let names = Plan.roleNames(branch: branch.name)
            let scope = DataScope.branch(branch.name)
            let sales: [Permission.Module] = [.customers, .contacts, .tasks, .visits, .opportunities, .quotes, .revenue, .products]
            let service: [Permission.Module] = [.tickets, .contacts, .tasks]
            // Everyone reads the announcements addressed to them and marks them read (R-ORG-3): the engine
            // shows one's own copy with `query` in organisation over the `own` scope, and `edit` marks it read.
            let inbox = Permission(module: .organisation, actions: [.query, .edit], scope: .own)
            let definitions = [
                // The branch manager also analyses the branch (RFM, churn) in the analysis module.
                RoleDefinition(name: names[0], permissions: sales.map { Permission(module: $0, actions: [.query, .create, .edit, .approve, .analyse], scope: scope) }
                    + [Permission(module: .tickets, actions: [.query], scope: scope),
                       Permission(module: .analysis, actions: [.query, .analyse], scope: scope), inbox]),
                RoleDefinition(name: names[1], permissions: sales.map { Permission(module: $0, actions: [.query, .create, .edit], scope: scope) }
                    + [inbox]),
                RoleDefinition(name: names[2], permissions: service.map { Permission(module: $0, actions: [.query, .create, .edit], scope: scope) }
                    + [Permission(module: .customers, actions: [.query], scope: scope), inbox]),
            ]
            for definition in definitions {
                guard let roleID = world.roles[definition.name] else { continue }
                let now = tick()
                let grantor = organisation.effectivePermissions(of: admin.id, at: date(now))
                try organise(.defineRole(roleID: roleID, definition, grantor: grantor), actor: adminActor, at: now)
            }
        }
        for (b, branch) in world.branches.enumerated() {
            let manager = world.staff[plan.managers[b]]
            let members = [plan.managers[b]] + plan.accountManagers[b] + plan.agents[b]
            for index in members {
                let person = world.staff[index]
                let isManager = index == plan.managers[b]
                let unit = isManager ? branch.unitID : (person.role == .serviceAgent ? teams[b].service : teams[b].sales)
                let position: String
                switch person.role {
                case .branchManager: position = "Branch manager"
                case .accountManager: position = "Account manager"
                case .serviceAgent: position = "Service agent"
                case .administrator: position = "Administrator"
                }
                try organise(.hire(NewEmployee(id: person.id, name: person.name, unitID: unit, position: position, branch: branch.name,
                                               managerID: isManager ? nil : manager.id,
                                               hiredOn: plan.localDates[0].adding(days: -(30 + random.below(3000))))),
                             actor: adminActor, at: tick())
            }
            let names = Plan.roleNames(branch: branch.name)
            for index in members {
                let person = world.staff[index]
                let roleName = person.role == .branchManager ? names[0] : (person.role == .accountManager ? names[1] : names[2])
                guard let roleID = world.roles[roleName] else { continue }
                let now = tick()
                let grantor = organisation.effectivePermissions(of: admin.id, at: date(now))
                try organise(.grantRole(grantID: recordIDs.next(at: date(now)), employeeID: person.id, roleID: roleID, validity: .always,
                                        grantor: grantor), actor: adminActor, at: now)
            }
        }

        // The default approval workflows, as `crm init` records them, so approvals asked in the demo route to
        // whoever may decide them (quotes over their author's limit, contracts, campaigns, feedback forms).
        for definition in WorkflowDefinition.defaults {
            var state = WorkflowDefinition.initialState
            var version: UInt64 = 0
            try execute(WorkflowDefinition.self, stream: WorkflowDefinition.stream(definition.definitionID), WorkflowDefinition.defineCommand(definition),
                        state: &state, version: &version, actor: "system", at: tick())
        }

        // Announcements from management (R-ORG-3): one to each branch's department, one to every account manager.
        for branch in world.branches {
            try announce(title: "\(branch.name.capitalized): working hours over the holidays",
                         body: "The office follows the branch holiday calendar. Please plan customer appointments accordingly.",
                         targets: AnnouncementTargets(departments: [branch.unitID]), actor: adminActor, at: tick())
        }
        let accountManagerRoles = world.branches.compactMap { world.roles[Plan.roleNames(branch: $0.name)[1]] }
        try announce(title: "New tariff sheets for account managers",
                     body: "This year's tariff sheets are in the product catalogue.\nQuote from the new standard prices from today on.",
                     targets: AnnouncementTargets(roles: accountManagerRoles), actor: adminActor, at: tick())

        // Settings: time zones, SLAs for every ticket kind and severity, routing, exchange rates, holidays, a rule chain.
        for branch in world.branches {
            try configure(.setBranchTimeZone(branch: branch.name, timeZoneID: branch.timeZoneID), actor: adminActor, at: tick())
        }
        for kind in TicketKind.allCases {
            for severity in TicketSeverity.allCases {
                try configure(.setSLADeadline(Catalog.sla(kind: kind, severity: severity)), actor: adminActor, at: tick())
            }
        }
        try configure(.replaceRoutingRules(world.branches.map { RoutingRule(name: "owner-\($0.name)", branch: $0.name) }),
                      actor: adminActor, at: tick())
        var seen: Set<Currency> = [.usd]
        for branch in world.branches where seen.insert(branch.currency).inserted {
            try configure(.setExchangeRate(ExchangeRate(from: branch.currency, to: .usd, rate: 1 / Catalog.priceFactor(branch.currency),
                                                        validFrom: plan.localDates[0])), actor: adminActor, at: tick())
        }
        let first = plan.localDates[0]
        for (name, month, day) in [("New Year", 1, 1), ("Labour Day", 5, 1)] {
            let year = LocalDate(year: first.year, month: month, day: day).map { $0 < first ? first.year + 1 : first.year } ?? first.year
            guard let holiday = LocalDate(year: year, month: month, day: day) else { continue }
            try configure(.addHoliday(Holiday(date: holiday, name: name)), actor: adminActor, at: tick())
        }
        // Discount limits of the roles the staff hold (R-SAL-3): an account manager grants up to 15 %, the branch
        // manager up to 35 %, the administrator anything; more waits for a covering role's approval.
        for branch in world.branches {
            let names = Plan.roleNames(branch: branch.name)
            try configure(.setDiscountLimit(DiscountLimit(role: names[1], maxPercent: 15)), actor: adminActor, at: tick())
            try configure(.setDiscountLimit(DiscountLimit(role: names[0], maxPercent: 35)), actor: adminActor, at: tick())
        }
        try configure(.setDiscountLimit(DiscountLimit(role: "Administrator", maxPercent: 100)), actor: adminActor, at: tick())
        try configure(.setTicketRuleChain(TicketRuleChain(kind: .complaint, minimumSeverity: .high, actions: [
            RuleAction(kind: .notifyOwner), RuleAction(kind: .queueLetter, template: "apology"),
        ])), actor: adminActor, at: tick())
        // KPI rules (R-ANA-1) over the indicators the history produces, and a pay scheme (R-ANA-2) in the first
        // branch's currency: the supervisor's ranking and the daily pay estimates have something to show.
        try configure(.replaceKPIRules(Catalog.kpiRules), actor: adminActor, at: tick())
        let payCurrency = world.branches.first?.currency ?? .usd
        let factor = Catalog.priceFactor(payCurrency)
        try configure(.setPayScheme(PayScheme(currency: payCurrency, basePerDay: 40 * factor, defaultRatePerPoint: factor / 2,
                                              rates: [PayScheme.Rate(indicator: "dealsWon", perPoint: 2 * factor)])),
                      actor: adminActor, at: tick())

        // Customer forms, one per group.
        for (group, fields) in Catalog.forms() {
            var state = CustomerForm.initialState
            var version: UInt64 = 0
            try execute(CustomerForm.self, stream: CustomerForm.stream(group: group), .define(group: group, fields: fields),
                        state: &state, version: &version, actor: adminActor, at: tick())
            forms[group] = state.definition ?? .empty(group: group)
        }

        // The catalog, once per currency; the first product gets a launch milestone planned and reached.
        var byCurrency: [Currency: [ProductRef]] = [:]
        for branch in world.branches where byCurrency[branch.currency] == nil {
            var refs: [ProductRef] = []
            for spec in Catalog.products {
                let id = recordIDs.next(at: date(time))
                let price = Money(spec.usdPrice * Catalog.priceFactor(branch.currency), branch.currency)
                var state = Product.initialState
                var version: UInt64 = 0
                try execute(Product.self, stream: Product.stream(id), .create(productID: id, productLine: spec.line, name: spec.name, standardPrice: price),
                            state: &state, version: &version, actor: adminActor, at: tick())
                if refs.isEmpty, byCurrency.isEmpty {
                    try execute(Product.self, stream: Product.stream(id), .planMilestone(name: "launch", plannedDate: plan.localDates[0].adding(days: -10)),
                                state: &state, version: &version, actor: adminActor, at: tick())
                    try execute(Product.self, stream: Product.stream(id),
                                .reachMilestone(name: "launch", actualDate: plan.localDates[0].adding(days: -12), delayReason: nil),
                                state: &state, version: &version, actor: adminActor, at: tick())
                }
                refs.append(ProductRef(id: id, name: spec.name, line: spec.line, chargeItem: spec.chargeItem, price: price))
            }
            byCurrency[branch.currency] = refs
        }
        products = world.branches.map { byCurrency[$0.currency] ?? [] }
        clock = time
    }

    private func organise(_ command: Organisation.Command, actor: String, at time: Double) throws {
        try execute(Organisation.self, stream: Organisation.streamID, command, state: &organisation, version: &organisationVersion,
                    actor: actor, at: time)
    }

    private func announce(title: String, body: String, targets: AnnouncementTargets, actor: String, at time: Double) throws {
        let id = recordIDs.next(at: date(time))
        var state = Announcement.initialState
        var version: UInt64 = 0
        try execute(Announcement.self, stream: Announcement.stream(id),
                    .publish(announcementID: id, title: title, body: body, targets: targets, expiresAt: nil),
                    state: &state, version: &version, actor: actor, at: time)
    }

    private func configure(_ command: Settings.Command, actor: String, at time: Double) throws {
        try execute(Settings.self, stream: Settings.streamID, command, state: &settings, version: &settingsVersion, actor: actor, at: time)
    }

    func date(_ time: Double) -> Date { Date(timeIntervalSince1970: time) }
}
