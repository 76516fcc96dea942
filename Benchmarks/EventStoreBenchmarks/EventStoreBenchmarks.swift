import Benchmark
import EventSourcing
import EventStoreLMDB

let benchmarks: @Sendable () -> Void = {
    Benchmark("placeholder") { _ in }
}
