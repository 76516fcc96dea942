/// Why a payload could not be encoded or decoded. Never holds payload values.
public struct PayloadCodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The bytes ended before the value did.
        public static let truncated = Code("truncated")
        /// The bytes hold something the type cannot be (a bad tag, invalid UTF-8, an impossible count).
        public static let invalid = Code("invalid")
        /// Bytes were left over after the value.
        public static let trailingBytes = Code("trailingBytes")
        /// The event type or schema version is not registered.
        public static let unknownType = Code("unknownType")
        /// The value uses a shape the positional coder cannot represent (see ``BinaryPayloadEncoder``).
        public static let unsupported = Code("unsupported")
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "payload \(code): \(detail)" }
}
