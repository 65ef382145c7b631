// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "reqwatch",
    products: [
        .executable(name: "reqwatch", targets: ["reqwatch"]),
        .executable(name: "reqwatch-gen", targets: ["reqwatch-gen"]),
        .executable(name: "reqwatch-score", targets: ["reqwatch-score"]),
        // For Benchmarks/ (a separate package): the engine and the stage modules it measures one by one.
        .library(
            name: "ReqwatchEngine",
            targets: [
                "ReqwatchEngine", "ReqwatchCore", "ReqwatchInput", "ReqwatchParse", "ReqwatchDetect", "ReqwatchRedact",
                "ReqwatchOutput",
            ]),
        .library(name: "ReqwatchGenerator", targets: ["ReqwatchGenerator"]),
    ],
    dependencies: [
        // CLI parsing for the three executables.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // HMAC-SHA256 pseudonyms in the redactor (`--mode hash`).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // YAML: the config file and OpenAPI specs written in YAML.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `tail --metrics`: the Prometheus exposition format, and a small HTTP server to serve it on loopback.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "ReqwatchCore"),
        .target(name: "ReqwatchInput", dependencies: ["ReqwatchCore", "CZlib"]),
        .target(name: "ReqwatchParse", dependencies: ["ReqwatchCore"]),
        .target(name: "ReqwatchDetect", dependencies: ["ReqwatchCore", "Yams"]),
        .target(
            name: "ReqwatchRedact",
            dependencies: ["ReqwatchCore", "Yams", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ReqwatchOutput", dependencies: ["ReqwatchCore", "CZlib"]),
        .target(name: "ReqwatchTail", dependencies: ["ReqwatchCore"]),
        .target(
            name: "ReqwatchEngine",
            dependencies: [
                "ReqwatchCore", "ReqwatchInput", "ReqwatchParse", "ReqwatchDetect", "ReqwatchRedact", "ReqwatchOutput",
                "ReqwatchTail", "Yams",
            ]),
        // The HTML report (`reqwatch report`, `scan --report`).
        .target(
            name: "ReqwatchReport",
            dependencies: [
                "ReqwatchCore", "ReqwatchDetect", "ReqwatchEngine", "ReqwatchOutput", "ReqwatchParse", "ReqwatchRedact",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // `tail --metrics`.
        .target(
            name: "ReqwatchMetrics",
            dependencies: [
                "ReqwatchCore", "ReqwatchEngine", "ReqwatchOutput", .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ]),
        .executableTarget(
            name: "reqwatch",
            dependencies: [
                "ReqwatchEngine", "ReqwatchReport", "ReqwatchMetrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "ReqwatchGenerator", dependencies: ["ReqwatchCore"]),
        .executableTarget(
            name: "reqwatch-gen",
            dependencies: ["ReqwatchGenerator", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "reqwatch-score",
            dependencies: ["ReqwatchGenerator", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "ReqwatchTestSupport", dependencies: ["ReqwatchEngine"], path: "Tests/ReqwatchTestSupport"),
        .testTarget(name: "ReqwatchCoreTests", dependencies: ["ReqwatchCore", "ReqwatchTestSupport"]),
        .testTarget(
            name: "ReqwatchInputTests", dependencies: ["ReqwatchInput", "ReqwatchTestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ReqwatchParseTests", dependencies: ["ReqwatchParse", "ReqwatchTestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "ReqwatchDetectTests", dependencies: ["ReqwatchDetect", "ReqwatchTestSupport"], exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ReqwatchRedactTests",
            dependencies: ["ReqwatchRedact", "ReqwatchOutput", "ReqwatchEngine", "ReqwatchTestSupport"], exclude: ["Fixtures"]
        ),
        .testTarget(name: "ReqwatchTailTests", dependencies: ["ReqwatchTail", "ReqwatchTestSupport"]),
        .testTarget(
            name: "ReqwatchEngineTests",
            dependencies: [
                "ReqwatchEngine", "ReqwatchCore", "ReqwatchOutput", "ReqwatchRedact", "ReqwatchGenerator",
                "ReqwatchTestSupport",
            ]),
        .testTarget(name: "ReqwatchEndToEndTests", dependencies: ["ReqwatchTestSupport"]),
        .testTarget(name: "ReqwatchReportTests", dependencies: ["ReqwatchReport", "ReqwatchEngine", "ReqwatchTestSupport"]),
        .testTarget(name: "ReqwatchMetricsTests", dependencies: ["ReqwatchTestSupport"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility"),
    ]
}
