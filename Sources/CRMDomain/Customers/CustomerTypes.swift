import Foundation

/// Whether a customer is a person or an organisation (R-CUS-1).
public enum CustomerKind: String, CaseIterable, Hashable, Sendable, Codable {
    case person, organisation
}

/// Where a customer stands. `prospect → active ↔ suspended`; `merged` is final. Archiving is separate
/// (``Customer/State/isArchived``): it keeps the status and blocks changes until restored.
public enum CustomerStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case prospect, active, suspended, merged
}

/// A customer's key in another system (billing, network inventory, orders), unique per system (R-CUS-6).
/// The customer rules check the format; the engine reserves the key so no two customers hold it.
public struct ExternalKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The other system: lowercase letters, digits, `-` or `_`, starting with a letter (at most 32).
    public var system: String
    /// The key in that system: 1 to 128 visible ASCII characters, no spaces.
    public var key: String

    public init(system: String, key: String) {
        self.system = system
        self.key = key
    }

    public var description: String { "\(system):\(key)" }

    /// The key if well-formed; otherwise an `invalid` error naming `externalKey`.
    public func validated() throws(DomainError) -> ExternalKey {
        let systemOK = system.unicodeScalars.count <= 32 && system.unicodeScalars.first.map { ("a"..."z").contains($0) } == true
            && system.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        guard systemOK else { throw .invalid("externalKey", "the system must be a lowercase name of at most 32 characters") }
        guard (1...128).contains(key.unicodeScalars.count),
              key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .invalid("externalKey", "the key must be 1 to 128 visible ASCII characters")
        }
        return self
    }
}

/// What an appointment is for (R-CUS-5).
public enum AppointmentKind: String, CaseIterable, Hashable, Sendable, Codable {
    case install, move, remove, onSiteService
}

/// Where an appointment stands: `scheduled → completed | cancelled`; rescheduling keeps it scheduled.
public enum AppointmentStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case scheduled, completed, cancelled
}

/// An appointment with the customer, as the customer's state keeps it.
public struct Appointment: Hashable, Sendable, Codable {
    public var id: UUID
    public var kind: AppointmentKind
    /// When it takes place (UTC).
    public var at: Date
    public var address: String
    public var note: String?
    public var status: AppointmentStatus

    public init(id: UUID, kind: AppointmentKind, at: Date, address: String, note: String? = nil, status: AppointmentStatus = .scheduled) {
        self.id = id
        self.kind = kind
        self.at = at
        self.address = address
        self.note = note
        self.status = status
    }
}

/// A metered installation at an address (utility lifecycle, R-CUS-7).
public struct Installation: Hashable, Sendable, Codable {
    public var id: UUID
    public var address: String
    public var meterNumber: String
    /// False once removed; removal is final.
    public var isActive: Bool

    public init(id: UUID, address: String, meterNumber: String, isActive: Bool = true) {
        self.id = id
        self.address = address
        self.meterNumber = meterNumber
        self.isActive = isActive
    }
}

/// A change to an optional field in an edit: keep it, set it, or clear it.
public enum ProfilePatch<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case set(Value)
    case clear

    /// The value after the patch, given the current one.
    func applied(to current: Value?) -> Value? {
        switch self {
        case .keep: return current
        case .set(let value): return value
        case .clear: return nil
        }
    }
}

/// The details of a new customer.
public struct NewCustomer: Sendable, Equatable {
    public var kind: CustomerKind
    public var name: String
    /// The customer group (segment), e.g. `key-account`, `residential`; it selects the form.
    public var group: String
    public var industry: String?
    public var branch: String?
    /// The community (territory).
    public var community: String?
    /// The account manager's employee id.
    public var owner: String?
    /// `prospect` or `active`.
    public var status: CustomerStatus
    /// Persons only.
    public var birthday: LocalDate?
    /// Organisations only: the founding date, whose anniversary drives reminders.
    public var founded: LocalDate?
    public var customFields: [String: FieldValue]
    public var externalKeys: [ExternalKey]

    public init(kind: CustomerKind, name: String, group: String, industry: String? = nil, branch: String? = nil,
                community: String? = nil, owner: String? = nil, status: CustomerStatus = .prospect, birthday: LocalDate? = nil,
                founded: LocalDate? = nil, customFields: [String: FieldValue] = [:], externalKeys: [ExternalKey] = []) {
        self.kind = kind
        self.name = name
        self.group = group
        self.industry = industry
        self.branch = branch
        self.community = community
        self.owner = owner
        self.status = status
        self.birthday = birthday
        self.founded = founded
        self.customFields = customFields
        self.externalKeys = externalKeys
    }
}

/// An edit of a customer's profile: only what it names changes (nil / `.keep` leaves a field alone).
public struct CustomerEdit: Sendable, Equatable {
    public var name: String?
    /// A new group; the command's form must then be the new group's, and all custom values must fit it.
    public var group: String?
    public var industry: ProfilePatch<String>
    public var branch: ProfilePatch<String>
    public var community: ProfilePatch<String>
    public var owner: ProfilePatch<String>
    public var birthday: ProfilePatch<LocalDate>
    public var founded: ProfilePatch<LocalDate>
    /// Custom values to set.
    public var setCustomFields: [String: FieldValue]
    /// Custom values to clear.
    public var clearCustomFields: [String]

    public init(name: String? = nil, group: String? = nil, industry: ProfilePatch<String> = .keep, branch: ProfilePatch<String> = .keep,
                community: ProfilePatch<String> = .keep, owner: ProfilePatch<String> = .keep, birthday: ProfilePatch<LocalDate> = .keep,
                founded: ProfilePatch<LocalDate> = .keep, setCustomFields: [String: FieldValue] = [:], clearCustomFields: [String] = []) {
        self.name = name
        self.group = group
        self.industry = industry
        self.branch = branch
        self.community = community
        self.owner = owner
        self.birthday = birthday
        self.founded = founded
        self.setCustomFields = setCustomFields
        self.clearCustomFields = clearCustomFields
    }
}
