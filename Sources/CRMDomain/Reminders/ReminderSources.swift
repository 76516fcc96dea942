import Foundation

/// Everything reminders are generated from (R-TSK-4, R-TSK-7, R-CUS-5), gathered by the caller from the
/// customer, appointment, contract and diary records: the domain never reads other aggregates itself.
public struct ReminderSources: Sendable, Equatable {
    /// A customer's yearly key date: a birthday or a founding anniversary.
    public struct KeyDate: Hashable, Sendable {
        /// Which yearly date it is.
        public enum Kind: String, CaseIterable, Hashable, Sendable, Codable {
            case birthday, foundingAnniversary

            /// The reminder kind whose lead time applies.
            public var reminderKind: ReminderKind { self == .birthday ? .birthday : .anniversary }
        }

        public var customerID: UUID
        /// The account manager who is reminded.
        public var owner: String
        public var branch: String?
        public var kind: Kind
        /// The original date (year of birth or founding); it recurs yearly, February 29th on the 28th in
        /// common years.
        public var date: LocalDate

        public init(customerID: UUID, owner: String, branch: String?, kind: Kind, date: LocalDate) {
            self.customerID = customerID
            self.owner = owner
            self.branch = branch
            self.kind = kind
            self.date = date
        }
    }

    /// A customer appointment (install, move, remove, on-site service).
    public struct Appointment: Hashable, Sendable {
        public var id: UUID
        public var customerID: UUID
        public var owner: String
        public var branch: String?
        /// What the appointment is for, shown in the reminder's title (e.g. `install`).
        public var purpose: String
        /// When it starts (UTC); the reminder is due then.
        public var start: Date

        public init(id: UUID, customerID: UUID, owner: String, branch: String?, purpose: String, start: Date) {
            self.id = id
            self.customerID = customerID
            self.owner = owner
            self.branch = branch
            self.purpose = purpose
            self.start = start
        }
    }

    /// A contract's expiry (part 2 feeds these from its contract records).
    public struct ContractExpiry: Hashable, Sendable {
        public var contractID: UUID
        public var customerID: UUID
        public var owner: String
        public var branch: String?
        /// The last day of the contract, in the branch's calendar.
        public var expiry: LocalDate
        /// Its terms have an auto-renewal clause: it renews on its expiry rather than lapses.
        public var renewsAutomatically: Bool

        public init(contractID: UUID, customerID: UUID, owner: String, branch: String?, expiry: LocalDate, renewsAutomatically: Bool = false) {
            self.contractID = contractID
            self.customerID = customerID
            self.owner = owner
            self.branch = branch
            self.expiry = expiry
            self.renewsAutomatically = renewsAutomatically
        }
    }

    /// An employee and their branch: holiday reminders go to these.
    public struct Employee: Hashable, Sendable {
        public var id: String
        public var branch: String?

        public init(id: String, branch: String?) {
            self.id = id
            self.branch = branch
        }
    }

    /// An employee's diary, with the branch whose calendar it is kept in.
    public struct EmployeeDiary: Equatable, Sendable {
        public var employee: Employee
        public var diary: Diary.State

        public init(employee: Employee, diary: Diary.State) {
            self.employee = employee
            self.diary = diary
        }
    }

    public var keyDates: [KeyDate]
    public var appointments: [Appointment]
    public var contractExpiries: [ContractExpiry]
    /// The employees who get holiday reminders (the settings' holidays for their branch).
    public var employees: [Employee]
    public var diaries: [EmployeeDiary]

    public init(keyDates: [KeyDate] = [], appointments: [Appointment] = [], contractExpiries: [ContractExpiry] = [],
                employees: [Employee] = [], diaries: [EmployeeDiary] = []) {
        self.keyDates = keyDates
        self.appointments = appointments
        self.contractExpiries = contractExpiries
        self.employees = employees
        self.diaries = diaries
    }
}
