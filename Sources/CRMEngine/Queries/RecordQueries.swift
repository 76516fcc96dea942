import CRMDomain
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

extension CRMEngine {
    /// The name of a read model, for ``ProjectionRunner/read(_:_:)``.
    static let customer360 = "customer-360"
    static let history = "modification-history"
    static let keywords = "keyword-index"
    static let activityLog = "contact-visit-log"

    /// Waits, when `position` is given, until the read models named have applied the log up to it: pass a
    /// command's ``CommandResult/position`` to read your own write.
    func consistent(with position: GlobalPosition?, _ names: Set<String>) async throws {
        guard let position, position > .start, try !views.hasReached(position, projections: names) else { return }
        // A position past the log's head is none a write of this log returned: refused at once, where waiting
        // for it would hold the query until the views' timeout.
        let head = try await store.headPosition()
        guard position <= head else {
            throw EngineError(.invalid, field: "consistentWith", "position \(position.rawValue) is beyond the log's head (\(head.rawValue))")
        }
        do {
            try await views.waitUntil(position, projections: names)
        } catch ViewError.timedOut {
            throw EngineError(.unavailable, field: "consistentWith", "the views did not reach position \(position.rawValue) in time; try again")
        } catch {
            // A close while waiting fails the wait (the views closed): the engine's `unavailable`.
            throw unlessClosed(error)
        }
    }

    /// A customer with its related records (R-CUS-4), as `principal` may see it: not found outside its
    /// scope, related records of modules it may not query left out, hidden custom fields removed. The read
    /// is recorded in the read audit.
    public func customer(_ id: UUID, as principal: Principal, consistentWith position: GlobalPosition? = nil) async throws -> Customer360 {
        try requireOpen()
        return try await customerRead(id, as: principal, consistentWith: position).view
    }

    /// A customer 360 read: the view as ``customer(_:as:consistentWith:)`` answers it, with the stamp of the
    /// rows it came from and whether the principal saw all of it.
    public struct CustomerRead: Sendable {
        public var view: Customer360
        /// The log position of the last event that changed this customer's view: the same stamp means the
        /// same complete view (an adapter may cache what it derives from a complete view under it).
        public var stamp: GlobalPosition
        /// True when nothing was left out for this principal: the view equals the stored one.
        public var isComplete: Bool
    }

