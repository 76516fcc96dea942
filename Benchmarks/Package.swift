// swift-tools-version: 6.1
// The benchmark suite is a separate package so that packages embedding crm-engine never resolve
// ordo-one/benchmark. Run it from the repository root with:
//     swift package --package-path Benchmarks benchmark
// or, for the comparison with the raw-LMDB limit: Benchmarks/compare.sh (engine: Benchmarks/engine-compare.sh)
import PackageDescription

let package = Package(
    name: "crm-engine-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise known by its folder's name, which differs per clone.
        .package(name: "crm-engine", path: ".."),
        // Resolves here only with an explicit trait list (see shared/docs/TOOLCHAIN-NOTES.md).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EventStoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EventSourcing", package: "crm-engine"),
                .product(name: "EventStoreLMDB", package: "crm-engine"),
            ],
            path: "EventStoreBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "PayloadCodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EventSourcing", package: "crm-engine"),
                .product(name: "CRMDomain", package: "crm-engine"),
            ],
            path: "PayloadCodecBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EventSourcing", package: "crm-engine"),
                .product(name: "EventStoreLMDB", package: "crm-engine"),
                .product(name: "CRMDomain", package: "crm-engine"),
                .product(name: "CRMProjections", package: "crm-engine"),
                .product(name: "CRMAnalytics", package: "crm-engine"),
                .product(name: "CRMEngine", package: "crm-engine"),
                .product(name: "CRMDataGenerator", package: "crm-engine"),
                .product(name: "EventStorePostgres", package: "crm-engine"),
            ],
            path: "EngineBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
