import EventSourcing
import EventStoreLMDB
import Foundation

/// A fresh temporary directory for one test (tests run in parallel).
func makeTemporaryDirectory(_ label: String = "store") -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Events with deterministic ids and payloads.
struct EventFactory {
    let ids = SequentialIDGenerator(seed: 11)

    func events(_ count: Int, type: String = "Happened", payloadSize: Int = 32) -> [EventData] {
        (0..<count).map { i in
            EventData(
                id: ids.next(), type: type,
                payload: (0..<payloadSize).map { UInt8(truncatingIfNeeded: $0 &+ i) },
                metadata: EventMetadata(actor: "tester")
            )
        }
    }
}
