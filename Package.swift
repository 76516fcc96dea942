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
        .library(name: "CRMDomain", targets: ["CRMDomain"]),
        .library(name: "CRMProjections", targets: ["CRMProjections"]),
        .library(name: "CRMAnalytics", targets: ["CRMAnalytics"]),
        .library(name: "CRMEngine", targets: ["CRMEngine"]),
        .library(name: "CRMDataGenerator", targets: ["CRMDataGenerator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        .target(name: "CRMDomain", dependencies: ["EventSourcing"]),
        .target(name: "CRMProjections", dependencies: ["CRMDomain", "EventSourcing"]),
        .target(name: "CRMAnalytics", dependencies: ["CRMProjections", "CRMDomain", "EventSourcing"]),
        .target(
            name: "CRMEngine",
            dependencies: [
                "CRMProjections", "CRMDomain", "EventSourcing", "EventStoreLMDB", "LMDB",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "CRMDataGenerator", dependencies: ["CRMDomain", "EventSourcing"]),
        // A small writer process for the crash-safety and multi-process tests (not a user tool).
        .executableTarget(name: "store-harness", dependencies: ["EventStoreLMDB", "EventSourcing"]),
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
        .testTarget(name: "CRMEngineTests", dependencies: ["CRMEngine", "CRMProjections", "CRMDomain", "EventSourcing", "EventStoreLMDB", "CRMDataGenerator", "CRMTestSupport", "views-harness"]),
        .testTarget(name: "CRMDataGeneratorTests", dependencies: ["CRMDataGenerator", "CRMDomain", "EventSourcing"]),
        .testTarget(
            name: "EventStoreLMDBTests",
            dependencies: ["EventStoreLMDB", "EventSourcing", "EventStoreConformance", "LMDB", "store-harness", "CRMTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
