import Foundation
import ReqwatchCore
import Testing

@testable import ReqwatchTail

@Suite struct JSONReaderTests {
    func parse(_ s: String) -> JSONValue? { JSONReader.parse(Array(s.utf8)) }

    @Test func readsWhatTheStateNeeds() throws {
        let v = try #require(
            parse(
                #" { "a" : "\ud83d\ude00\n\u00e9\"\\\/" , "b":[1,-2,9223372036854775807,-9223372036854775808,[]],"c":true,"d":null,"e":{} } "#
            ))
        #expect(v["a"] == .string("😀\né\"\\/"))
        #expect(v["b"] == .array([.int(Int64(1)), .int(Int64(-2)), .int(Int64.max), .int(Int64.min), .array([])]))
        #expect(v["c"] == .bool(true))
        #expect(v["d"] == .null)
        #expect(v["e"] == .object([]))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "\"\\ud83d\"", "\"\\x\"", "\"tab\there\"", "tru", "nul", "[1] [2]", "\"unterminated",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func rejectsMalformedInput(_ s: String) {
        #expect(parse(s) == nil)
    }

    /// Numbers that are not 64-bit integers are JSON, but not a state: the state decoder refuses them.
    @Test(arguments: ["1.5", "1e3", "9223372036854775808"])
    func stateRefusesNonIntegerOffsets(_ n: String) throws {
        #expect(parse(n) != nil)
        var state = TailState()
        state.positions["/x"] = CommittedPosition(
            device: 1, inode: 2, prefixLength: 0, prefixHash: 7, offset: 10, lineNumber: nil, eventTime: nil)
        let good = String(decoding: state.encoded(order: ["/x"]), as: UTF8.self)
        #expect(TailState.decode(Array(good.utf8)) == state)
        let bad = good.replacingOccurrences(of: "\"offset\":10", with: "\"offset\":\(n)")
        #expect(bad != good)
        #expect(TailState.decode(Array(bad.utf8)) == nil)
    }

    @Test func roundTripsTheWriterOutput() throws {
        var state = TailState()
        state.extra = [0, 1, 0xFE, 0xFF]
        state.positions["/var/log/a\u{1}\"b\\.log"] = CommittedPosition(
            device: .max, inode: 1 << 63, prefixLength: 256, prefixHash: 0xDEAD_BEEF_0000_0001, offset: 1 << 40,
            lineNumber: 12, eventTime: Timestamp(microseconds: -1))
        state.positions["/x"] = CommittedPosition(
            device: 0, inode: 0, prefixLength: 0, prefixHash: 7, offset: 0, lineNumber: nil, eventTime: nil)
        let bytes = state.encoded(order: ["/var/log/a\u{1}\"b\\.log", "/x"])
        #expect(TailState.decode(bytes) == state)
    }
}
