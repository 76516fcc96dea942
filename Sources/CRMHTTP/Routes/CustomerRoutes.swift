import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    func addCustomerRoutes(to v1: RouterGroup<CRMRequestContext>) {
        v1.post("customers") { request, context in try await createCustomer(request, context) }
        v1.get("customers") { request, context in try await listCustomers(request, context) }
        v1.get("customers/:id") { request, context in try await customer(request, context) }
        v1.patch("customers/:id") { request, context in try await editCustomer(request, context) }
        v1.get("customers/:id/history") { request, context in try await customerHistory(request, context) }
        addCustomerLifecycleRoutes(to: v1)
    }

    func createCustomer(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let body = try await body(request)
        let id = try newID(body, request, context)
        let new = NewCustomer(
            kind: try body.enumValue("kind", CustomerKind.self), name: try body.string("name", max: 500),
            group: try body.string("group", max: 100), industry: try body.optionalString("industry", max: 200),
            branch: try body.optionalString("branch", max: 100), community: try body.optionalString("community", max: 100),
            owner: try body.optionalString("owner", max: 100), status: try body.optionalEnum("status", CustomerStatus.self) ?? .prospect,
            birthday: try body.optionalDay("birthday"), founded: try body.optionalDay("founded"),
            customFields: try customFields(body), externalKeys: try externalKeys(body))
        try body.finish()
        return try await execute(Customer.self, id: id, .create(customerID: id, new, form: .empty(group: new.group)),
                                 request: request, context: context, created: "/v1/customers", body: body)
    }

    func editCustomer(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let id = try pathID(context)
        let body = try await body(request)
        var edit = CustomerEdit(
            name: try body.unclearableString("name", max: 500), group: try body.unclearableString("group", max: 100),
            industry: try body.patch("industry") { $0 }, branch: try body.patch("branch") { $0 },
            community: try body.patch("community") { $0 }, owner: try body.patch("owner") { $0 },
            birthday: try body.patch("birthday") { LocalDate($0) }, founded: try body.patch("founded") { LocalDate($0) })
        if let values = try body.optionalObject("customFields") {
            // A value sets the field, null clears it.
            for (key, value) in values.all() {
                if value == .null { edit.clearCustomFields.append(key) } else { edit.setCustomFields[key] = try FieldValue.from(value, field: "customFields." + key) }
            }
        }
        try body.finish()
        return try await execute(Customer.self, id: id, .edit(edit, form: .empty(group: edit.group ?? "")), request: request, context: context,
                                 body: body)
    }

    /// The customer 360 with `ETag` = the customer's stream version; with `asOf` (an RFC 3339 instant or a
    /// log position, ``asOf(_:_:)``), the customer's own state then.
    func customer(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try pathID(context)
        let query = QueryParameters(request: request)
        if let point = try await asOf(query) {
            // The engine leaves out the custom fields hidden from the principal (in the form then or now).
            let (state, version) = try await engine.state(Customer.self, id: id, asOf: point, as: principal)
            return try JSONOutput.response(moneyAsText: CustomerStateAnswer(state, version: version), version: version)
        }
        // The view is read at least as new as the stream's last event, so the body matches the ETag.
        let last = try await lastEvent(of: Customer.stream(id))
        let consistent = max(last?.position ?? .start, try query.position("consistentWith") ?? .start)
        let read = try await engine.customerRead(id, as: principal, consistentWith: consistent)
        // A complete view is the same for every caller: its document is kept under the view's stamp.
        let cacheable = read.isComplete && read.stamp > .start
        if cacheable, let document = customerDocuments.value(for: id, stamp: read.stamp) {
            return JSONOutput.response(buffer: document, version: last?.streamVersion)
        }
        let document = ByteBuffer(bytes: try Customer360JSON.encode(read.view))
        if cacheable { customerDocuments.store(document, for: id, stamp: read.stamp) }
        return JSONOutput.response(buffer: document, version: last?.streamVersion)
    }

    /// A stream's last event (nil when it has none): its version is the record's ETag, its position how new
    /// a view must be to match it. Read before the engine authorizes the query, so only ever answered after it.
    func lastEvent(of stream: StreamID) async throws -> RecordedEvent? {
        try await engine.store.readStream(stream, from: StreamVersion(UInt64.max), direction: .backward, limit: 1).first
    }

    /// The customers the caller may see, by name, with the filters `group`, `branch`, `community`, `status`
    /// and `owner` (exact matches, all those given); a cursor pages only the list with the same filters.
    /// The cursor holds the page's last customer's id, never its name (``PagedList/afterID(_:)``): the engine
    /// finds its place by id, and refuses (400 naming `after`) one unknown or no longer visible to the caller.
    func listCustomers(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 50, max: configuration.maxPageSize)
        let filter = try customerFilter(query)
        let list = PagedList("/v1/customers", filters: filter.parameters, limit: limit)
        let after = try list.afterID(query)
        try await waitForView("customer-360", query)
        let page: Customer360Projection.Page
        do {
            page = try await engine.customers(as: principal, filter: filter, after: after, limit: limit)
        } catch let error as EngineError where error.code == .invalid && error.field == "after" {
            throw Problem.invalid("after", error.message)
        }
        let last = page.items.count == limit ? page.items.last : nil
        return try JSONOutput.response(list.answer(page.items, next: last.map { PagedList.key($0.id) }))
    }

    func customerHistory(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // The whole trail is the answer (each entry says when): a history has no past state to give.
        try refuseAsOf(request, "a history is not available as of a point: it lists every change with its time")
        let id = try pathID(context)
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let after = try query.position("after")
        let entries = try await engine.history(ofCustomer: id, as: principal, after: after, limit: limit,
                                               consistentWith: try query.position("consistentWith"))
        let next = entries.count == limit ? entries.last.map { "\($0.position.rawValue)" } : nil
        return try JSONOutput.response(moneyAsText: PageAnswer(
            items: entries, after: next, next: next.map { "/v1/customers/\(id.lowercasedString)/history?limit=\(limit)&after=\($0)" }))
    }

    private func customFields(_ body: JSONObjectReader) throws -> [String: FieldValue] {
        guard let values = try body.optionalObject("customFields") else { return [:] }
        var fields: [String: FieldValue] = [:]
        for (key, value) in values.all() { fields[key] = try FieldValue.from(value, field: "customFields." + key) }
        return fields
    }

    private func externalKeys(_ body: JSONObjectReader) throws -> [ExternalKey] {
        guard let items = try body.optionalArray("externalKeys", max: 20) else { return [] }
        return try items.enumerated().map { index, item in
            guard case .object(let members) = item else { throw Problem.invalid("externalKeys[\(index)]", "expected {\"system\": …, \"key\": …}") }
            let reader = JSONObjectReader(members, path: "externalKeys[\(index)].")
            let key = ExternalKey(system: try reader.string("system", max: 32), key: try reader.string("key", max: 128))
            try reader.finish()
            return key
        }
    }
}

