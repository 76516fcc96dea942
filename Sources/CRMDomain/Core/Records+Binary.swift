import EventSourcing
import Foundation

// Hand-written binary forms of the events that create a record (customers, contacts, tickets,
// opportunities, quotes) or edit one, and of the values they carry (external keys, pipelines, opportunity
// details, quote revisions, drafts and lines): a view rebuild reads one of them per record, so their keyed
// containers were the remaining cost of a rebuild. The same bytes as their `Codable` conformances write in
// the binary payload format (fields in declaration order, optionals tagged, string enums as their raw
// values, decimals as their text, arrays counted, `[String: V]` dictionaries as a count and their pairs in
// key order), so stored events stay valid; decoding them skips the keyed containers.
// `RecordBinaryFormsTests` holds both forms side by side. Never reorder or retype a field here without the
// `Codable` side.

/// A `[String: FieldValue]` as the coders write it (``StringKeyedDictionaryPayload``): a 4-byte count, then
/// each key and its value, keys sorted.
private func writeFields(_ fields: [String: FieldValue], to w: inout BinaryWriter) {
    let offset = w.reserveCount()
    w.patchCount(at: offset, fields.count)
    for key in fields.keys.sorted() {
        w.string(key)
        if let value = fields[key] { value.encode(toBinary: &w) }
    }
}

/// Reads what ``writeFields(_:to:)`` wrote (a repeated key keeps its last value, as the coder does).
private func readFields(from r: inout BinaryReader) throws -> [String: FieldValue] {
    let count = try r.count()
    var fields: [String: FieldValue] = [:]
    fields.reserveCapacity(count)
    for _ in 0..<count {
        let key = try r.string()
        fields[key] = try FieldValue(fromBinary: &r)
    }
    return fields
}

// Customers.

extension ExternalKey: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(system: try r.string(), key: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(system)
        w.string(key)
    }
}

extension CustomerCreated: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            customerID: try r.uuid(), kind: try r.rawValue(CustomerKind.self), name: try r.string(), group: try r.string(),
            industry: try r.optional { try $0.string() }, branch: try r.optional { try $0.string() },
            community: try r.optional { try $0.string() }, owner: try r.optional { try $0.string() },
            status: try r.rawValue(CustomerStatus.self), birthday: try r.optional { try LocalDate(fromBinary: &$0) },
            founded: try r.optional { try LocalDate(fromBinary: &$0) }, customFields: try readFields(from: &r),
            externalKeys: try r.array { try ExternalKey(fromBinary: &$0) })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        w.rawValue(kind)
        w.string(name)
        w.string(group)
        w.optional(industry) { $0.string($1) }
        w.optional(branch) { $0.string($1) }
        w.optional(community) { $0.string($1) }
        w.optional(owner) { $0.string($1) }
        w.rawValue(status)
        w.optional(birthday) { $1.encode(toBinary: &$0) }
        w.optional(founded) { $1.encode(toBinary: &$0) }
        writeFields(customFields, to: &w)
        w.array(externalKeys) { $1.encode(toBinary: &$0) }
    }
}

extension CustomerEdited: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(customerID: try r.uuid(), changes: try r.array { try FieldChange(fromBinary: &$0) })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        w.array(changes) { $1.encode(toBinary: &$0) }
    }
}

// Contacts.

extension ContactCreated: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            contactID: try r.uuid(), customerID: try r.uuid(), name: try r.string(), role: try r.rawValue(ContactRole.self),
            title: try r.optional { try $0.string() }, phone: try r.optional { try $0.string() },
            email: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(contactID)
        w.uuid(customerID)
        w.string(name)
        w.rawValue(role)
        w.optional(title) { $0.string($1) }
        w.optional(phone) { $0.string($1) }
        w.optional(email) { $0.string($1) }
    }
}

// Tickets.

extension TicketOpened: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            ticketID: try r.uuid(), channel: try r.rawValue(ContactChannel.self), kind: try r.rawValue(TicketKind.self),
            severity: try r.rawValue(TicketSeverity.self), customerID: try r.uuid(), subject: try r.string(),
            description: try r.optional { try $0.string() }, department: try r.string(), openedAt: try r.date(),
            responseDueAt: try r.date(), resolutionDueAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(ticketID)
        w.rawValue(channel)
        w.rawValue(kind)
        w.rawValue(severity)
        w.uuid(customerID)
        w.string(subject)
        w.optional(description) { $0.string($1) }
        w.string(department)
        w.date(openedAt)
        w.date(responseDueAt)
        w.date(resolutionDueAt)
    }
}

// Opportunities.

extension Pipeline: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(name: try r.string(), stages: try r.array { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(name)
        w.array(stages) { $0.string($1) }
    }
}

extension Opportunity.Details: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            customerID: try r.uuid(), title: try r.string(), source: try r.string(),
            expectedRevenue: try Money(fromBinary: &r), closeDate: try LocalDate(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        w.string(title)
        w.string(source)
        expectedRevenue.encode(toBinary: &w)
        closeDate.encode(toBinary: &w)
    }
}

extension OpportunityOpened: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            opportunityID: try r.uuid(), details: try Opportunity.Details(fromBinary: &r), pipeline: try Pipeline(fromBinary: &r),
            stage: try r.string(), owner: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(opportunityID)
        details.encode(toBinary: &w)
        pipeline.encode(toBinary: &w)
        w.string(stage)
        w.string(owner)
    }
}

extension OpportunityStageChanged: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(opportunityID: try r.uuid(), change: try FieldChange(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(opportunityID)
        change.encode(toBinary: &w)
    }
}

// Quotes.

extension QuoteLine: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            productID: try r.uuid(), productName: try r.string(), unitPrice: try Money(fromBinary: &r),
            quantity: try r.decimal(), discountPercent: try r.decimal())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(productID)
        w.string(productName)
        unitPrice.encode(toBinary: &w)
        w.decimal(quantity)
        w.decimal(discountPercent)
    }
}

extension QuoteDraft: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            lines: try r.array { try QuoteLine(fromBinary: &$0) }, discountPercent: try r.decimal(),
            validUntil: try r.optional { try LocalDate(fromBinary: &$0) }, note: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.array(lines) { $1.encode(toBinary: &$0) }
        w.decimal(discountPercent)
        w.optional(validUntil) { $1.encode(toBinary: &$0) }
        w.optional(note) { $0.string($1) }
    }
}

extension QuoteRevision: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            number: try r.int(), draft: try QuoteDraft(fromBinary: &r), author: try r.string(), authorRole: try r.string(),
            authorLimit: try r.optional { try $0.decimal() }, needsApproval: try r.bool(), createdAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.int(number)
        draft.encode(toBinary: &w)
        w.string(author)
        w.string(authorRole)
        w.optional(authorLimit) { $0.decimal($1) }
        w.bool(needsApproval)
        w.date(createdAt)
    }
}

extension QuoteCreated: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            quoteID: try r.uuid(), customerID: try r.uuid(), customerCode: try r.string(), number: try r.string(),
            revision: try QuoteRevision(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(quoteID)
        w.uuid(customerID)
        w.string(customerCode)
        w.string(number)
        revision.encode(toBinary: &w)
    }
}
