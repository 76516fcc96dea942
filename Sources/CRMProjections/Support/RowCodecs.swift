import CRMDomain
import EventSourcing
import Foundation

// Hand-written binary forms of the rows the projections write most: going through keyed `Codable`
// containers cost a rebuild most of its time (container boxes, dynamic casts, conformance lookups per
// field). Each form writes exactly the bytes the type's synthesized `Codable` conformance writes in the
// binary payload format — fields in declaration order, optionals tagged, arrays counted — so views written
// before these forms existed read the same (`RowCodecsTests` holds the two side by side). Adding or
// reordering a stored property means changing its form here too, and raising the projection's version.

extension RecordScope: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            branch: try r.optional { try $0.string() }, community: try r.optional { try $0.string() },
            group: try r.optional { try $0.string() }, owners: try r.array { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.optional(branch) { $0.string($1) }
        w.optional(community) { $0.string($1) }
        w.optional(group) { $0.string($1) }
        w.array(owners) { $0.string($1) }
    }
}

extension RelatedRecord: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            kind: try r.rawValue(RecordKind.self), id: try r.uuid(), title: try r.string(), status: try r.string(),
            detail: try r.optional { try $0.string() }, at: try r.optional { try $0.date() },
            day: try r.optional { try LocalDate(fromBinary: &$0) }, amount: try r.optional { try Money(fromBinary: &$0) },
            owner: try r.optional { try $0.string() }, scope: try RecordScope(fromBinary: &r),
            contacts: try r.optional { try $0.array { try $0.uuid() } },
            products: try r.optional { try $0.array { try RelatedRecord.Product(fromBinary: &$0) } })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.rawValue(kind)
        w.uuid(id)
        w.string(title)
        w.string(status)
        w.optional(detail) { $0.string($1) }
        w.optional(at) { $0.date($1) }
        w.optional(day) { $1.encode(toBinary: &$0) }
        w.optional(amount) { $1.encode(toBinary: &$0) }
        w.optional(owner) { $0.string($1) }
        scope.encode(toBinary: &w)
        w.optional(contacts) { $0.array($1) { $0.uuid($1) } }
        w.optional(products) { $0.array($1) { $1.encode(toBinary: &$0) } }
    }
}

extension RelatedRecord.Product: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(productID: try r.uuid(), name: try r.string(), quantity: try r.decimal())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(productID)
        w.string(name)
        w.decimal(quantity)
    }
}

extension Customer360Projection.Link: BinaryPayloadCodable {
    init(fromBinary r: inout BinaryReader) throws {
        self.init(customerID: try r.uuid(), key: Array(try r.raw()))
    }

    func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        key.withUnsafeBytes { w.raw($0) }
    }
}

extension CustomField: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(formGroup: try r.string(), field: try r.string(), value: try FieldValue(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(formGroup)
        w.string(field)
        value.encode(toBinary: &w)
    }
}

