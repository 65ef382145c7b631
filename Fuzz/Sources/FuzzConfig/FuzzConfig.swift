import ReqwatchCore
import ReqwatchEngine

/// The YAML config loader (top level, detectors, allowlist, redaction sections): any text gives a config or a
/// `.config` error value, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do throws(ReqwatchError) {
        _ = try ConfigFile.parse(text: text, path: "/fuzz/config.yaml")
    } catch {
        precondition(error.code == .config, "unexpected error code \(error.code)")
        _ = error.description
    }
    return 0
}
