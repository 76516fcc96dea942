// views-harness: a process that appends a generated CRM history while its views follow the log, for the
// test that kills it mid-update (not a user tool).
//
//   views-harness --dir DIR [--events N] [--seed S] [--stop-at P]
// Appends the generated history after whatever DIR/log already holds, printing `head <position>` now and
// then; the views under DIR/views follow live. With `--stop-at`, it stops once the head reaches P (the next
// run, with the same events and seed, goes on from there).
import CRMDataGenerator
import CRMDomain
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

@main
struct ViewsHarness {
    static func main() async {
        var arguments = ArraySlice(CommandLine.arguments.dropFirst())
        var directory = ""
        var events = 20_000
        var seed: UInt64 = 3
        var stopAt: UInt64?
        while let flag = arguments.popFirst() {
            let value = arguments.popFirst() ?? ""
            switch flag {
            case "--dir": directory = value
            case "--events": events = Int(value) ?? events
            case "--seed": seed = UInt64(value) ?? seed
            case "--stop-at": stopAt = UInt64(value)
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
        guard !directory.isEmpty else {
            FileHandle.standardError.write(Data("usage: views-harness --dir DIR [--events N] [--seed S] [--stop-at P]\n".utf8))
            exit(2)
        }
        do {
            let store = try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync))
            let views = try ProjectionRunner(store: store, registry: try CRMEvents.registry(), projections: CRMViews.all,
                                             directory: directory + "/views", batchSize: 64)
            try await views.start()
            let stored = try await store.headPosition().rawValue
            FileHandle.standardOutput.write(Data("head \(stored)\n".utf8))
            var seen: UInt64 = 0
            var appended = 0
            let generator = HistoryGenerator(.init(seed: seed, targetEvents: events, start: Date(timeIntervalSince1970: 1_735_689_600)))
            var batches = generator.makeBatchIterator()
            while let batch = try batches.next() {
                seen += UInt64(batch.reduce(0) { $0 + $1.events.count })
                guard seen > stored else { continue }
                let results = try await store.append(batch)
                appended += 1
                if appended % 25 == 0, let last = results.last {
                    FileHandle.standardOutput.write(Data("head \(last.lastPosition.rawValue)\n".utf8))
                }
                if let stopAt, let last = results.last, last.lastPosition.rawValue >= stopAt { break }
            }
            let head = try await store.headPosition()
            try await views.waitUntil(head, timeout: .seconds(600))
            print("done \(head.rawValue)")
            await views.close()
            await store.close()
        } catch {
            FileHandle.standardError.write(Data("views-harness failed: \(error)\n".utf8))
            exit(1)
        }
    }
}
