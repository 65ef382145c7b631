// swift-tools-version:6.2
// libFuzzer harnesses for reqwatch's attacker-facing code. Build and run with ./run.sh (see README.md).
import PackageDescription

let harnesses = ["FuzzCombined", "FuzzJSON", "FuzzGzipFramer", "FuzzRedactor", "FuzzRouteTemplater", "FuzzConfig", "FuzzSpec"]

let package = Package(
    name: "reqwatch-fuzz",
    dependencies: [.package(name: "reqwatch", path: "../")],
    targets: harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "ReqwatchEngine", package: "reqwatch")],
            // One file defining LLVMFuzzerTestOneInput and no top-level code: libFuzzer supplies main().
            swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
)
