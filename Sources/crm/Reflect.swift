import CRMDomain
import EventSourcing
import Foundation

/// A domain value as JSON-compatible data (objects, arrays, strings, numbers, null), by reflection: the
/// domain's state types are not Codable, and `crm show` must print any of them.
func reflectJSON(_ value: Any) -> Any {
    switch value {
    case let v as String: return v
    case let v as Bool: return v
    case let v as Int: return v
    case let v as UInt32: return Int(v)
    case let v as UInt64: return v <= UInt64(Int.max) ? Int(v) : "\(v)"
    case let v as Double: return v
    case let v as Decimal: return "\(v)"
    case let v as Date: return iso(v)
    case let v as UUID: return v.uuidString.lowercased()
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
            object["\(pair[0].value)"] = reflectJSON(pair[1].value)
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

/// Flattened `key: value` lines of reflected JSON for a readable listing.
func flatLines(_ value: Any, prefix: String = "") -> [(String, String)] {
    switch value {
    case let object as [String: Any]:
        if object.isEmpty { return prefix.isEmpty ? [] : [(prefix, "{}")] }
        return object.keys.sorted().flatMap { key in flatLines(object[key] ?? NSNull(), prefix: prefix.isEmpty ? key : prefix + "." + key) }
    case let array as [Any]:
        if array.isEmpty { return [(prefix, "[]")] }
        return array.enumerated().flatMap { i, element in flatLines(element, prefix: prefix + "[\(i)]") }
    case is NSNull:
        return [(prefix, "-")]
    default:
        return [(prefix, "\(value)")]
    }
}