    /// ``customer(_:as:consistentWith:)`` with the view's stamp. Decoded views are kept in a bounded cache
    /// (``Configuration/customerCacheSize``) checked against the stamp row read in the same snapshot, so a
    /// repeated read decodes one row instead of the customer's whole prefix.
    public func customerRead(_ id: UUID, as principal: Principal, consistentWith position: GlobalPosition? = nil) async throws -> CustomerRead {
        try requireOpen()
        try await consistent(with: position, [Self.customer360])
        let cache = customerViews
        let read: (Customer360, GlobalPosition)? = try views.read(Self.customer360) { reader in
            let stamp = try Customer360Projection.stamp(id, in: reader)
            if let stamp, let cached = cache.value(for: id, stamp: stamp) { return (cached, stamp) }
            guard let view = try Customer360Projection.customer(id, in: reader) else { return nil }
            if let stamp { cache.store(view, for: id, stamp: stamp) }
            return (view, stamp ?? .start)
        }
        guard let (view, stamp) = read else { throw EngineError.notFound() }
        let now = clock.now()
        guard principal.may(.query, in: .customers, on: view.scope, at: now) else { throw EngineError.notFound() }
        audit.record(principal: principal, record: Customer.stream(id).rawValue)
        // Hidden fields are decided on this customer (its scope), once; then asked per field.
        let seen = principal.fieldVisibility(on: view.scope)
        let hidesFields = seen.hidesAny && view.profile.customFields.indices.contains { i in
            let field = view.profile.customFields[i]
            return !seen.canSee(formGroup: field.formGroup, field: field.field)
        }
        // Kinds the principal may query whatever the scope: their records need no check of their own.
        var everywhere: [(kind: RecordKind, allowed: Bool)] = []
        func seenEverywhere(_ kind: RecordKind) -> Bool {
            if let known = everywhere.first(where: { $0.kind == kind }) { return known.allowed }
            let allowed = principal.mayEverywhere(.query, in: Permission.Module(kind), at: now)
            everywhere.append((kind, allowed))
            return allowed
        }
        // By index: iterating would copy every record (and retain its strings) just to read its kind.
        func allSeen(_ records: [RelatedRecord]) -> Bool { !records.indices.contains { !seenEverywhere(records[$0].kind) } }
        let hidesRevenue = !view.revenue.isEmpty && !principal.may(.query, in: .revenue, on: view.scope, at: now)
        // What most reads are (a principal seeing the whole view): the cached view as it is, not a copy.
        let allRelatedSeen = allSeen(view.contacts) && allSeen(view.openTasks) && allSeen(view.recentTasks)
            && allSeen(view.openTickets) && allSeen(view.recentTickets) && allSeen(view.recentActivity)
            && allSeen(view.openOpportunities) && allSeen(view.closedOpportunities) && allSeen(view.openQuotes)
            && allSeen(view.closedQuotes) && allSeen(view.contracts) && allSeen(view.endedContracts)
        if !hidesFields, !hidesRevenue, allRelatedSeen {
            return CustomerRead(view: view, stamp: stamp, isComplete: true)
        }
        var visible = view
        var complete = true
        if hidesFields {
            visible = view.hidingFields { seen.canSee(formGroup: $0.formGroup, field: $0.field) }
            complete = false
        }
        func keep(_ records: inout [RelatedRecord]) {
            if allSeen(records) { return }
            let before = records.count
            records.removeAll { !principal.may(.query, in: Permission.Module($0.kind), on: $0.scope, at: now) }
            if records.count != before { complete = false }
        }
        keep(&visible.contacts)
        keep(&visible.openTasks)
        keep(&visible.recentTasks)
        keep(&visible.openTickets)
        keep(&visible.recentTickets)
        keep(&visible.recentActivity)
        keep(&visible.openOpportunities)
        keep(&visible.closedOpportunities)
        keep(&visible.openQuotes)
        keep(&visible.closedQuotes)
        keep(&visible.contracts)
        keep(&visible.endedContracts)
        // Products held come from the contracts: only those the principal sees.
        if visible.contracts.count != view.contracts.count { visible.productsHeld = HeldProduct.held(in: visible.contracts) }
        if hidesRevenue {
            visible.revenue = []
            complete = false
        }
        return CustomerRead(view: visible, stamp: stamp, isComplete: complete)
    }

    /// A page of the customers `principal` may see that match `filter`, by name (or id), after the customer
    /// `after` — the last item's id of the previous page (nil for the first). Rows are filtered (scope and
    /// filter) before the limit is counted, so a page is full unless the list ends.
    ///
    /// The page continues from `after`'s place as the view holds it now (one by-id read: a cursor carries the
    /// id, never the name): after a rename, from the new name's place (customers between the two places may
    /// then be skipped or repeated); a customer that left `filter` meanwhile still marks its place. A customer
    /// unknown, or one `principal` may not see (any more), is refused alike — `invalid`, field `after`, so the
    /// answer never tells whether a customer outside the caller's scope exists: start again from the first page.
    ///
    /// ```swift
    /// var page = try await engine.customers(as: principal, limit: 50)
    /// while page.items.count == 50, let last = page.items.last { page = try await engine.customers(as: principal, after: last.id, limit: 50) }
    /// ```
    public func customers(
        as principal: Principal, order: Customer360Projection.ListOrder = .name, filter: CustomerFilter = CustomerFilter(),
        after: UUID? = nil, limit: Int = 50
    ) async throws -> Customer360Projection.Page {
        try requireOpen()
        let now = clock.now()
        let visible = { (item: CustomerListItem) in principal.may(.query, in: .customers, on: item.scope, at: now) }
        let page = try views.read(Self.customer360) { views in
            var cursor: [UInt8]?
            if let after {
                guard let position = try Customer360Projection.listPosition(of: after, order: order, in: views), visible(position.item) else {
                    throw EngineError(.invalid, field: "after", Self.customerCursorGone)
                }
                cursor = position.key
            }
            return try Customer360Projection.list(in: views, order: order, after: cursor, limit: limit) { item in
                filter.matches(item) && visible(item)
            }
        }
        for item in page.items { audit.record(principal: principal, record: Customer.stream(item.id).rawValue) }
        return page
    }

