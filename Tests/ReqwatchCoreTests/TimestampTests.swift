import ReqwatchCore
import ReqwatchTestSupport
import Testing

@Suite struct TimestampTests {
    @Test func civilRoundTrip() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let us = Int64(rng.next() % 4_000_000_000_000_000) - 1_000_000_000_000_000
            let t = Timestamp(microseconds: us)
            let c = t.civil
            let back = Timestamp.from(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute,
                                      second: c.second, microsecond: c.microsecond)
            #expect(back == t)
        }
    }

    @Test func knownInstant() {
        // 2015-05-17T10:05:03+0000 is 1431857103.
        let t = Timestamp.from(year: 2015, month: 5, day: 17, hour: 10, minute: 5, second: 3)
        #expect(t.seconds == 1_431_857_103)
        #expect(t.iso8601 == "2015-05-17T10:05:03.000Z")
        let z = Timestamp.from(year: 2015, month: 5, day: 17, hour: 12, minute: 5, second: 3, offsetSeconds: 7200)
        #expect(z == t)
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesHostileText() {
        let s = "a\"b\\c\n\u{01}\u{2028}é"
        let v = JSONValue.object([("k", .string(s))])
        #expect(v.encoded() == #"{"k":"a\"b\\c\n\u0001\u2028é"}"#)
    }

    @Test func invalidUTF8Repaired() {
        var out: [UInt8] = []
        let bad: [UInt8] = [0x41, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x42]
        bad.withUnsafeBufferPointer { JSONWriter.writeString(bytes: $0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "\"A\u{FFFD}\u{FFFD}(\u{FFFD}\u{FFFD}\u{FFFD}B\"")
    }
}