extension CustomerProfile: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            id: try r.uuid(), kind: try r.rawValue(CustomerKind.self), name: try r.string(), group: try r.string(),
            industry: try r.optional { try $0.string() }, branch: try r.optional { try $0.string() },
            community: try r.optional { try $0.string() }, owner: try r.optional { try $0.string() },
            status: try r.rawValue(CustomerStatus.self), isArchived: try r.bool(),
            birthday: try r.optional { try LocalDate(fromBinary: &$0) }, founded: try r.optional { try LocalDate(fromBinary: &$0) },
            customFields: try [CustomField](fromBinary: &r),
            externalKeys: try r.array { try ExternalKey(fromBinary: &$0) },
            mergedInto: try r.optional { try $0.uuid() }, absorbed: try r.array { try $0.uuid() },
            installations: try r.array { try Installation(fromBinary: &$0) }, appointments: try r.array { try Appointment(fromBinary: &$0) },
            transferredTo: try r.optional { try $0.string() }, suspensionReason: try r.optional { try $0.string() },
            maintenancePairing: try r.optional { MaintenancePairSummary(agent: try $0.string(), manager: try $0.string()) })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.rawValue(kind)
        w.string(name)
        w.string(group)
        w.optional(industry) { $0.string($1) }
        w.optional(branch) { $0.string($1) }
        w.optional(community) { $0.string($1) }
        w.optional(owner) { $0.string($1) }
        w.rawValue(status)
        w.bool(isArchived)
        w.optional(birthday) { $1.encode(toBinary: &$0) }
        w.optional(founded) { $1.encode(toBinary: &$0) }
        customFields.encode(toBinary: &w)
        w.array(externalKeys) { $1.encode(toBinary: &$0) }
        w.optional(mergedInto) { $0.uuid($1) }
        w.array(absorbed) { $0.uuid($1) }
        w.array(installations) { $1.encode(toBinary: &$0) }
        w.array(appointments) { $1.encode(toBinary: &$0) }
        w.optional(transferredTo) { $0.string($1) }
        w.optional(suspensionReason) { $0.string($1) }
        w.optional(maintenancePairing) { w, pair in
            w.string(pair.agent)
            w.string(pair.manager)
        }
    }
}

extension CustomerListItem: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            id: try r.uuid(), name: try r.string(), kind: try r.rawValue(CustomerKind.self), group: try r.string(),
            status: try r.rawValue(CustomerStatus.self), isArchived: try r.bool(), mergedInto: try r.optional { try $0.uuid() },
            scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.string(name)
        w.rawValue(kind)
        w.string(group)
        w.rawValue(status)
        w.bool(isArchived)
        w.optional(mergedInto) { $0.uuid($1) }
        scope.encode(toBinary: &w)
    }
}

extension ActivityEntry: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            kind: try r.rawValue(RecordKind.self), id: try r.uuid(), customerID: try r.uuid(), employee: try r.string(),
            channel: try r.string(), at: try r.date(), subject: try r.string(), note: try r.optional { try $0.string() },
            status: try r.string(), scope: try RecordScope(fromBinary: &r), contacts: try r.array { try $0.uuid() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.rawValue(kind)
        w.uuid(id)
        w.uuid(customerID)
        w.string(employee)
        w.string(channel)
        w.date(at)
        w.string(subject)
        w.optional(note) { $0.string($1) }
        w.string(status)
        scope.encode(toBinary: &w)
        w.array(contacts) { $0.uuid($1) }
    }
}

extension KeywordIndex.Indexed: BinaryPayloadCodable {
    init(fromBinary r: inout BinaryReader) throws {
        self.init(
            kind: try r.rawValue(RecordKind.self), id: try r.uuid(), title: try r.string(), body: try r.optional { try $0.string() },
            customerID: try r.optional { try $0.uuid() }, ownTerms: try r.array { try $0.string() },
            customerTerms: try r.array { try $0.string() }, owners: try r.array { try $0.string() })
    }

    func encode(toBinary w: inout BinaryWriter) {
        w.rawValue(kind)
        w.uuid(id)
        w.string(title)
        w.optional(body) { $0.string($1) }
        w.optional(customerID) { $0.uuid($1) }
        w.array(ownTerms) { $0.string($1) }
        w.array(customerTerms) { $0.string($1) }
        w.array(owners) { $0.string($1) }
    }
}

extension SearchHit: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            kind: try r.rawValue(RecordKind.self), id: try r.uuid(), title: try r.string(), customerID: try r.optional { try $0.uuid() },
            scope: try RecordScope(fromBinary: &r), score: try r.int(), parentID: try r.optional { try $0.uuid() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.rawValue(kind)
        w.uuid(id)
        w.string(title)
        w.optional(customerID) { $0.uuid($1) }
        scope.encode(toBinary: &w)
        w.int(score)
        w.optional(parentID) { $0.uuid($1) }
    }
}