    /// Why ``customers(as:order:filter:after:limit:)`` refuses its `after`: the same words for a customer
    /// unknown and for one outside the caller's scope.
    public static let customerCursorGone = "the customer this page continues after is not in the list you may see (any more); start again from the first page"

    /// The records of type `A` that `principal` may query, in id order (the stream name's), after the record
    /// `after`, at most `limit` — with each one's state and version. For small collections without a view
    /// of their own (the product catalog, campaigns, surveys): read from the modification history's stream
    /// index, each state folded from its stream. Records outside the caller's scope are left out.
    public func records<A: EngineRecord>(_ type: A.Type, after: UUID? = nil, limit: Int = 100, as principal: Principal,
                                         consistentWith position: GlobalPosition? = nil) async throws -> [(id: UUID, state: A.State, version: StreamVersion)] {
        try requireOpen()
        try await consistent(with: position, [Self.history])
        var out: [(id: UUID, state: A.State, version: StreamVersion)] = []
        var last = after.map { A.streamID($0).rawValue }
        let prefixLength = A.category.count + 1
        while out.count < limit {
            let streams = try views.read(Self.history) { try ModificationHistory.streams(category: A.category, in: $0, after: last, limit: limit) }
            guard !streams.isEmpty else { break }
            for stream in streams where out.count < limit {
                last = stream.rawValue
                guard let id = UUID(text: String(stream.rawValue.dropFirst(prefixLength))) else { continue }
                do {
                    let (state, version) = try await self.state(A.self, id: id, as: principal)
                    out.append((id, state, version))
                } catch let error as EngineError where error.code == .notFound {
                    continue
                }
            }
        }
        return out
    }

    /// A record's modification history (R-LOG-5): when, who, from where, field, old → new — oldest first.
    /// Not found when `principal` may not query the record, judged as reading it is (``mayQueryRecord(_:viewScope:as:decisions:)``:
    /// an assignee reads a task's history as they read the task); hidden custom fields are left out, and so
    /// is a board post's body (and its flagged words) hidden now from whoever may not moderate the board
    /// (``withholdingHiddenPosts(_:of:as:at:)``), as the thread's reads and raw events withhold it.
    ///
    /// `decisions`: what a reader that asks again and again (the `/v1/events` stream) judged before, used
    /// again while still fit for this page (``ReadDecisions``); nil judges the record afresh. The read is
    /// recorded in the read audit as `history:<stream>` — with `decisions`, once per record for that reader.
    public func history(of stream: StreamID, as principal: Principal, after: StreamVersion? = nil, limit: Int = 100,
                        consistentWith position: GlobalPosition? = nil, decisions: ReadDecisions? = nil) async throws -> [HistoryEntry] {
        try requireOpen()
        try await consistent(with: position, [Self.history])
        // The record's events from the log, as far as the view has indexed them (it adds the record's
        // customer and scopes).
        let indexed = try views.checkpoint(of: Self.history)
        let from = StreamVersion((after?.rawValue ?? 0) + 1)
        let page = try await store.readStream(stream, from: from, direction: .forward, limit: max(0, limit))
            .prefix { $0.position <= indexed }.map(projectionEvent)
        // A board post hidden now keeps its body from whoever may not moderate the board (the board's reads' rule).
        let events = try await withholdingHiddenPosts(page, of: stream, as: principal, at: clock.now())
        // A quote revision's previous terms are looked up (the quote loaded) only for a caller who may read it.
        var entries = try views.read(Self.history) { try ModificationHistory.history(of: stream, events: events, in: $0) }
        guard let first = entries.first else {
            // An empty page (paged past the end) is empty for a caller who may see the record (its scope now,
            // as on any page), and "not found" for anyone else, as for a record that does not exist: it must
            // not tell that the record is there. A record the view has not indexed yet is not found either.
            guard let scope = try views.read(Self.history, { try ModificationHistory.scope(of: stream, in: $0) }),
                  try await mayQueryRecord(stream, viewScope: scope, as: principal)
            else { throw EngineError.notFound() }
            return []
        }
        if let decisions, let last = entries.last { try await refresh(decisions, for: last.position, as: principal) }
        guard try await mayQueryRecord(stream, viewScope: first.scope, as: principal, decisions: decisions) else { throw EngineError.notFound() }
        if events.contains(where: { $0.payload is QuoteRevised }) {
            let replaced = try await replacedQuoteRevisions(events)
            entries = try views.read(Self.history) { try ModificationHistory.history(of: stream, events: events, replaced: replaced, in: $0) }
        }
        // One reader's reads of a record (the events stream: one read per event) are recorded once (ReadDecisions).
        if decisions?.needsAudit(of: stream, as: principal) ?? true { audit.record(principal: principal, record: "history:" + stream.rawValue) }
        return entries.map { hidingFields($0, from: principal) }
    }

