import Foundation
import ReqwatchTestSupport

struct MissingFile: Error { var path: String }

/// Reads a whole file (tests only).
func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else { throw MissingFile(path: path) }
    return [UInt8](d)
}

/// Whether the shared peer test data is on this machine (tests that read it are skipped otherwise).
let peersAvailable = FileManager.default.fileExists(atPath: peersTestdata("README.md"))

/// A file under `../shared/peers-testdata` next to the repository (falls back to /work/shared).
func peersTestdata(_ rel: String) -> String {
    let near = repositoryRoot() + "/../shared/peers-testdata/" + rel
    if FileManager.default.fileExists(atPath: near) { return near }
    return "/work/shared/peers-testdata/" + rel
}
