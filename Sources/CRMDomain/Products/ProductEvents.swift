import EventSourcing
import Foundation

/// A product was added to the catalog in a product line, at a standard price.
public struct ProductCreated: EventPayload, Equatable {
    public static let eventType = "ProductCreated"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID
    public var productLine: String
    public var name: String
    public var standardPrice: Money

    public init(productID: UUID, productLine: String, name: String, standardPrice: Money) {
        self.productID = productID
        self.productLine = productLine
        self.name = name
        self.standardPrice = standardPrice
    }
}

/// Name, product line or standard price changed: exactly the changed fields, old → new.
public struct ProductEdited: EventPayload, Equatable {
    public static let eventType = "ProductEdited"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID
    public var changes: [FieldChange]

    public init(productID: UUID, changes: [FieldChange]) {
        self.productID = productID
        self.changes = changes
    }
}

/// The product was retired from sale.
public struct ProductRetired: EventPayload, Equatable {
    public static let eventType = "ProductRetired"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID
    public var reason: String?

    public init(productID: UUID, reason: String? = nil) {
        self.productID = productID
        self.reason = reason
    }
}

/// A retired product was offered again.
public struct ProductReactivated: EventPayload, Equatable {
    public static let eventType = "ProductReactivated"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID

    public init(productID: UUID) {
        self.productID = productID
    }
}

/// A status milestone was planned, or its planned date moved (`previousPlannedDate` set).
public struct ProductMilestonePlanned: EventPayload, Equatable {
    public static let eventType = "ProductMilestonePlanned"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID
    public var name: String
    public var plannedDate: LocalDate
    public var previousPlannedDate: LocalDate?

    public init(productID: UUID, name: String, plannedDate: LocalDate, previousPlannedDate: LocalDate? = nil) {
        self.productID = productID
        self.name = name
        self.plannedDate = plannedDate
        self.previousPlannedDate = previousPlannedDate
    }
}

/// A milestone was reached on `actualDate`; `timing` against the plan, with the reason when delayed.
public struct ProductMilestoneReached: EventPayload, Equatable {
    public static let eventType = "ProductMilestoneReached"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID
    public var name: String
    public var plannedDate: LocalDate
    public var actualDate: LocalDate
    public var timing: Product.Timing
    public var delayReason: String?

    public init(productID: UUID, name: String, plannedDate: LocalDate, actualDate: LocalDate, timing: Product.Timing, delayReason: String? = nil) {
        self.productID = productID
        self.name = name
        self.plannedDate = plannedDate
        self.actualDate = actualDate
        self.timing = timing
        self.delayReason = delayReason
    }
}

/// A new version of a product document (metadata only).
public struct ProductDocumentVersionAdded: EventPayload, Equatable {
    public static let eventType = "ProductDocumentVersionAdded"
    public static let schemaVersion: UInt32 = 1
    public var productID: UUID
    public var document: Product.DocumentVersion

    public init(productID: UUID, document: Product.DocumentVersion) {
        self.productID = productID
        self.document = document
    }
}

/// The events of the product aggregate.
public enum ProductEvent: DomainEvent {
    case created(ProductCreated)
    case edited(ProductEdited)
    case retired(ProductRetired)
    case reactivated(ProductReactivated)
    case milestonePlanned(ProductMilestonePlanned)
    case milestoneReached(ProductMilestoneReached)
    case documentVersionAdded(ProductDocumentVersionAdded)

    public static let payloadTypes: [any EventPayload.Type] = [
        ProductCreated.self, ProductEdited.self, ProductRetired.self, ProductReactivated.self,
        ProductMilestonePlanned.self, ProductMilestoneReached.self, ProductDocumentVersionAdded.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .created(let p): return p
        case .edited(let p): return p
        case .retired(let p): return p
        case .reactivated(let p): return p
        case .milestonePlanned(let p): return p
        case .milestoneReached(let p): return p
        case .documentVersionAdded(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as ProductCreated: self = .created(p)
        case let p as ProductEdited: self = .edited(p)
        case let p as ProductRetired: self = .retired(p)
        case let p as ProductReactivated: self = .reactivated(p)
        case let p as ProductMilestonePlanned: self = .milestonePlanned(p)
        case let p as ProductMilestoneReached: self = .milestoneReached(p)
        case let p as ProductDocumentVersionAdded: self = .documentVersionAdded(p)
        default: return nil
        }
    }
}
