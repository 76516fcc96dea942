import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Which customers a list or a campaign's target selection takes (R-MKT-3): exact matches on the fields the
/// customer list rows hold, all of those given at once; nil (or empty) matches anything.
///
/// ```swift
/// let filter = CustomerFilter(group: "residential", branch: "north")
/// let page = try await engine.customers(as: principal, filter: filter, limit: 50)
/// ```
public struct CustomerFilter: Hashable, Sendable {
    public var group: String?
    public var branch: String?
    public var community: String?
    public var status: CustomerStatus?
    /// The account manager's employee id.
    public var owner: String?

    public init(group: String? = nil, branch: String? = nil, community: String? = nil, status: CustomerStatus? = nil, owner: String? = nil) {
        // An empty value is no filter, so `group=` and no `group` are the same list (and the same cursors).
        func given(_ value: String?) -> String? { value?.isEmpty == false ? value : nil }
        self.group = given(group)
        self.branch = given(branch)
        self.community = given(community)
        self.status = status
        self.owner = given(owner).map { Employee.canonicalID($0) }  // an employee id in upper case names the same owner
    }

    /// True when no field is filtered: every customer matches.
    public var isEmpty: Bool { parameters.allSatisfy { $0.value == nil } }

    /// The filters by name, in a fixed order, nil for those not given: the query parameters of the list and
    /// the terms of ``criteria``.
    public var parameters: [(name: String, value: String?)] {
        [("group", group), ("branch", branch), ("community", community), ("status", status?.rawValue), ("owner", owner)]
    }

    /// The filter as text, `name=value` joined by `&` in the order of ``parameters`` (e.g.
    /// `group=residential&branch=north`); `all customers` when nothing is filtered. Recorded as a target
    /// list's criteria.
    public var criteria: String { criteria(adding: []) }

    /// ``criteria`` with `extra` terms (name, value; nil: left out) after the filter's own.
    func criteria(adding extra: [(name: String, value: String?)]) -> String {
        let terms = (parameters + extra).compactMap { term in term.value.map { "\(term.name)=\($0)" } }
        return terms.isEmpty ? "all customers" : terms.joined(separator: "&")
    }

    /// Whether a customer with these fields matches.
    public func matches(group: String, branch: String?, community: String?, status: CustomerStatus, owner: String?) -> Bool {
        (self.group == nil || self.group == group) && (self.branch == nil || self.branch == branch)
            && (self.community == nil || self.community == community) && (self.status == nil || self.status == status)
            && (self.owner == nil || self.owner == owner)
    }

    /// Whether a customer list row matches (its branch, community and owner are those of its scope).
    public func matches(_ item: CustomerListItem) -> Bool {
        matches(group: item.group, branch: item.scope.branch, community: item.scope.community, status: item.status, owner: item.scope.owners.first)
    }
}

extension CRMEngine {
    /// The most customers one target selection records: the domain caps neither the count nor the list's
    /// size, but the list is one event, and 10,000 ids keep it far below the store's event size limit.
    public static let maxSelectedTargets = 10_000

    /// A target selection: the command's result and the target list recorded (on a repeat with the same
    /// idempotency key, the list the first request recorded).
    public struct TargetSelection: Sendable {
        public var result: CommandResult
        public var list: Campaign.TargetList
    }

