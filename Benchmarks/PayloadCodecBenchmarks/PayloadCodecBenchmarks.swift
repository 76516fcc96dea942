import Benchmark
import CRMDomain
import EventSourcing
import Foundation

// Decoding a typical CRM event — a CustomerEdited with two field changes — with our binary payload codec
// straight from a raw pointer (as a replay gets it from LMDB's map), against Foundation's JSONDecoder on
// the JSON of the same event, in the same run. Each iteration decodes the event `CODEC_DECODES` times
// (default 200,000); the custom metric `decodes/s` is the figure. BENCH_RESULTS=file also logs one JSON
// line per iteration for Benchmarks/compare.sh.

let decodesPerSecond = BenchmarkMetric.custom("decodes/s", polarity: .prefersLarger, useScalingFactor: false)
let decodes = Int(ProcessInfo.processInfo.environment["CODEC_DECODES"] ?? "") ?? 200_000

let sample = CustomerEdited(
    customerID: UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-0123456789AB") ?? UUID(),
    changes: [
        FieldChange(field: "status", old: .option("prospect"), new: .option("active")),
        FieldChange(field: "phone", old: .text("+86 21 5555 0100"), new: .text("+86 21 5555 0199")),
    ]
)

func log(key: String, name: String, iteration: Int, perSecond: Double) {
    guard let path = ProcessInfo.processInfo.environment["BENCH_RESULTS"] else { return }
    let line = #"{"key":"\#(key)","name":"\#(name)","iteration":\#(iteration),"decodesPerSecond":\#(perSecond)}"# + "\n"
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    } else {
        FileManager.default.createFile(atPath: path, contents: Data(line.utf8))
    }
}

func measure(_ benchmark: Benchmark, key: String, _ body: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    for _ in 0..<decodes { try body() }
    let elapsed = start.duration(to: clock.now)
    benchmark.stopMeasurement()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perSecond = seconds > 0 ? Double(decodes) / seconds : 0
    benchmark.measurement(decodesPerSecond, Int(perSecond.rounded()))
    log(key: key, name: benchmark.name, iteration: benchmark.currentIteration, perSecond: perSecond)
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, decodesPerSecond], timeUnits: .milliseconds, warmupIterations: 1,
        scalingFactor: .one, maxDuration: .seconds(120), maxIterations: 5
    )

    Benchmark("decode CustomerEdited, binary codec from a raw pointer", configuration: configuration) { benchmark in
        let bytes = try BinaryPayloadEncoder.encode(sample)
        // A buffer we do not own, as LMDB lends it.
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: bytes)
        let view = UnsafeRawBufferPointer(raw)
        var sink = 0
        try measure(benchmark, key: "codec_binary") {
            let event = try BinaryPayloadDecoder.decode(CustomerEdited.self, from: view)
            sink &+= event.changes.count
        }
        blackHole(sink)
    }

    Benchmark("decode CustomerEdited, Foundation JSONDecoder", configuration: configuration) { benchmark in
        let json = try JSONEncoder().encode(sample)
        let decoder = JSONDecoder()
        var sink = 0
        try measure(benchmark, key: "codec_json") {
            let event = try decoder.decode(CustomerEdited.self, from: json)
            sink &+= event.changes.count
        }
        blackHole(sink)
    }
}
