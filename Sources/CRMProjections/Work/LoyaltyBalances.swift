import CRMDomain
import EventSourcing
import Foundation

/// Loyalty points balances per customer (R-CUS-8): the recorded balance, totals accrued, redeemed,
/// expired and clawed back, the last movements, and the open lots so the points usable on a given day (lots earned by then
/// and not past their expiry, even before an expiry is recorded) are computed at query time. An index of the lots by
/// expiry day lets the scheduler find the accounts with points to expire without reading every lot.
///
/// ```swift
/// let balance = try LoyaltyBalances.balance(of: customerID, on: today, in: views)
/// ```
public struct LoyaltyBalances: Projection {
    public let name = "loyalty-balances"
    /// 2: the `expiries` index. 3: clawbacks (`PointsClawedBack`) apart from redemptions (`clawedBack`, movement kind `clawback`).
    public let version: UInt32 = 3

    /// `customerID → Account`.
    public static let accounts = ViewTable("accounts")
    /// `customerID + lotID → Lot`: lots with points left.
    public static let lots = ViewTable("lots")
    /// `expiresOn (text) + customerID + lotID → empty`: lots with points left that expire, by day.
    public static let expiries = ViewTable("expiries")

    /// How many movements an account keeps (newest first).
    public static let movementsKept = 10

    public var tables: [ViewTable] { [Self.accounts, Self.lots, Self.expiries, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([PointsAccrued.eventType, PointsRedeemed.eventType, PointsExpired.eventType, PointsClawedBack.eventType])
    }

    public init() {}

    /// One movement of a customer's points.
    public struct Movement: Codable, Hashable, Sendable {
        /// `clawback`: points taken back because what earned them was undone (a revenue entry reversed).
        public enum Kind: String, Codable, Hashable, Sendable { case accrual, redemption, expiry, clawback }
        public var kind: Kind
        /// Positive for accruals, negative for redemptions, expiries and clawbacks.
        public var points: Int
        public var day: LocalDate
        public var reason: String
        /// Where it sits in the log.
        public var position: UInt64
    }

    /// A customer's points account.
    public struct Account: Codable, Hashable, Sendable {
        public var customerID: UUID
        /// Accrued − redeemed − expired − clawed back: the balance until an expiry is due.
        public var balance: Int
        public var accrued: Int
        public var redeemed: Int
        public var expired: Int
        /// Points taken back because what earned them was undone (not redeemed: the customer spent nothing).
        public var clawedBack: Int
        /// The last ``LoyaltyBalances/movementsKept`` movements, newest first.
        public var lastMovements: [Movement]
        /// The customer's scope.
        public var scope: RecordScope
    }

    /// A lot with points left.
    public struct Lot: Codable, Hashable, Sendable {
        public var lotID: UUID
        public var source: AccrualSource
        public var remaining: Int
        public var earnedOn: LocalDate
        /// The first day the points are no longer valid; nil: never.
        public var expiresOn: LocalDate?
    }

    /// An account as seen on one day.
    public struct Balance: Hashable, Sendable {
        public var account: Account
        /// Points usable on the day: the remaining points of lots earned by then and not expired on it
        /// (points earned on a later day count in neither this nor ``pendingExpiry``; the account's balance has them).
        public var usable: Int
        /// Remaining points of lots past their expiry on the day whose expiry is not recorded yet.
        public var pendingExpiry: Int
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        if let customerID = WorkProjections.customerChanged(by: event) {
            let scope = try CustomerScopes.scope(of: customerID, in: views)
            let key = ViewKey().uuid(customerID).bytes
            guard var account = try views.row(Account.self, forKey: key, in: Self.accounts), account.scope != scope else { return }
            account.scope = scope
            try views.put(row: account, forKey: key, in: Self.accounts)
            return
        }
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as PointsAccrued:
            try views.put(row: Lot(lotID: e.lotID, source: e.source, remaining: e.points, earnedOn: e.earnedOn, expiresOn: e.expiresOn),
                          forKey: ViewKey().uuid(e.customerID).uuid(e.lotID).bytes, in: Self.lots)
            if let expiresOn = e.expiresOn {
                try views.put([], forKey: Self.expiryKey(expiresOn, customer: e.customerID, lot: e.lotID), in: Self.expiries)
            }
            try move(e.customerID, Movement(kind: .accrual, points: e.points, day: e.earnedOn, reason: e.reason, position: event.position.rawValue),
                     in: views)
        case let e as PointsRedeemed:
            try draw(e.draws, customer: e.customerID, in: views)
            try move(e.customerID, Movement(kind: .redemption, points: -e.points, day: e.redeemedOn, reason: e.reason,
                                            position: event.position.rawValue), in: views)
        case let e as PointsClawedBack:
            try draw(e.draws, customer: e.customerID, in: views)
            try move(e.customerID, Movement(kind: .clawback, points: -e.points, day: e.clawedBackOn, reason: e.reason,
                                            position: event.position.rawValue), in: views)
        case let e as PointsExpired:
            try draw(e.draws, customer: e.customerID, in: views)
            try move(e.customerID, Movement(kind: .expiry, points: -e.points, day: e.asOf, reason: "expired", position: event.position.rawValue),
                     in: views)
        default:
            return
        }
    }

