import EventSourcing
import Foundation

// Hand-written binary forms of the small values nearly every event carries: decoding them through keyed
// Codable containers would allocate a container box per value (see BinaryPayloadCodable). JSON still uses
// their Codable conformances. Never reorder or retype what these write: stored events depend on it.

extension LocalDate: BinaryPayloadCodable {
    /// Days are written as one zigzag varint, `yyyymmdd`.
    public init(fromBinary reader: inout BinaryReader) throws {
        let packed = try reader.signed()
        guard let date = LocalDate(year: Int(packed / 10_000), month: Int(packed / 100 % 100), day: Int(packed % 100)) else {
            throw PayloadCodingError(.invalid, "not a calendar date")
        }
        self = date
    }

    public func encode(toBinary writer: inout BinaryWriter) {
        writer.signed(Int64(year * 10_000 + month * 100 + day))
    }
}

extension Currency: BinaryPayloadCodable {
    public init(fromBinary reader: inout BinaryReader) throws {
        guard let currency = Currency(rawValue: try reader.string()) else { throw PayloadCodingError(.invalid, "not a currency code") }
        self = currency
    }

    public func encode(toBinary writer: inout BinaryWriter) { writer.string(rawValue) }
}

extension Money: BinaryPayloadCodable {
    public init(fromBinary reader: inout BinaryReader) throws {
        let amount = try reader.decimal()
        self.init(amount, try Currency(fromBinary: &reader))
    }

    public func encode(toBinary writer: inout BinaryWriter) {
        writer.decimal(amount)
        currency.encode(toBinary: &writer)
    }
}

extension FieldValue: BinaryPayloadCodable {
    private enum Tag: UInt8 { case text = 1, number, money, date, bool, option, id, list }

    public init(fromBinary reader: inout BinaryReader) throws {
        guard let tag = Tag(rawValue: try reader.byte()) else { throw PayloadCodingError(.invalid, "unknown field value kind") }
        switch tag {
        case .text: self = .text(try reader.string())
        case .number: self = .number(try reader.decimal())
        case .money: self = .money(try Money(fromBinary: &reader))
        case .date: self = .date(try LocalDate(fromBinary: &reader))
        case .bool: self = .bool(try reader.bool())
        case .option: self = .option(try reader.string())
        case .id: self = .id(try reader.uuid())
        case .list: self = .list(try reader.array { try $0.string() })
        }
    }

    public func encode(toBinary writer: inout BinaryWriter) {
        switch self {
        case .text(let v): writer.byte(Tag.text.rawValue); writer.string(v)
        case .number(let v): writer.byte(Tag.number.rawValue); writer.decimal(v)
        case .money(let v): writer.byte(Tag.money.rawValue); v.encode(toBinary: &writer)
        case .date(let v): writer.byte(Tag.date.rawValue); v.encode(toBinary: &writer)
        case .bool(let v): writer.byte(Tag.bool.rawValue); writer.bool(v)
        case .option(let v): writer.byte(Tag.option.rawValue); writer.string(v)
        case .id(let v): writer.byte(Tag.id.rawValue); writer.uuid(v)
        case .list(let v): writer.byte(Tag.list.rawValue); writer.array(v) { $0.string($1) }
        }
    }
}

extension FieldChange: BinaryPayloadCodable {
    public init(fromBinary reader: inout BinaryReader) throws {
        let field = try reader.string()
        let old = try reader.optional { try FieldValue(fromBinary: &$0) }
        let new = try reader.optional { try FieldValue(fromBinary: &$0) }
        self.init(field: field, old: old, new: new)
    }

    public func encode(toBinary writer: inout BinaryWriter) {
        writer.string(field)
        writer.optional(old) { $1.encode(toBinary: &$0) }
        writer.optional(new) { $1.encode(toBinary: &$0) }
    }
}
