import CRMHTTP
import Foundation

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
