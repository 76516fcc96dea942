import Foundation

/// An exact decimal from its text (0 for malformed text, which the tests never use).
func dec(_ text: String) -> Decimal { Decimal(string: text) ?? 0 }
