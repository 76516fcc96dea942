/// Kinds of ticket (R-SRV-1).
public enum TicketKind: String, CaseIterable, Hashable, Sendable, Codable {
    case faultRepair, billingQuery, complaint, consultation, praise, suggestion
}

/// How severe a ticket is; SLA deadlines and rule chains are set per kind and severity.
public enum TicketSeverity: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    case low, normal, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Where a contact or ticket came from.
public enum ContactChannel: String, CaseIterable, Hashable, Sendable, Codable {
    case callCenter, web, email, walkIn, phone, visit, letter, chat
}

/// What a reminder reminds of (R-TSK-4, R-TSK-7).
public enum ReminderKind: String, CaseIterable, Hashable, Sendable, Codable {
    case birthday, anniversary, holiday, appointment, contractExpiry, diary, subscription
}
