import EventSourcing
import Foundation

/// A catalog product (R-SAL-5): product line, name, standard price (the price quotes start from), active
/// or retired; status milestones planned versus actual (early / on time / delayed, a delay needs a
/// reason); and document versions (metadata only).
///
/// ```swift
/// let events = try Product.decide(.create(productID: id, productLine: "gas", name: "Smart meter", standardPrice: Money(120, .cny)),
///                                 state: Product.initialState, context: context)
/// ```
public enum Product: Aggregate {
    public static let category = "product"

    /// The current state of one product; `productID == nil` until it is created.
    public struct State: Sendable, Equatable {
        public var productID: UUID?
        public var productLine: String = ""
        public var name: String = ""
        public var standardPrice: Money?
        public var status: Status = .active
        /// Milestones in the order they were planned.
        public var milestones: [Milestone] = []
        /// Every document version, in the order added.
        public var documents: [DocumentVersion] = []
        public var original: ProductCreated?

        public init() {}

        /// Whether the product has been created.
        public var exists: Bool { productID != nil }

        /// The milestone named `name`.
        public func milestone(_ name: String) -> Milestone? { milestones.first { $0.name == name } }

        /// Each milestone's timing as of `today` (nil: not reached and not yet due).
        public func milestoneTimings(asOf today: LocalDate) -> [(milestone: Milestone, timing: Timing?)] {
            milestones.map { ($0, $0.timing(asOf: today)) }
        }

        /// The latest version of each document title.
        public var latestDocuments: [DocumentVersion] {
            var latest: [String: DocumentVersion] = [:]
            for doc in documents where (latest[doc.title]?.version ?? 0) < doc.version { latest[doc.title] = doc }
            return latest.values.sorted { $0.title < $1.title }
        }
    }

    /// What can be asked of a product. `create` carries the new id; the others act on the loaded product.
    public enum Command: Sendable {
        /// Add to the catalog. Repeating it with identical content records nothing.
        case create(productID: UUID, productLine: String, name: String, standardPrice: Money)
        /// Change name, product line or standard price; records exactly the changed fields. Not while retired.
        case edit(productLine: String, name: String, standardPrice: Money)
        case retire(reason: String?)
        case reactivate
        /// Plan a milestone, or move the planned date of one not yet reached.
        case planMilestone(name: String, plannedDate: LocalDate)
        /// Record that a planned milestone was reached, on a day not in the future; a delayed one needs `delayReason`.
        case reachMilestone(name: String, actualDate: LocalDate, delayReason: String?)
        /// Add a version of a document; the version must be higher than the title's latest.
        case addDocumentVersion(title: String, version: Int, uri: String)
    }

    public typealias Event = ProductEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .create(let id, let line, let name, let price):
            let created = ProductCreated(productID: id, productLine: try Validate.text(line, field: "productLine", max: 100),
                                         name: try Validate.text(name, field: "name"), standardPrice: try validated(price))
            if state.exists {
                guard state.original == created else { throw DomainError(.alreadyExists, field: "productID", "a product with this id exists") }
                return []
            }
            return [.created(created)]

        case .edit(let line, let name, let price):
            let id = try existing(state)
            guard state.status == .active else { throw .transition("a retired product cannot be edited; reactivate it first") }
            // The command resends the whole product: what it already holds is not judged again.
            let line = try Validate.text(line, field: "productLine", max: 100, unlessUnchangedFrom: state.productLine)
            let name = try Validate.text(name, field: "name", unlessUnchangedFrom: state.name)
            let price = try validated(price, unlessUnchangedFrom: state.standardPrice)
            var changes: [FieldChange] = []
            changes.record("productLine", .option(state.productLine), .option(line))
            changes.record("name", .text(state.name), .text(name))
            changes.record("standardPrice", state.standardPrice.map(FieldValue.money), .money(price))
            guard !changes.isEmpty else { return [] }
            return [.edited(ProductEdited(productID: id, changes: changes))]

        case .retire(let reason):
            let id = try existing(state)
            let reason = try Validate.optionalMultilineText(reason, field: "reason")
            guard state.status == .active else { return [] }
            return [.retired(ProductRetired(productID: id, reason: reason))]

