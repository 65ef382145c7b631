// swift-tools-version:6.1
import PackageDescription

// A separate package (as in swift-nio and swift-log) so the main build and CI stay lean.
// Run with Benchmarks/run.sh, which builds in release mode, generates the input and prints the table.
let package = Package(
    name: "reqwatch-benchmarks",
    dependencies: [.package(name: "reqwatch", path: "../")],
    targets: [
        .executableTarget(
            name: "reqwatch-bench",
            dependencies: [.product(name: "ReqwatchEngine", package: "reqwatch")],
            // A top-level script: Swift 5 mode keeps its globals usable from its functions.
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