    /// Selects a campaign's targets by criteria (R-MKT-3): the customers matching `filter` that `principal`
    /// may see — neither archived nor merged — in id order, recorded as the target list `listID` through
    /// `Campaign.Command.selectTargets`, with the whole selection as its criteria (``CustomerFilter/criteria``
    /// followed by `segment=…` and `birthdayMonth=…` when given).
    ///
    /// - `segment`: only customers in this RFM segment (R-ANA-3) as ``rfm(asOf:months:currency:partition:as:)``
    ///   scores them with its defaults — the 12 months up to each customer's today, in CNY, ranked globally,
    ///   among the customers `principal` may analyse (so one who may not analyse a customer never selects it by
    ///   segment). The name must be one of the settings' segment rules (the built-in ones without a scheme) or
    ///   `unclassified`: else `invalid`, field `segment`. Recorded as the list's segment too.
    /// - `birthdayMonth` (1…12): only persons whose recorded birthday falls in that month (greetings);
    ///   another month number is `invalid`, field `birthdayMonth`.
    /// - Refuses (`invalid`, field `filter`) a selection no visible customer matches, or one matching more than
    ///   ``maxSelectedTargets``: narrow it.
    /// - `expectedVersion`, `idempotencyKey` and `requestDigest` are those of ``execute(_:id:_:as:expectedVersion:idempotencyKey:requestDigest:causation:)``;
    ///   the campaign command is authorized as any other (a campaign the principal may not see: not found).
    /// - With `position`, the customer list (and the views the segment and birthday read) are read at least as new as it.
    public func selectTargets(
        campaign id: UUID, listID: UUID, filter: CustomerFilter, segment: String? = nil, birthdayMonth: Int? = nil, as principal: Principal,
        expectedVersion: StreamVersion? = nil, idempotencyKey: String? = nil, requestDigest: String? = nil,
        consistentWith position: GlobalPosition? = nil
    ) async throws -> TargetSelection {
        try requireOpen()
        let segment = segment?.isEmpty == false ? segment : nil
        if let birthdayMonth, !(1...12).contains(birthdayMonth) {
            throw EngineError(.invalid, field: "birthdayMonth", "a month number from 1 to 12")
        }
        var projections: Set<String> = [Self.customer360]
        if segment != nil { projections.formUnion(["customer-directory", Self.customerActivity]) }
        if birthdayMonth != nil { projections.insert("reminder-sources") }
        try await consistent(with: position, projections)
        var inSegment: Set<UUID>?
        if let segment { inSegment = try await customers(inSegment: segment, as: principal) }
        let born = try birthdayMonth.map { month in try views.read("reminder-sources") { try ReminderSourcesProjection.born(inMonth: month, in: $0) } }
        let now = clock.now()
        let limit = Self.maxSelectedTargets
        let page = try views.read(Self.customer360) { views in
            try Customer360Projection.list(in: views, order: .id, limit: limit + 1) { item in
                !item.isArchived && item.status != .merged && filter.matches(item)
                    && inSegment.map { $0.contains(item.id) } ?? true && born.map { $0.contains(item.id) } ?? true
                    && principal.may(.query, in: .customers, on: item.scope, at: now)
            }
        }
        guard page.items.count <= limit else {
            throw EngineError(.invalid, field: "filter", "more than \(limit) customers match; narrow the filter")
        }
        guard !page.items.isEmpty else {
            throw EngineError(.invalid, field: "filter", "no customer the caller may see matches")
        }
        let criteria = filter.criteria(adding: [("segment", segment), ("birthdayMonth", birthdayMonth.map { "\($0)" })])
        let list = Campaign.TargetList(id: listID, segment: segment, criteria: criteria, customerIDs: page.items.map(\.id))
        let result = try await execute(Campaign.self, id: id, .selectTargets(list), as: principal, expectedVersion: expectedVersion,
                                       idempotencyKey: idempotencyKey, requestDigest: requestDigest)
        guard result.repeated else {
            // Read only once the selection is recorded: a refused or repeated one read nothing new.
            for item in page.items { audit.record(principal: principal, record: Customer.stream(item.id).rawValue) }
            return TargetSelection(result: result, list: list)
        }
        // A repeat answers the list the first request recorded, not today's matches.
        let recorded = try await state(Campaign.self, id: id, as: principal).state.targetLists.first { $0.id == listID }
        return TargetSelection(result: result, list: recorded ?? list)
    }

    /// The customers `principal` may analyse whose RFM segment (``rfm(asOf:months:currency:partition:as:)``
    /// with its defaults: 12 months, CNY, global) is `name`; an unknown segment name is `invalid`, field `segment`.
    func customers(inSegment name: String, as principal: Principal) async throws -> Set<UUID> {
        let known = RFM.SegmentRule.rules(of: try await settings().rfmScheme).map(\.name) + ["unclassified"]
        guard known.contains(name) else {
            var names: [String] = []
            for known in known where !names.contains(known) { names.append(known) }
            throw EngineError(.invalid, field: "segment", "not a known RFM segment; one of: " + names.joined(separator: ", "))
        }
        return Set(try await rfm(currency: .cny, as: principal).filter { $0.segment == name }.map(\.customerID))
    }
}

extension ReminderSourcesProjection {
    /// The persons (neither archived nor merged) whose recorded birthday falls in `month` (1…12).
    static func born(inMonth month: Int, in views: any ViewReader) throws -> Set<UUID> {
        var out: Set<UUID> = []
        try views.scan(customers) { _, value in
            let row = try BinaryPayloadDecoder.decode(Row.self, from: value)
            if !row.archived, row.kind == .person, row.birthday?.month == month { out.insert(row.customerID) }
            return true
        }
        return out
    }
}
