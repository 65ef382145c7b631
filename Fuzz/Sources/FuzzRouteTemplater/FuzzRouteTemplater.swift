import ReqwatchCore
import ReqwatchDetect

/// The route templater and inventory matcher: paths (one per line) templated and matched against an inventory
/// built from templates taken from the same input; also the template validator.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var templater = RouteTemplater(capacity: 64)
    var inventory = RouteInventory()
    inventory.add(method: .get, template: "/users/{id}/orders/{order}")
    inventory.add(method: nil, template: "/static/{file}")
    var start = 0
    for i in 0...size where i == size || bytes[i] == 0x0A {
        let line = UnsafeBufferPointer(rebasing: bytes[start..<i])
        let text = String(decoding: line, as: UTF8.self)
        if RouteInventory.templateProblem(text) == nil, text.hasPrefix("/") {
            inventory.add(method: .post, template: text)
        }
        let (id, range) = templater.route(for: line)
        precondition(id >= 0 || range == nil)
        if let range { precondition(range.lowerBound >= 0 && range.upperBound <= line.count) }
        _ = inventory.match(method: .get, path: line)
        _ = RouteTemplater.template(text)
        _ = RouteTemplater.looksLikeIdentifier(line)
        start = i + 1
    }
    _ = templater.names
    return 0
}