        case .reactivate:
            let id = try existing(state)
            guard state.status == .retired else { return [] }
            return [.reactivated(ProductReactivated(productID: id))]

        case .planMilestone(let name, let planned):
            let id = try existing(state)
            let name = try Validate.text(name, field: "name", max: 100)
            let previous = state.milestone(name)
            if let previous {
                guard previous.actualDate == nil else { throw .transition("the milestone has been reached; its plan is final") }
                guard previous.plannedDate != planned else { return [] }
            }
            return [.milestonePlanned(ProductMilestonePlanned(productID: id, name: name, plannedDate: planned,
                                                              previousPlannedDate: previous?.plannedDate))]

        case .reachMilestone(let name, let actual, let reason):
            let id = try existing(state)
            guard let milestone = state.milestone(name) else { throw DomainError(.notFound, field: "name", "no milestone of that name is planned") }
            let reason = try Validate.optionalMultilineText(reason, field: "delayReason")
            let timing = Timing(planned: milestone.plannedDate, actual: actual)
            if let recorded = milestone.actualDate {
                guard recorded == actual, reason == milestone.delayReason else { throw .transition("the milestone was already reached") }
                return []
            }
            // Not reached in the future: not after today anywhere (the catalog has no branch; the latest local
            // day, as a customer's birthday, so a day already begun somewhere is never refused).
            guard actual <= LocalCalendar.latestDate(at: context.now) else { throw .invalid("actualDate", "must not be in the future") }
            guard timing != .delayed || reason != nil else { throw .invalid("delayReason", "a delayed milestone needs a reason") }
            return [.milestoneReached(ProductMilestoneReached(productID: id, name: milestone.name, plannedDate: milestone.plannedDate,
                                                              actualDate: actual, timing: timing, delayReason: reason))]

        case .addDocumentVersion(let title, let version, let uri):
            let id = try existing(state)
            let title = try Validate.text(title, field: "title")
            let uri = try Validate.text(uri, field: "uri", max: 2000)
            let latest = state.documents.filter { $0.title == title }.map(\.version).max() ?? 0
            guard version > latest else { throw .invalid("version", "must be higher than the latest version (\(latest))") }
            return [.documentVersionAdded(ProductDocumentVersionAdded(productID: id, document: DocumentVersion(
                title: title, version: version, uri: uri, addedAt: context.now)))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .created(let e):
            s.productID = e.productID
            s.productLine = e.productLine
            s.name = e.name
            s.standardPrice = e.standardPrice
            s.status = .active
            s.original = e
        case .edited(let e):
            for change in e.changes {
                switch (change.field, change.new) {
                case ("productLine", .option(let v)?): s.productLine = v
                case ("name", .text(let v)?): s.name = v
                case ("standardPrice", .money(let v)?): s.standardPrice = v
                default: break
                }
            }
        case .retired:
            s.status = .retired
        case .reactivated:
            s.status = .active
        case .milestonePlanned(let e):
            if let index = s.milestones.firstIndex(where: { $0.name == e.name }) {
                s.milestones[index].plannedDate = e.plannedDate
            } else {
                s.milestones.append(Milestone(name: e.name, plannedDate: e.plannedDate))
            }
        case .milestoneReached(let e):
            if let index = s.milestones.firstIndex(where: { $0.name == e.name }) {
                s.milestones[index].actualDate = e.actualDate
                s.milestones[index].delayReason = e.delayReason
            }
        case .documentVersionAdded(let e):
            s.documents.append(e.document)
        }
        return s
    }

    private static func existing(_ state: State) throws(DomainError) -> UUID {
        guard let id = state.productID else { throw .notFound("no such product") }
        return id
    }

    private static func validated(_ price: Money, unlessUnchangedFrom current: Money? = nil) throws(DomainError) -> Money {
        guard !price.amount.isNaN, price.amount >= 0 else { throw .invalid("standardPrice", "must not be negative") }
        try Validate.amount(price.amount, field: "standardPrice", unlessUnchangedFrom: current?.amount)
        try Validate.currency(price.currency, field: "standardPrice", unlessUnchangedFrom: current?.currency)
        return price
    }
}
