import CRMDomain
import CRMProjections
import Foundation

/// The customer 360 as JSON, written by hand: the most read answer, and Foundation's `JSONEncoder` spent
/// most of such a request's CPU on it (its related records above all). The bytes are exactly those of
/// ``JSONOutput/encode(_:)`` with money amounts as exact decimal strings (``JSONOutput/moneyAsText(_:)``) —
/// sorted keys, unescaped slashes, RFC 3339 whole-second instants, ids in lower case, nil fields left out —
/// which a test checks side by side; the profile's custom values (of every kind) still go through the encoder.
enum Customer360JSON {
    static func encode(_ view: Customer360) throws -> [UInt8] {
        var out = JSONBytes()
        out.bytes.reserveCapacity(4096)
        // Custom values of every kind go through the encoder (only when there are any).
        let customFields = view.profile.customFields.isEmpty ? nil : try JSONOutput.moneyAsText(JSONOutput.encode(view.profile.customFields))
        out.raw("{")
        out.records("closedOpportunities", view.closedOpportunities, first: true)
        out.records("closedQuotes", view.closedQuotes)
        out.records("contacts", view.contacts)
        out.records("contracts", view.contracts)
        out.records("endedContracts", view.endedContracts)
        if let balance = view.loyaltyBalance { out.key("loyaltyBalance"); out.raw(String(balance)) }
        out.records("openOpportunities", view.openOpportunities)
        out.records("openQuotes", view.openQuotes)
        out.records("openTasks", view.openTasks)
        out.records("openTickets", view.openTickets)
        out.key("productsHeld")
        out.array(view.productsHeld) { $0.heldProduct($1) }
        out.key("profile")
        out.profile(view.profile, customFields: customFields.map(Array.init) ?? [0x5B, 0x5D])
        out.records("recentActivity", view.recentActivity)
        out.records("recentTasks", view.recentTasks)
        out.records("recentTickets", view.recentTickets)
        out.key("revenue")
        out.array(view.revenue) { $0.money($1) }
        out.raw("}")
        return out.bytes
    }
}

/// A growing JSON text in the form ``JSONOutput/encoder()`` writes.
struct JSONBytes {
    var bytes: [UInt8] = []

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `"name":`, preceded by a comma unless it opens the object.
    mutating func key(_ name: String, first: Bool = false) {
        if !first { bytes.append(0x2C) }
        string(name)
        bytes.append(0x3A)
    }

    mutating func string(_ text: String) {
        bytes.append(0x22)
        var text = text
        // One pass over the contiguous UTF-8: most strings need no escaping and are copied whole.
        text.withUTF8 { utf8 in
            var clean = true
            for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                clean = false
                break
            }
            if clean {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x22: bytes += [0x5C, 0x22]
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x08: bytes += [0x5C, 0x62]
                case 0x0C: bytes += [0x5C, 0x66]
                case 0x0A: bytes += [0x5C, 0x6E]
                case 0x0D: bytes += [0x5C, 0x72]
                case 0x09: bytes += [0x5C, 0x74]
                case 0..<0x20:
                    let hex: StaticString = "0123456789abcdef"
                    let digits = hex.utf8Start
                    bytes += [0x5C, 0x75, 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(0x22)
    }

    mutating func array<T>(_ items: [T], _ element: (inout JSONBytes, T) -> Void) {
        bytes.append(0x5B)
        for (i, item) in items.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            element(&self, item)
        }
        bytes.append(0x5D)
    }

    mutating func records(_ name: String, _ records: [RelatedRecord], first: Bool = false) {
        key(name, first: first)
        array(records) { $0.record($1) }
    }

    mutating func optional(_ name: String, _ text: String?) {
        guard let text else { return }
        key(name)
        string(text)
    }

    /// An instant as `.iso8601` writes it: UTC, whole seconds (the fraction dropped).
    mutating func instant(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let civil = LocalDate(dayNumber: days)
        let (year, month, day) = (civil.year, civil.month, civil.day)
        func digits(_ value: Int, _ count: Int) {
            var text = Array(repeating: UInt8(0x30), count: count)
            // Years beyond 0…9999 are none a record holds; clamped so that a digit is always one.
            var v = min(max(value, 0), 9999)
            for i in stride(from: count - 1, through: 0, by: -1) { text[i] = UInt8(0x30 + v % 10); v /= 10 }
            bytes += text
        }
        bytes.append(0x22)
        digits(year, 4); bytes.append(0x2D); digits(month, 2); bytes.append(0x2D); digits(day, 2); bytes.append(0x54)
        digits(rest / 3600, 2); bytes.append(0x3A); digits(rest % 3600 / 60, 2); bytes.append(0x3A); digits(rest % 60, 2)
        bytes += [0x5A, 0x22]
    }

    /// A UUID in lower case, as `lowercasedString` writes it (the form of the ids in paths, streams and every
    /// answer: ``JSONOutput/encode(_:)``), quoted, straight from its bytes.
    mutating func uuid(_ id: UUID) {
        let hex: StaticString = "0123456789abcdef"
        bytes.append(0x22)
        withUnsafeBytes(of: id.uuid) { raw in
            for (i, byte) in raw.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 { bytes.append(0x2D) }
                bytes.append(hex.utf8Start[Int(byte >> 4)])
                bytes.append(hex.utf8Start[Int(byte & 0xF)])
            }
        }
        bytes.append(0x22)
    }