    private func move(_ customerID: UUID, _ movement: Movement, in views: any ViewWriter) throws {
        let scope = try CustomerScopes.scope(of: customerID, in: views)
        try views.update(Account.self, forKey: ViewKey().uuid(customerID).bytes, in: Self.accounts) { old in
            var a = old ?? Account(customerID: customerID, balance: 0, accrued: 0, redeemed: 0, expired: 0, clawedBack: 0,
                                        lastMovements: [], scope: scope)
            a.balance += movement.points
            switch movement.kind {
            case .accrual: a.accrued += movement.points
            case .redemption: a.redeemed -= movement.points
            case .expiry: a.expired -= movement.points
            case .clawback: a.clawedBack -= movement.points
            }
            a.lastMovements.insert(movement, at: 0)
            if a.lastMovements.count > Self.movementsKept { a.lastMovements.removeLast(a.lastMovements.count - Self.movementsKept) }
            a.scope = scope
            return a
        }
    }

    private func draw(_ draws: [LotDraw], customer: UUID, in views: any ViewWriter) throws {
        for d in draws {
            var emptied: LocalDate?
            try views.update(Lot.self, forKey: ViewKey().uuid(customer).uuid(d.lotID).bytes, in: Self.lots) { old in
                guard var lot = old else { return nil }
                lot.remaining -= d.points
                if lot.remaining <= 0 { emptied = lot.expiresOn }
                return lot.remaining > 0 ? lot : nil
            }
            if let emptied { try views.delete(key: Self.expiryKey(emptied, customer: customer, lot: d.lotID), in: Self.expiries) }
        }
    }

    private static func expiryKey(_ day: LocalDate, customer: UUID, lot: UUID) -> [UInt8] {
        ViewKey().string(day.description).uuid(customer).uuid(lot).bytes
    }

    // MARK: - Queries

    /// A customer's account, or nil when it has no movement yet.
    public static func account(of customerID: UUID, in views: any ViewReader) throws -> Account? {
        try views.row(Account.self, forKey: ViewKey().uuid(customerID).bytes, in: accounts)
    }

    /// A customer's account with the points usable on `day` (in the caller's calendar).
    public static func balance(of customerID: UUID, on day: LocalDate, in views: any ViewReader) throws -> Balance? {
        guard let account = try account(of: customerID, in: views) else { return nil }
        var usable = 0
        var pending = 0
        for (_, lot) in try views.rows(Lot.self, in: lots, prefix: ViewKey().uuid(customerID).bytes) {
            if lot.expiresOn.map({ $0 <= day }) ?? false {
                pending += lot.remaining
            } else if lot.earnedOn <= day {
                usable += lot.remaining
            }
        }
        return Balance(account: account, usable: usable, pendingExpiry: pending)
    }

    /// A customer with lots whose points lapse on or before some day, and the earliest such day.
    public struct DueExpiry: Hashable, Sendable {
        public var customerID: UUID
        public var earliest: LocalDate
    }

    /// The customers with points left in lots expiring on or before `day` (the latest day anywhere, say:
    /// each account's own "today" is its branch's), in order of their earliest expiry, each once.
    public static func dueExpiries(through day: LocalDate, in views: any ViewReader) throws -> [DueExpiry] {
        var out: [DueExpiry] = []
        var seen = Set<UUID>()
        let last = day.description
        try views.scan(expiries) { key, _ in
            guard let end = key.firstIndex(of: 0), let text = String(bytes: key[..<end], encoding: .utf8),
                  let expiresOn = LocalDate(text) else { return true }
            guard text <= last else { return false }
            if let customer = UUID(viewKey: key, at: end + 1), seen.insert(customer).inserted {
                out.append(DueExpiry(customerID: customer, earliest: expiresOn))
            }
            return true
        }
        return out
    }

    /// The lots of a customer with points left, in lot id order.
    public static func lots(of customerID: UUID, in views: any ViewReader) throws -> [Lot] {
        try views.rows(Lot.self, in: lots, prefix: ViewKey().uuid(customerID).bytes).map(\.row)
    }

    /// Every account `include` admits (e.g. the viewer's scope), in customer id order, paginated.
    public static func accounts(
        in views: any ViewReader, after: [UInt8]? = nil, limit: Int = 100, where include: (Account) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<Account> {
        try WorkProjections.page(accounts, in: views, after: after, limit: limit, map: { (a: Account) in include(a) ? a : nil })
    }
}