/// A customer's own state (as of a point in the past, or found by an external key), with its version then.
struct CustomerStateAnswer: Encodable {
    var id: UUID?
    var version: UInt64
    var kind: CustomerKind
    var name: String
    var group: String
    var industry: String?
    var branch: String?
    var community: String?
    var owner: String?
    var status: CustomerStatus
    var isArchived: Bool
    var birthday: LocalDate?
    var founded: LocalDate?
    var customFields: [String: FieldValue]
    var externalKeys: [ExternalKey]
    var mergedInto: UUID?
    /// The duplicates merged into this customer.
    var absorbed: [UUID]
    /// Why the customer is suspended (only while it is).
    var suspensionReason: String?
    /// The account holder after a transfer of ownership (absent while it is the customer itself).
    var transferredTo: String?
    /// Every appointment, in any status, in the order they were scheduled.
    var appointments: [Appointment]
    /// Every installation, removed ones too (`isActive` false).
    var installations: [Installation]

    init(_ s: Customer.State, version: StreamVersion) {
        id = s.id
        self.version = version.rawValue
        kind = s.kind
        name = s.name
        group = s.group
        industry = s.industry
        branch = s.branch
        community = s.community
        owner = s.owner
        status = s.status
        isArchived = s.isArchived
        birthday = s.birthday
        founded = s.founded
        customFields = s.customFields
        externalKeys = s.externalKeys
        mergedInto = s.mergedInto
        absorbed = s.absorbed
        suspensionReason = s.suspensionReason
        transferredTo = s.transferredTo
        appointments = s.appointments
        installations = s.installations
    }
}

extension Routes {
    /// The point in the log the query parameter `name` names (nil without it), read as every adapter reads
    /// as-of text (``AsOf/parse(_:instant:)``): a log position (plain digits, no leading zero), or an RFC 3339
    /// instant covering the whole unit it is written to (`…T08:00:48Z` up to 08:00:48.999999), so that a
    /// `recordedAt` an answer shows, given back, includes that change. Anything else, and a position beyond the
    /// log's head (no state was ever at it), is a 400 naming the parameter. For every route that answers a
    /// record as of a point (then ``CRMEngine/state(_:id:asOf:as:)``).
    func asOf(_ query: QueryParameters, _ name: String = "asOf") async throws -> AsOf? {
        guard let text = query.string(name) else { return nil }
        guard let point = AsOf.parse(text, instant: parseInstant) else {
            throw Problem.invalid(name, "expected an RFC 3339 instant or a log position (plain digits)")
        }
        if case .position(let position) = point {
            let head = try await engine.store.headPosition()
            guard position <= head else { throw Problem.invalid(name, "position \(position.rawValue) is beyond the log's head (\(head.rawValue))") }
        }
        return point
    }
}
