import Foundation

/// A contact's role at the customer (R-CUS-3). Only one live contact per customer may be `primary`; that
/// spans contacts, so the engine enforces it (a reservation per customer), not the contact rules.
public enum ContactRole: String, CaseIterable, Hashable, Sendable, Codable {
    case primary, backup, other
}

/// How one contact relates to another.
public enum ContactRelationshipKind: String, CaseIterable, Hashable, Sendable, Codable {
    case reportsTo, assistantOf, colleagueOf, deputyOf, familyOf
}

/// A relationship from this contact to another one.
public struct ContactRelationship: Hashable, Sendable, Codable {
    public var contactID: UUID
    public var kind: ContactRelationshipKind

    public init(contactID: UUID, kind: ContactRelationshipKind) {
        self.contactID = contactID
        self.kind = kind
    }
}

/// The details of a new contact.
public struct NewContact: Sendable, Equatable {
    public var customerID: UUID
    public var name: String
    public var role: ContactRole
    /// The job title.
    public var title: String?
    public var phone: String?
    public var email: String?

    public init(customerID: UUID, name: String, role: ContactRole = .other, title: String? = nil, phone: String? = nil, email: String? = nil) {
        self.customerID = customerID
        self.name = name
        self.role = role
        self.title = title
        self.phone = phone
        self.email = email
    }
}

/// An edit of a contact: only what it names changes.
public struct ContactEdit: Sendable, Equatable {
    public var name: String?
    public var role: ContactRole?
    public var title: ProfilePatch<String>
    public var phone: ProfilePatch<String>
    public var email: ProfilePatch<String>

    public init(name: String? = nil, role: ContactRole? = nil, title: ProfilePatch<String> = .keep,
                phone: ProfilePatch<String> = .keep, email: ProfilePatch<String> = .keep) {
        self.name = name
        self.role = role
        self.title = title
        self.phone = phone
        self.email = email
    }
}

extension Validate {
    /// A basic e-mail address check: one `@`, a local part, a domain with a dot, no spaces, at most 254.
    static func email(_ value: String, field: String = "email") throws(DomainError) -> String {
        let email = value.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, !email.contains(where: \.isWhitespace),
              !email.unicodeScalars.contains(where: { isRefused($0, multiline: false) }) else {
            throw .invalid(field, "is not an e-mail address")
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { throw .invalid(field, "is not an e-mail address") }
        return email
    }

    /// A phone number: digits with optional `+`, spaces, `-`, `(`, `)`, `.`; 3 to 20 digits.
    static func phone(_ value: String, field: String = "phone") throws(DomainError) -> String {
        let phone = value.trimmingCharacters(in: .whitespacesAndNewlines)
        let digits = phone.filter(\.isASCII).filter(\.isNumber).count
        guard phone.count <= 32, (3...20).contains(digits),
              phone.allSatisfy({ ($0.isASCII && $0.isNumber) || " +-().".contains($0) }) else {
            throw .invalid(field, "is not a phone number")
        }
        return phone
    }
}