extension EmployeeIndicators.Cell: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(employee: try r.string(), month: try r.string(), indicator: try r.string(), value: try r.int(), scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(employee)
        w.string(month)
        w.string(indicator)
        w.int(value)
        scope.encode(toBinary: &w)
    }
}

extension EmployeeIndicators.Fact: BinaryPayloadCodable {
    init(fromBinary r: inout BinaryReader) throws {
        self.init(
            employee: try r.optional { try $0.string() }, branch: try r.optional { try $0.string() },
            customerID: try r.optional { try $0.uuid() }, dueAt: try r.optional { try $0.date() },
            month: try r.optional { try $0.string() }, done: try r.bool())
    }

    func encode(toBinary w: inout BinaryWriter) {
        w.optional(employee) { $0.string($1) }
        w.optional(branch) { $0.string($1) }
        w.optional(customerID) { $0.uuid($1) }
        w.optional(dueAt) { $0.date($1) }
        w.optional(month) { $0.string($1) }
        w.bool(done)
    }
}

extension CustomerActivity.MonthAmount: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(month: try r.string(), currency: try Currency(fromBinary: &r), purchases: try r.int(), amount: try r.decimal())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(month)
        currency.encode(toBinary: &w)
        w.int(purchases)
        w.decimal(amount)
    }
}

extension CustomerActivity.MonthCount: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(month: try r.string(), count: try r.int())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(month)
        w.int(count)
    }
}

extension CustomerActivity.Summary: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            customerID: try r.uuid(), scope: try RecordScope(fromBinary: &r),
            firstPurchase: try r.optional { try LocalDate(fromBinary: &$0) }, lastPurchase: try r.optional { try LocalDate(fromBinary: &$0) },
            purchases: try r.int(), months: try [CustomerActivity.MonthAmount](fromBinary: &r),
            activity: try [CustomerActivity.MonthCount](fromBinary: &r), lastContactAt: try r.optional { try $0.date() },
            openComplaints: try r.int(), slaBreaches: try [CustomerActivity.MonthCount](fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        scope.encode(toBinary: &w)
        w.optional(firstPurchase) { $1.encode(toBinary: &$0) }
        w.optional(lastPurchase) { $1.encode(toBinary: &$0) }
        w.int(purchases)
        months.encode(toBinary: &w)
        activity.encode(toBinary: &w)
        w.optional(lastContactAt) { $0.date($1) }
        w.int(openComplaints)
        slaBreaches.encode(toBinary: &w)
    }
}

extension CustomerActivity.Summary {
    /// The fields after the purchase months, in stored order: what contacts and tickets change.
    struct Tail: BinaryPayloadCodable {
        var activity: [CustomerActivity.MonthCount]
        var lastContactAt: Date?
        var openComplaints: Int
        var slaBreaches: [CustomerActivity.MonthCount]

        init(of s: CustomerActivity.Summary) {
            activity = s.activity
            lastContactAt = s.lastContactAt
            openComplaints = s.openComplaints
            slaBreaches = s.slaBreaches
        }

        func store(in s: inout CustomerActivity.Summary) {
            s.activity = activity
            s.lastContactAt = lastContactAt
            s.openComplaints = openComplaints
            s.slaBreaches = slaBreaches
        }

        init(fromBinary r: inout BinaryReader) throws {
            activity = try [CustomerActivity.MonthCount](fromBinary: &r)
            lastContactAt = try r.optional { try $0.date() }
            openComplaints = try r.int()
            slaBreaches = try [CustomerActivity.MonthCount](fromBinary: &r)
        }

        func encode(toBinary w: inout BinaryWriter) {
            activity.encode(toBinary: &w)
            w.optional(lastContactAt) { $0.date($1) }
            w.int(openComplaints)
            slaBreaches.encode(toBinary: &w)
        }
    }

