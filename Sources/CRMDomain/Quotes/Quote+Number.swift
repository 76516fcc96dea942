import Foundation

extension Quote {
    /// The quote number `Q-<CUSTCODE>-<YYYYMMDD>-<NNN>` from the customer's code (letters, digits and
    /// hyphens, upper-cased), the local date of issue and the day's sequence number (1–999) the engine
    /// allocated.
    ///
    /// ```swift
    /// try Quote.number(customerCode: "acme", date: LocalDate(year: 2026, month: 3, day: 9)!, sequence: 7)  // "Q-ACME-20260309-007"
    /// ```
    public static func number(customerCode: String, date: LocalDate, sequence: Int) throws(DomainError) -> String {
        let code = try self.customerCode(customerCode)
        guard (1...999).contains(sequence) else { throw .invalid("sequence", "must be between 1 and 999") }
        let day = String(format: "%04d%02d%02d", date.year, date.month, date.day)
        return "Q-\(code)-\(day)-\(String(format: "%03d", sequence))"
    }

    /// The unique keys a command claims: the quote number on the first `create`. The engine reserves it in
    /// the same append as the command's events, so no two quotes share a number (ARCHITECTURE decision 11).
    /// Call it on a command `decide` accepted.
    public static func claims(_ command: Command, state: State) -> [String] {
        guard case .create(_, _, let code, let date, let sequence, _, _, _) = command, !state.exists,
              let number = try? number(customerCode: code, date: date, sequence: sequence) else { return [] }
        return [number]
    }

    /// The code a customer's quote numbers carry when none is given (R-SAL-3): the last twelve hex digits of
    /// its id, upper-cased — the id's node group, random bits in a UUIDv7 (and hash bits in a derived id), so
    /// customers created in the same minute get different codes, where the first digits (a UUIDv7's
    /// creation time) would be shared. Numbers stay unique whatever the code: each is reserved as a unique key.
    ///
    /// ```swift
    /// Quote.code(of: UUID(uuidString: "01a21deb-7c4e-7a01-9b3f-3f2a9c1b7d4e")!)  // "3F2A9C1B7D4E"
    /// ```
    public static func code(of customerID: UUID) -> String {
        String(customerID.uuidString.suffix(12)).uppercased()
    }

    /// Whether `code` (spaces around it aside, any case) has the form ``code(of:)`` gives: twelve hex digits.
    /// Such a code is taken for a customer's own, so the engine numbers no other customer's quotes with it.
    public static func isIDCode(_ code: String) -> Bool {
        let code = code.trimmingCharacters(in: .whitespaces)
        return code.count == 12 && code.allSatisfy { $0.isASCII && $0.isHexDigit }
    }

    static func customerCode(_ code: String) throws(DomainError) -> String {
        let code = try Validate.text(code, field: "customerCode", max: 20).uppercased()
        guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw .invalid("customerCode", "letters, digits and hyphens only")
        }
        return code
    }
}

extension Quote.State {
    /// The quote's date as its number records it (`Q-<CUSTCODE>-<YYYYMMDD>-<NNN>`); nil before creation or
    /// for a number not of that form.
    public var date: LocalDate? {
        let parts = number.split(separator: "-")
        guard parts.count >= 4, let day = parts.dropLast().last, day.count == 8, day.allSatisfy(\.isASCII),
              let value = Int(day) else { return nil }
        return LocalDate(year: value / 10_000, month: value / 100 % 100, day: value % 100)
    }
}