    /// A customer's history with every record linked to it, in log order; entries of records `principal`
    /// may not query — judged as ``history(of:as:after:limit:consistentWith:decisions:)`` judges each record
    /// (its binding's module, its scope from its state now, `mayRead`) — are left out, and the page is filled
    /// with the next ones it may (a page shorter than `limit` is the last).
    public func history(ofCustomer id: UUID, as principal: Principal, after: GlobalPosition? = nil, limit: Int = 100,
                        consistentWith position: GlobalPosition? = nil) async throws -> [HistoryEntry] {
        try requireOpen()
        return try await customerHistory(id, as: principal, from: after, limit: limit, consistentWith: position) { views, cursor in
            try ModificationHistory.trail(ofCustomer: id, in: views, after: cursor, limit: limit)
        }
    }

    /// A customer's history as ``history(ofCustomer:as:after:limit:consistentWith:)`` gives it, but newest
    /// first: the latest `limit` entries `principal` may see before position `before` (all when nil). Pass
    /// the last entry's position as `before` for the page after. It reads only as far back as the page needs.
    public func latestHistory(ofCustomer id: UUID, as principal: Principal, before: GlobalPosition? = nil, limit: Int = 100,
                              consistentWith position: GlobalPosition? = nil) async throws -> [HistoryEntry] {
        try requireOpen()
        return try await customerHistory(id, as: principal, from: before, limit: limit, consistentWith: position) { views, cursor in
            try ModificationHistory.latestTrail(ofCustomer: id, in: views, before: cursor, limit: limit)
        }
    }

    /// The pages of a customer's trail that `trail` reads from a cursor (exclusive), filled with what
    /// `principal` may query.
    private func customerHistory(
        _ id: UUID, as principal: Principal, from start: GlobalPosition?, limit: Int, consistentWith position: GlobalPosition?,
        trail read: (any ViewReader, GlobalPosition?) throws -> ModificationHistory.Trail
    ) async throws -> [HistoryEntry] {
        try await consistent(with: position, [Self.history])
        let now = clock.now()
        var visible: [HistoryEntry] = []
        var cursor = start
        var checked = false
        // Each linked record is judged once per call, as its own history judges it (its state now: a task's
        // assignee among its owners), and each customer's scope is read once; a record of a module the
        // principal may query over all data (its binding's `mayRead` the default) is not read at all.
        let decisions = ReadDecisions(capacity: .max)
        while true {
            let trail = try views.read(Self.history) { try read($0, cursor) }
            let entries = try await historyEntries(trail)
            if !checked {
                // Paged past its end, a customer's history is an empty page, not "not found".
                var exists = !entries.isEmpty
                if !exists, start != nil { exists = try await store.streamVersion(of: Customer.stream(id)) != .noStream }
                guard exists, principal.may(.query, in: .customers, on: trail.scope, at: now) else { throw EngineError.notFound() }
                checked = true
                // The customer itself was judged just now, on its scope now as the view has it (the customer
                // binding's own scope): neither its decision nor its scope for its records needs its stream folded.
                decisions.decisions[Customer.stream(id)] = true
                decisions.customerScopes[id] = trail.scope
            }
            for entry in entries {
                if visible.count == limit { break }  // the page is full: the rest need no judging
                // Whoever may query the record's module over all data reads it without its stream being read.
                if !mayQueryEverywhere(entry.stream, as: principal, at: now) {
                    guard try await mayQueryRecord(entry.stream, viewScope: entry.scope, as: principal, decisions: decisions) else { continue }
                }
                visible.append(hidingFields(entry, from: principal))
            }
            guard visible.count < limit, trail.points.count == limit, let last = trail.points.last else { break }
            cursor = last.position
        }
        audit.record(principal: principal, record: "history:" + Customer.stream(id).rawValue)
        return Array(visible.prefix(limit))
    }