    /// Reads past the fields before ``Tail`` (customer, scope, purchase days and count, months) without
    /// building them: the same reads as `init(fromBinary:)`, values dropped.
    static func skipHead(_ r: inout BinaryReader) throws {
        _ = try r.uuid()
        for _ in 0..<3 { _ = try r.optional { try $0.raw() } }  // scope: branch, community, group
        for _ in 0..<(try r.count()) { _ = try r.raw() }        // scope: owners
        for _ in 0..<2 { _ = try r.optional { try $0.signed() } }  // first and last purchase (LocalDate)
        _ = try r.signed()                                       // purchases
        for _ in 0..<(try r.count()) {                           // months: month, currency, purchases, amount
            _ = try r.raw()
            _ = try r.raw()
            _ = try r.signed()
            _ = try r.raw()
        }
    }
}

extension CustomerActivity.Link: BinaryPayloadCodable {
    init(fromBinary r: inout BinaryReader) throws {
        self.init(customerID: try r.uuid(), complaint: try r.bool(), resolutionDueAt: try r.optional { try $0.date() }, open: try r.bool())
    }

    func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        w.bool(complaint)
        w.optional(resolutionDueAt) { $0.date($1) }
        w.bool(open)
    }
}

extension TaskBoard.Task: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            taskID: try r.uuid(), title: try r.string(), kind: try r.rawValue(WorkTask.Kind.self),
            customerID: try r.optional { try $0.uuid() }, customerName: try r.optional { try $0.string() },
            assignee: try r.string(), dueAt: try r.date(), branch: try r.optional { try $0.string() },
            status: try r.rawValue(WorkTask.Status.self), route: try r.rawValue(WorkTask.Route.self),
            scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        w.string(title)
        w.rawValue(kind)
        w.optional(customerID) { $0.uuid($1) }
        w.optional(customerName) { $0.string($1) }
        w.string(assignee)
        w.date(dueAt)
        w.optional(branch) { $0.string($1) }
        w.rawValue(status)
        w.rawValue(route)
        scope.encode(toBinary: &w)
    }
}

extension TaskBoard.Completions: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(assignee: try r.string(), month: try r.string(), onTime: try r.int(), late: try r.int(), scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(assignee)
        w.string(month)
        w.int(onTime)
        w.int(late)
        scope.encode(toBinary: &w)
    }
}

extension RevenueCube.Cell: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            month: try r.string(), productID: try r.optional { try $0.uuid() }, customerID: try r.uuid(),
            currency: try Currency(fromBinary: &r), amount: try r.decimal(), entries: try r.int(), reversals: try r.int(),
            scope: try RecordScope(fromBinary: &r), chargeItem: try r.string(), businessLine: try r.string(), day: try r.int())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(month)
        w.optional(productID) { $0.uuid($1) }
        w.uuid(customerID)
        currency.encode(toBinary: &w)
        w.decimal(amount)
        w.int(entries)
        w.int(reversals)
        scope.encode(toBinary: &w)
        w.string(chargeItem)
        w.string(businessLine)
        w.int(day)
    }
}

extension TicketSLABoard.Stint: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(department: try r.string(), enteredAt: try r.date(), leftAt: try r.optional { try $0.date() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(department)
        w.date(enteredAt)
        w.optional(leftAt) { $0.date($1) }
    }
}

extension TicketSLABoard.TicketRow: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            ticketID: try r.uuid(), customerID: try r.uuid(), customerName: try r.optional { try $0.string() },
            channel: try r.rawValue(ContactChannel.self), kind: try r.rawValue(TicketKind.self),
            severity: try r.rawValue(TicketSeverity.self), subject: try r.string(), status: try r.rawValue(Ticket.Status.self),
            department: try r.string(), assignee: try r.optional { try $0.string() }, openedAt: try r.date(),
            responseDueAt: try r.date(), resolutionDueAt: try r.date(), firstRespondedAt: try r.optional { try $0.date() },
            resolvedAt: try r.optional { try $0.date() }, stints: try [TicketSLABoard.Stint](fromBinary: &r),
            scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(ticketID)
        w.uuid(customerID)
        w.optional(customerName) { $0.string($1) }
        w.rawValue(channel)
        w.rawValue(kind)
        w.rawValue(severity)
        w.string(subject)
        w.rawValue(status)
        w.string(department)
        w.optional(assignee) { $0.string($1) }
        w.date(openedAt)
        w.date(responseDueAt)
        w.date(resolutionDueAt)
        w.optional(firstRespondedAt) { $0.date($1) }
        w.optional(resolvedAt) { $0.date($1) }
        stints.encode(toBinary: &w)
        scope.encode(toBinary: &w)
    }
}

