import ReqwatchCore
import ReqwatchDetect

/// The spec loader: OpenAPI 3 / Swagger 2 in YAML or JSON, or a plain route list. Any text gives an inventory or a
/// `.spec` error value, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do throws(ReqwatchError) {
        let inv = try RouteInventory.parse(text: text, origin: "fuzz.yaml")
        _ = inv.match(method: .get, path: UnsafeBufferPointer(start: data, count: min(size, 64)))
    } catch {
        precondition(error.code == .spec, "unexpected error code \(error.code)")
        _ = error.description
    }
    return 0
}