    /// Records across modules whose text (or whose customer's name) holds every word of `text` (R-ANA-6),
    /// limited to what `principal` may query: the first `limit` of ``search(_:as:after:limit:)``. Besides the
    /// keyword index's records (customers, contacts, opportunities, quotes, tickets, contracts, campaigns,
    /// surveys and survey responses) it finds contact log entries and visits, from the contact and visit log.
    /// With `consistentWith` (a command's ``CommandResult/position``), it waits until both views hold that write.
    public func search(_ text: String, as principal: Principal, limit: Int = 50, consistentWith position: GlobalPosition? = nil) async throws -> [SearchHit] {
        try requireOpen()
        return try await search(text, as: principal, after: nil, limit: limit, consistentWith: position).items
    }

    /// A page of the search: best first (score, kind, title, id; ``KeywordIndex/search(_:in:after:limit:where:)``),
    /// the hits `principal` may query after `after` — nil for the first page, else the `next` of the page
    /// before for the same `text`. `next` is set when more hits follow.
    ///
    /// A cursor names the page's last hit (kind, id, score), never its title (a person's or contact's name,
    /// a ticket's subject): the page continues from that hit's place as the index holds it now (one by-id
    /// read) — after a title change, from the new title's place (hits between the two may then be skipped or
    /// repeated); a hit that no longer matches `text` still marks its place. A hit unknown, or one
    /// `principal` may not query (any more), is refused alike — `invalid`, field `after`, so the answer never
    /// tells whether a record outside the caller's scope exists: start again from the first page.
    ///
    /// ```swift
    /// var page = try await engine.search("acme", as: principal, after: nil, limit: 20)
    /// while let next = page.next { page = try await engine.search("acme", as: principal, after: next, limit: 20) }
    /// ```
    ///
    /// A record found (partly) through its customer's name — a term missing from its own text — is a hit
    /// only for whoever may also query that customer: it would tell the name word by word. A hit whose
    /// customer the principal may not query (its own record found by its own words: an assignee's ticket)
    /// carries only the record's own owners as its scope, not that customer's branch, group or owner.
    ///
    /// `consistentWith`: a command's ``CommandResult/position`` — the search waits until the views it reads
    /// (the keyword index, the contact and visit log) hold that write, to find one's own write.
    public func search(_ text: String, as principal: Principal, after: [UInt8]?, limit: Int = 50,
                       consistentWith position: GlobalPosition? = nil) async throws -> WorkProjections.Page<SearchHit> {
        try requireOpen()
        try await consistent(with: position, [Self.keywords, Self.activityLog])
        let now = clock.now()
        let ownTextScore = 2 * Keywords.queryTerms(text).count
        // Two views, each its own snapshot: contact log entries and visits join from the contact and visit log.
        let page = try views.read(Self.keywords) { keywords in
            // Whether the principal may query a customer, each customer judged once (nil: no such customer).
            var seesCustomer: [UUID: (sees: Bool, scope: RecordScope)] = [:]
            func customer(_ id: UUID) -> (sees: Bool, scope: RecordScope)? {
                if let known = seesCustomer[id] { return known }
                guard let scope = try? CustomerScopes.scope(of: id, in: keywords) else { return nil }
                let answer = (principal.may(.query, in: .customers, on: scope, at: now), scope)
                seesCustomer[id] = answer
                return answer
            }
            var page = try views.read(Self.activityLog) { activity in
                do {
                    return try KeywordIndex.search(text, in: keywords, activityLog: activity, after: after, limit: limit) { hit in
                        guard principal.may(.query, in: Permission.Module(hit.kind), on: hit.scope, at: now) else { return false }
                        guard hit.kind != .customer, let id = hit.customerID, hit.score < ownTextScore else { return true }
                        return customer(id)?.sees == true
                    }
                } catch is KeywordIndex.PlaceGone {
                    throw EngineError(.invalid, field: "after", Self.searchCursorGone)
                }
            }
            for i in page.items.indices where page.items[i].kind != .customer {
                guard let id = page.items[i].customerID, let known = customer(id), !known.sees else { continue }
                let own = page.items[i].scope.owners.filter { !known.scope.owners.contains($0) }
                page.items[i].scope = RecordScope(owners: own)
            }
            return page
        }
        auditCustomers(page.items.map(\.customerID), principal: principal)
        return page
    }

