import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// What the writer harnesses (store-harness for LMDB, pg-harness for PostgreSQL) and the tests reading
// their output share: the payload rule, the `ack` line, whole-line output and the harness error.

/// The payload a harness writes for an event: derived from its id, so a test can check every event's bytes.
public func harnessPayload(for id: UUID, size: Int) -> [UInt8] {
    let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
    return (0..<size).map { bytes[$0 % 16] &+ UInt8(truncatingIfNeeded: $0 / 16) }
}

/// An acknowledged event as a harness prints it: `ack <position> <event-id> <stream> <version>`.
public struct HarnessAck: Hashable, Sendable {
    public let position: UInt64
    public let id: UUID
    public let stream: String
    public let version: UInt64

    public init?(_ line: String) {
        let parts = line.split(separator: " ")
        guard parts.count == 5, parts[0] == "ack", let position = UInt64(parts[1]), let id = UUID(uuidString: String(parts[2])),
              let version = UInt64(parts[4]) else { return nil }
        self.position = position
        self.id = id
        self.stream = String(parts[3])
        self.version = version
    }
}

/// A harness's refusal (bad arguments, a failed step), printed on standard error.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Serialises whole lines to standard output, each written at once (a killed process leaves no half line).
public final class LineWriter: Sendable {
    private let lock = Mutex(())

    public init() {}

    public func write(_ text: String) {
        lock.withLock { _ in
            var text = text
            text.withUTF8 { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(1, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
