import CRMDomain
import EventSourcing
import Foundation
import HTTPTypes
import Hummingbird

/// A domain value as JSON-compatible data (objects, arrays, strings, numbers, null), by reflection: the
/// domain's state types are not Codable, and `crm show` and the HTTP record answers must show any of them.
/// Decimals become strings (exact money), instants RFC 3339, ids lowercase.
public func reflectJSON(_ value: Any) -> Any {
    switch value {
    case let v as String: return v
    case let v as NSNull: return v
    case let v as Bool: return v
    case let v as Int: return v
    case let v as UInt32: return Int(v)
    case let v as UInt64: return v <= UInt64(Int.max) ? Int(v) : "\(v)"
    case let v as Double: return v
    case let v as Decimal: return "\(v)"
    case let v as Date:
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: v)
    case let v as UUID: return v.lowercasedString
    case let v as LocalDate: return v.description
    case let v as StreamID: return v.rawValue
    case let v as GlobalPosition: return Int(clamping: v.rawValue)
    case let v as StreamVersion: return Int(clamping: v.rawValue)
    case let v as FieldValue: return v.description
    default: break
    }
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .optional:
        guard let child = mirror.children.first else { return NSNull() }
        return reflectJSON(child.value)
    case .collection, .set:
        return mirror.children.map { reflectJSON($0.value) }
    case .dictionary:
        var object: [String: Any] = [:]
        for child in mirror.children {
            let pair = Array(Mirror(reflecting: child.value).children)
            guard pair.count == 2 else { continue }
            // A key that is an id in lower case too (`"\(id)"` is its `uuidString`): an announcement's readers.
            let key = (pair[0].value as? UUID)?.lowercasedString ?? "\(pair[0].value)"
            object[key] = reflectJSON(pair[1].value)
        }
        return object
    case .enum:
        if let raw = (value as? any RawRepresentable)?.rawValue { return reflectJSON(raw) }
        guard let payload = mirror.children.first else { return "\(value)" }
        return [payload.label ?? "\(value)": reflectJSON(payload.value)]
    case .struct, .class:
        if let raw = (value as? any RawRepresentable)?.rawValue, mirror.children.count <= 1 { return reflectJSON(raw) }
        var object: [String: Any] = [:]
        for child in mirror.children {
            guard let label = child.label else { continue }
            object[label.hasPrefix("_") ? String(label.dropFirst()) : label] = reflectJSON(child.value)
        }
        return object
    case .tuple:
        return mirror.children.map { reflectJSON($0.value) }
    default:
        return "\(value)"
    }
}

extension JSONOutput {
    /// Any value as a JSON answer by ``reflectJSON(_:)`` (sorted keys), with `ETag` = `version` when given.
    static func reflected(_ value: Any, status: HTTPResponse.Status = .ok, version: StreamVersion? = nil) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: reflectJSON(value), options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let version { headers[.eTag] = etag(version) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A page of reflected items with the cursor of the next page (`after`) and its link (`next`), both
    /// absent on the last page.
    static func reflectedPage(_ items: [Any], after: String?, next: String?) throws -> Response {
        var page: [String: Any] = ["items": items]
        if let after, let next {
            page["after"] = after
            page["next"] = next
        }
        return try reflected(page)
    }
}