    /// Why ``search(_:as:after:limit:consistentWith:)`` refuses its `after`: the same words for a hit unknown
    /// and for one outside the caller's scope.
    public static let searchCursorGone = "the hit this page continues after is not among those you may see (any more); start again from the first page"

    /// One read-audit entry per customer whose data a list answered (R-LOG-8), each customer once.
    func auditCustomers(_ customers: [UUID?], principal: Principal) {
        var seen = Set<UUID>()
        for case let customer? in customers where seen.insert(customer).inserted {
            audit.record(principal: principal, record: Customer.stream(customer).rawValue)
        }
    }

    /// Contact log entries and visits, newest first, filtered; with `text`, only those whose notes hold it.
    /// Entries outside `principal`'s scope are left out: the first `limit` of ``activity(as:text:filter:after:limit:)``.
    public func activity(
        as principal: Principal, text: String? = nil, filter: ContactVisitLog.Filter = .init(), limit: Int = 50,
        consistentWith position: GlobalPosition? = nil
    ) async throws -> [ActivityEntry] {
        try requireOpen()
        return try await activity(as: principal, text: text, filter: filter, after: nil, limit: limit, consistentWith: position).items
    }

    /// A page of the activity: contact log entries and visits `principal` may query, newest first (then by
    /// id), of `filter`'s customer or employee or holding the words `text`, after `after` — nil for the first
    /// page, else the `next` of the page before with the same `text` and `filter`. `next` is set when more
    /// entries follow. The filter's other fields (kind, channel, contact person, time) only narrow: one of
    /// customer, employee or text is required. With `consistentWith` (a command's ``CommandResult/position``),
    /// it waits until the contact and visit log holds that write.
    ///
    /// ```swift
    /// let withWang = try await engine.activity(as: principal, filter: .init(customerID: acme, contactID: wang), after: nil)
    /// ```
    public func activity(
        as principal: Principal, text: String? = nil, filter: ContactVisitLog.Filter = .init(), after: [UInt8]?, limit: Int = 50,
        consistentWith position: GlobalPosition? = nil
    ) async throws -> WorkProjections.Page<ActivityEntry> {
        try requireOpen()
        try await consistent(with: position, [Self.activityLog])
        let now = clock.now()
        let include = { (entry: ActivityEntry) in principal.may(.query, in: Permission.Module(entry.kind), on: entry.scope, at: now) }
        let page = try views.read(Self.activityLog) { views in
            if let text, !text.isEmpty {
                return try ContactVisitLog.search(text, in: views, filter: filter, after: after, limit: limit, where: include)
            }
            let page: ContactVisitLog.Page
            if let customer = filter.customerID {
                page = try ContactVisitLog.log(ofCustomer: customer, in: views, filter: filter, after: after, limit: limit, where: include)
            } else if let employee = filter.employee {
                page = try ContactVisitLog.log(ofEmployee: employee, in: views, filter: filter, after: after, limit: limit, where: include)
            } else {
                throw EngineError(.invalid, field: "filter", "give a customer, an employee or words to search for")
            }
            return WorkProjections.Page(items: page.entries, next: page.more ? page.cursor : nil)
        }
        auditCustomers(page.items.map(\.customerID), principal: principal)
        return page
    }