    mutating func profile(_ p: CustomerProfile, customFields: [UInt8]) {
        bytes.append(0x7B)
        key("absorbed", first: true)
        array(p.absorbed) { $0.uuid($1) }
        key("appointments")
        array(p.appointments) { $0.appointment($1) }
        optional("birthday", p.birthday?.description)
        optional("branch", p.branch)
        optional("community", p.community)
        key("customFields")
        bytes.append(contentsOf: customFields)
        key("externalKeys")
        array(p.externalKeys) { out, key in
            out.raw("{\"key\":")
            out.string(key.key)
            out.raw(",\"system\":")
            out.string(key.system)
            out.raw("}")
        }
        optional("founded", p.founded?.description)
        key("group")
        string(p.group)
        key("id")
        uuid(p.id)
        optional("industry", p.industry)
        key("installations")
        array(p.installations) { $0.installation($1) }
        key("isArchived")
        raw(p.isArchived ? "true" : "false")
        key("kind")
        string(p.kind.rawValue)
        if let pair = p.maintenancePairing {
            key("maintenancePairing")
            raw("{\"agent\":")
            string(pair.agent)
            raw(",\"manager\":")
            string(pair.manager)
            raw("}")
        }
        if let merged = p.mergedInto { key("mergedInto"); uuid(merged) }
        key("name")
        string(p.name)
        optional("owner", p.owner)
        key("status")
        string(p.status.rawValue)
        optional("suspensionReason", p.suspensionReason)
        optional("transferredTo", p.transferredTo)
        bytes.append(0x7D)
    }

    /// A product held: its contracts, name, product and summed quantity (a JSON number, as the encoder writes a `Decimal`).
    mutating func heldProduct(_ p: HeldProduct) {
        raw("{\"contracts\":")
        array(p.contracts) { $0.uuid($1) }
        raw(",\"name\":")
        string(p.name)
        raw(",\"productID\":")
        uuid(p.productID)
        raw(",\"quantity\":")
        raw(p.quantity.description)
        raw("}")
    }

    /// A scheduled appointment of the profile.
    mutating func appointment(_ a: Appointment) {
        raw("{\"address\":")
        string(a.address)
        raw(",\"at\":")
        instant(a.at)
        raw(",\"id\":")
        uuid(a.id)
        raw(",\"kind\":")
        string(a.kind.rawValue)
        optional("note", a.note)
        raw(",\"status\":")
        string(a.status.rawValue)
        raw("}")
    }

    /// A current installation of the profile.
    mutating func installation(_ i: Installation) {
        raw("{\"address\":")
        string(i.address)
        raw(",\"id\":")
        uuid(i.id)
        raw(",\"isActive\":")
        raw(i.isActive ? "true" : "false")
        raw(",\"meterNumber\":")
        string(i.meterNumber)
        raw("}")
    }

    /// Money with its amount as an exact decimal string, as record answers write amounts.
    mutating func money(_ money: Money) {
        raw("{\"amount\":")
        string(money.amount.description)
        raw(",\"currency\":")
        string(money.currency.rawValue)
        raw("}")
    }

    mutating func scope(_ scope: RecordScope) {
        bytes.append(0x7B)
        var first = true
        for (name, value) in [("branch", scope.branch), ("community", scope.community), ("group", scope.group)] {
            guard let value else { continue }
            key(name, first: first)
            string(value)
            first = false
        }
        key("owners", first: first)
        array(scope.owners) { $0.string($1) }
        bytes.append(0x7D)
    }

    mutating func record(_ r: RelatedRecord) {
        bytes.append(0x7B)
        var first = true
        if let amount = r.amount { key("amount", first: true); money(amount); first = false }
        if let at = r.at { key("at", first: first); instant(at); first = false }
        if let contacts = r.contacts { key("contacts", first: first); array(contacts) { $0.uuid($1) }; first = false }
        if let day = r.day { key("day", first: first); string(day.description); first = false }
        if let detail = r.detail { key("detail", first: first); string(detail); first = false }
        key("id", first: first)
        uuid(r.id)
        key("kind")
        string(r.kind.rawValue)
        optional("owner", r.owner)
        if let products = r.products {
            key("products")
            array(products) { out, line in
                out.raw("{\"name\":")
                out.string(line.name)
                out.raw(",\"productID\":")
                out.uuid(line.productID)
                out.raw(",\"quantity\":")
                out.raw(line.quantity.description)
                out.raw("}")
            }
        }
        key("scope")
        scope(r.scope)
        key("status")
        string(r.status)
        key("title")
        string(r.title)
        bytes.append(0x7D)
    }
}
