// swift-tools-version:6.1
import PackageDescription

// A separate package (as in swift-nio and swift-log) so the main build and CI stay lean.
// Run with Benchmarks/run.sh, which builds in release mode, generates the input and prints the table.
let package = Package(
    name: "reqwatch-benchmarks",
    dependencies: [.package(name: "reqwatch", path: "../")],
    targets: [
        // Counts malloc calls by interposing glibc's allocator (allocations per record), without LD_PRELOAD.
        .target(name: "CMallocCounter"),
        .executableTarget(
            name: "reqwatch-bench",
            dependencies: [.product(name: "ReqwatchEngine", package: "reqwatch"), "CMallocCounter"],
            // A top-level script: Swift 5 mode keeps its globals usable from its functions.
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