extension OpportunityPipeline.OpportunityRow: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            opportunityID: try r.uuid(), customerID: try r.uuid(), customerName: try r.optional { try $0.string() },
            title: try r.string(), source: try r.string(), owner: try r.string(), pipeline: try r.string(),
            stages: try r.array { try $0.string() }, stage: try r.string(), status: try r.rawValue(Opportunity.Status.self),
            expectedRevenue: try Money(fromBinary: &r), closeDate: try LocalDate(fromBinary: &r),
            suggestedProbability: try r.optional { try $0.decimal() }, overriddenProbability: try r.optional { try $0.decimal() },
            scope: try RecordScope(fromBinary: &r), contacts: try r.array { try $0.uuid() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(opportunityID)
        w.uuid(customerID)
        w.optional(customerName) { $0.string($1) }
        w.string(title)
        w.string(source)
        w.string(owner)
        w.string(pipeline)
        w.array(stages) { $0.string($1) }
        w.string(stage)
        w.rawValue(status)
        expectedRevenue.encode(toBinary: &w)
        closeDate.encode(toBinary: &w)
        w.optional(suggestedProbability) { $0.decimal($1) }
        w.optional(overriddenProbability) { $0.decimal($1) }
        scope.encode(toBinary: &w)
        w.array(contacts) { $0.uuid($1) }
    }
}

extension CostLedger.CampaignCosts: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            campaignID: try r.uuid(), budget: try Money(fromBinary: &r), start: try LocalDate(fromBinary: &r),
            end: try LocalDate(fromBinary: &r), lines: try [Campaign.CostLine](fromBinary: &r), scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(campaignID)
        budget.encode(toBinary: &w)
        start.encode(toBinary: &w)
        end.encode(toBinary: &w)
        lines.encode(toBinary: &w)
        scope.encode(toBinary: &w)
    }
}

extension CostLedger.VisitCosts: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            visitID: try r.uuid(), customerID: try r.uuid(), scheduledAt: try r.date(),
            actualDate: try r.optional { try LocalDate(fromBinary: &$0) }, lines: try [Visit.CostLine](fromBinary: &r),
            scope: try RecordScope(fromBinary: &r), place: try r.string(), actualPlace: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(visitID)
        w.uuid(customerID)
        w.date(scheduledAt)
        w.optional(actualDate) { $1.encode(toBinary: &$0) }
        lines.encode(toBinary: &w)
        scope.encode(toBinary: &w)
        w.string(place)
        w.optional(actualPlace) { $0.string($1) }
    }
}

extension OpportunityOutcomes.Row: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            opportunityID: try r.uuid(), pipeline: try r.string(), stages: try r.array { try $0.string() }, source: try r.string(),
            productLine: try r.optional { try $0.string() }, stage: try r.string(), furthestStage: try r.int(),
            status: try r.rawValue(Opportunity.Status.self), scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(opportunityID)
        w.string(pipeline)
        w.array(stages) { $0.string($1) }
        w.string(source)
        w.optional(productLine) { $0.string($1) }
        w.string(stage)
        w.int(furthestStage)
        w.rawValue(status)
        scope.encode(toBinary: &w)
    }
}

extension UsageReadings.Row: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(reading: try RevenueLedger.UsageReading(fromBinary: &r), scope: try RecordScope(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        reading.encode(toBinary: &w)
        scope.encode(toBinary: &w)
    }
}