    /// The entries of a customer's trail, from its events in the log (ARCHITECTURE decision 8): the view
    /// holds where they are, the log what they say.
    private func historyEntries(_ trail: ModificationHistory.Trail) async throws -> [HistoryEntry] {
        var events: [GlobalPosition: ProjectionEvent] = [:]
        for event in try await store.readEvents(at: trail.points.map(\.position)) { events[event.position] = try projectionEvent(event) }
        let replaced = try await replacedQuoteRevisions(Array(events.values))
        return ModificationHistory.entries(trail, replaced: replaced) { events[$0] }
    }

    /// A recorded event with its payload decoded (upcast to the current schema).
    func projectionEvent(_ recorded: RecordedEvent) throws -> ProjectionEvent {
        ProjectionEvent(
            id: recorded.id, stream: recorded.stream, streamVersion: recorded.streamVersion, position: recorded.position,
            recordedAt: recorded.recordedAt, metadata: recorded.metadata,
            payload: try registry.decode(recorded.type, schemaVersion: recorded.schemaVersion, from: recorded.payload))
    }

    /// A customer's history entry as `principal` may see it: a custom field hidden from it in the form of a
    /// group the customer was in when the change was made — before or after the event (a change of group
    /// clears the old group's fields and sets the new one's) — or of the group it is in now is left out, as
    /// ``Customer/visible(_:to:current:at:)`` does for a state of the past — and so for the customer's scope:
    /// hidden on the customer where it is now, where the event left it or (a move) where it was before. The
    /// one rule of every history path
    /// (a record's, a customer's with its linked records, the events stream, `crm history`, the console's
    /// timeline).
    func hidingFields(_ entry: HistoryEntry, from principal: Principal) -> HistoryEntry {
        guard entry.stream.category == Customer.category, !principal.isSystem, !principal.permissions.hiddenSomewhere.isEmpty else { return entry }
        var groups = Set([entry.scope.group, entry.scopeAtEvent?.group].compactMap { $0 })
        for change in entry.changes where change.field == "group" {
            groups.formUnion([change.old?.textValue, change.new?.textValue].compactMap { $0 })
        }
        var seen = principal.fieldVisibility(on: entry.scope)
        if let atEvent = entry.scopeAtEvent {
            if atEvent != entry.scope { seen = seen.combined(with: principal.fieldVisibility(on: atEvent)) }
            // An edit that moved the customer: where it was before too.
            if entry.eventType == CustomerEdited.eventType {
                var before = atEvent
                for change in entry.changes {
                    switch change.field {
                    case "branch": before.branch = change.old?.textValue
                    case "community": before.community = change.old?.textValue
                    case "group": before.group = change.old?.textValue
                    case "owner": before.owners = change.old?.textValue.map { [$0] } ?? []
                    default: continue
                    }
                }
                if before != atEvent { seen = seen.combined(with: principal.fieldVisibility(on: before)) }
            }
        }
        let prefix = Customer.customFieldPrefix
        var e = entry
        e.changes = entry.changes.filter { change in
            guard change.field.hasPrefix(prefix) else { return true }
            let field = String(change.field.dropFirst(prefix.count))
            // No group known (never for a customer the view has indexed): nothing of a hidden field shown.
            return !groups.isEmpty && groups.allSatisfy { seen.canSee(formGroup: $0, field: field) }
        }
        return e
    }
}
