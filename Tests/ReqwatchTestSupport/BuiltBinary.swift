import Foundation

/// Path of the built `reqwatch` executable beside the test bundle (`swift test` runs
/// `<build>/debug/reqwatchPackageTests.xctest`), else `.build/debug/reqwatch` in the repository.
public var builtReqwatchPath: String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("reqwatch").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return repositoryRoot() + "/.build/debug/reqwatch"
}
