import EventSourcing
import Foundation

extension Employee {
    /// `id` as an employee id is recorded: the employee's UUID as its lower-case text
    /// (`UUID.lowercasedString`, the form of a principal's id, of an owner, an assignee, a report's row),
    /// whatever case it was given in; anything that is no UUID (a typo, another system's id) as it is.
    ///
    /// ```swift
    /// Employee.canonicalID("01A21D62-FCAA-4E3B-9C1D-6F0A8E2B7C11")  // "01a21d62-fcaa-4e3b-9c1d-6f0a8e2b7c11"
    /// ```
    public static func canonicalID(_ id: String) -> String {
        // Already lower case (the usual case): no new string.
        guard id.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }), let uuid = UUID(text: id) else { return id }
        return uuid.lowercasedString
    }

    /// Whether two employee ids name the same employee: equal as ``canonicalID(_:)`` records them, so an id a
    /// log recorded in upper case (before ids were recorded in lower case) matches a command's lower-case one.
    public static func sameID(_ a: String, _ b: String) -> Bool {
        a == b || canonicalID(a) == canonicalID(b)
    }

    /// ``sameID(_:_:)`` where either side may be absent: two absent ids are the same, an absent and a given one not.
    public static func sameID(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return sameID(a, b)
        default: return false
        }
    }
}
