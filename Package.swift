// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "crm-engine",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "EventSourcing", targets: ["EventSourcing"]),
        .library(name: "EventStoreLMDB", targets: ["EventStoreLMDB"]),
        .library(name: "EventStoreConformance", targets: ["EventStoreConformance"]),
        .library(name: "EventStorePostgres", targets: ["EventStorePostgres"]),
        .library(name: "CRMDomain", targets: ["CRMDomain"]),
        .library(name: "CRMProjections", targets: ["CRMProjections"]),
        .library(name: "CRMAnalytics", targets: ["CRMAnalytics"]),
        .library(name: "CRMEngine", targets: ["CRMEngine"]),
        .library(name: "CRMDataGenerator", targets: ["CRMDataGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        .target(name: "EventSourcing"),
        .target(
            name: "EventStoreLMDB",
            dependencies: [
                "LMDB", "EventSourcing",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "EventStoreConformance", dependencies: ["EventSourcing"]),
        // The event log on PostgreSQL (docs/POSTGRES.md): several engine nodes share one log.
        .target(
            name: "EventStorePostgres",
            dependencies: [
                "EventSourcing",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "CRMDomain", dependencies: ["EventSourcing"]),
        .target(name: "CRMProjections", dependencies: ["CRMDomain", "EventSourcing"]),
        .target(name: "CRMAnalytics", dependencies: ["CRMProjections", "CRMDomain", "EventSourcing"]),
        .target(
            name: "CRMEngine",
            dependencies: [
                "CRMProjections", "CRMAnalytics", "CRMDomain", "EventSourcing", "EventStoreLMDB", "LMDB",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "CRMDataGenerator", dependencies: ["CRMDomain", "EventSourcing"]),
        // The HTTP adapter: routes only, assembled by `buildApplication(engine:configuration:)`.
        .target(
            name: "CRMHTTP",
            dependencies: [
                "CRMConsole", "CRMEngine", "CRMProjections", "CRMDomain", "EventSourcing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.embedInCode("Resources/openapi.yaml")]
        ),
        // The web console (server-rendered pages under /console) over the same engine; mounted by CRMHTTP's builder.
        .target(
            name: "CRMConsole",
            dependencies: [
                "CRMEngine", "CRMAnalytics", "CRMProjections", "CRMDomain", "EventSourcing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Resources/layout.mustache"),
                .embedInCode("Resources/signin.mustache"),
                .embedInCode("Resources/error.mustache"),
                .embedInCode("Resources/home.mustache"),
                .embedInCode("Resources/customer.mustache"),
                .embedInCode("Resources/customers.mustache"),
                .embedInCode("Resources/task.mustache"),
                .embedInCode("Resources/ticket.mustache"),
                .embedInCode("Resources/supervisor.mustache"),
                .embedInCode("Resources/account.mustache"),
            ]
        ),
        // The `crm` command line (docs/CLI.md).
        .executableTarget(
            name: "crm",
            dependencies: [
                "CRMHTTP", "CRMConsole", "CRMEngine", "CRMAnalytics", "CRMDomain", "CRMProjections", "EventSourcing", "EventStoreLMDB", "EventStorePostgres", "CRMDataGenerator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // A small writer process for the crash-safety and multi-process tests (not a user tool).
        .executableTarget(name: "store-harness", dependencies: ["EventStoreLMDB", "EventSourcing", "CRMTestSupport"]),
        // A writer process appending to a shared PostgreSQL log, for the multi-process test (not a user tool).
        .executableTarget(name: "pg-harness", dependencies: ["EventStorePostgres", "EventSourcing", "CRMTestSupport"]),
        // One engine node over a shared PostgreSQL log, for the multi-process convergence test (not a user tool).
        .executableTarget(name: "pg-engine-node", dependencies: ["EventStorePostgres", "EventSourcing", "CRMEngine", "CRMDomain", "CRMProjections"]),
        // Appends a generated history while the views follow, for the kill-mid-update test (not a user tool).
        .executableTarget(name: "views-harness", dependencies: ["EventStoreLMDB", "EventSourcing", "CRMProjections", "CRMDataGenerator", "CRMDomain"]),
        // Child processes for the tests that kill a writer.
        .target(name: "CRMTestSupport", path: "Tests/Support"),
        .executableTarget(
            name: "QuickStart",
            dependencies: ["EventStoreLMDB", "EventSourcing"],
            path: "Examples/QuickStart"
        ),
        .executableTarget(name: "EmbeddedService", dependencies: ["CRMEngine", "CRMDomain", "EventSourcing"], path: "Examples/EmbeddedService"),
        .executableTarget(name: "AuditReplay", dependencies: ["CRMEngine", "CRMDomain", "EventSourcing"], path: "Examples/AuditReplay"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(name: "EventSourcingTests", dependencies: ["EventSourcing", "EventStoreConformance"]),
        .testTarget(name: "CRMDomainTests", dependencies: ["CRMDomain", "EventSourcing"]),
        .testTarget(name: "CRMProjectionsTests", dependencies: ["CRMProjections", "CRMDomain", "EventSourcing"]),
        .testTarget(name: "CRMAnalyticsTests", dependencies: ["CRMAnalytics", "CRMProjections", "CRMDomain", "EventSourcing"]),
        .testTarget(name: "CRMEngineTests", dependencies: ["CRMEngine", "CRMAnalytics", "CRMProjections", "CRMDomain", "EventSourcing", "EventStoreLMDB", "CRMDataGenerator", "CRMTestSupport", "views-harness"]),
        .testTarget(
            name: "CRMHTTPTests",
            dependencies: [
                "CRMHTTP", "CRMEngine", "CRMDomain", "EventSourcing", "CRMProjections",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CRMConsoleTests",
            dependencies: [
                "CRMConsole", "CRMHTTP", "CRMEngine", "CRMDomain", "EventSourcing", "CRMProjections", "CRMTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Runs the built `crm` binary as a child process on temporary data directories.
        .testTarget(name: "CLITests", dependencies: ["crm", "CRMTestSupport", "EventStoreLMDB", "EventSourcing", "CRMEngine", "CRMDomain", "CRMHTTP"]),
        .testTarget(name: "CRMDataGeneratorTests", dependencies: ["CRMDataGenerator", "CRMDomain", "EventSourcing"]),
        .testTarget(
            name: "EventStorePostgresTests",
            dependencies: ["EventStorePostgres", "EventSourcing", "EventStoreConformance", "EventStoreLMDB", "CRMEngine", "CRMDomain", "pg-harness", "pg-engine-node", "crm", "CRMTestSupport",
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "EventStoreLMDBTests",
            dependencies: ["EventStoreLMDB", "EventSourcing", "EventStoreConformance", "LMDB", "store-harness", "CRMTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
