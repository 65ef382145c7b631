import ReqwatchCore
@testable import ReqwatchReport
import ReqwatchTestSupport
import Testing

@Suite struct HTMLWriterTests {
    @Test func textAndAttributesAreEscaped() {
        var w = HTMLWriter()
        w.open("td", [Attribute("title", "\"><script>x</script>' onmouseover='y")])
        w.text("<img src=x onerror=alert(1)> & \u{202E}rtl\u{1B}[2J")
        w.close("td")
        let html = String(decoding: w.bytes, as: UTF8.self)
        #expect(html == "<td title=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;&#39; onmouseover=&#39;y\">&lt;img src=x onerror=alert(1)&gt; &amp; ?rtl?[2J</td>")
    }

    @Test func anchorsKeepOnlySafeCharacters() {
        #expect(Anchor("inc-", "javascript:alert(1)\"<>").value == "inc-javascriptalert1")
        #expect(Attribute.href(Anchor("inc-", "27e5baf6")).value == "#inc-27e5baf6")
    }

    @Test func longTextIsCut() {
        var w = HTMLWriter()
        w.maxTextLength = 5
        w.text("abcdefgh")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "abcde…")
    }

    @Test func redactionAppliesToEveryString() {
        var w = HTMLWriter()
        w.redact = { $0.replacing("secret", with: "[R]") }
        w.open("span", [.title("a secret")])
        w.text("secret path")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "<span title=\"a [R]\">[R] path")
    }
}

@Suite struct JSONReaderTests {
    @Test func readsWhatTheWriterWrites() throws {
        let value = JSONValue.object([
            ("a", .string("x\"\\\n\u{1}\u{2028}é😀")), ("b", .int(-42)), ("c", .double(1.5)), ("d", .array([.bool(true), .null])),
            ("e", .object([])),
        ])
        let parsed = try #require(JSONReader.parse(value.encoded()))
        #expect(parsed == value)
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"\\x\""])
    func rejectsBrokenJSON(_ text: String) {
        #expect(JSONReader.parse(text) == nil)
    }

    @Test func surrogatePairs() {
        #expect(JSONReader.parse("\"\\ud83d\\ude00\"") == .string("😀"))
    }
}

@Suite struct TimeHistogramTests {
    @Test func bucketsStayFixedAndCountsAreKept() {
        var h = TimeHistogram(buckets: 8)
        var rng = SplitMix64(seed: 7)
        var total: Int64 = 0, c4: Int64 = 0, c5: Int64 = 0
        for _ in 0..<5000 {
            let t = Int64(rng.next() % 1_000_000) * 1_000_000  // up to ~11.6 days, in any order
            let status = UInt16([200, 404, 503][Int(rng.next() % 3)])
            h.add(time: Timestamp(microseconds: t), status: status)
            total += 1
            if status == 404 { c4 += 1 } else if status == 503 { c5 += 1 }
        }
        #expect(h.requests.count == 8)
        #expect(h.total == total)
        #expect(h.clientErrors.reduce(0, +) == c4)
        #expect(h.serverErrors.reduce(0, +) == c5)
        #expect(h.width >= 1_000_000 * 1_000_000 / 8)
    }

    @Test func orderDoesNotMatter() {
        let times: [Int64] = [50, 3, 7_000, 12, 900, 6_999, 1, 4_000].map { $0 * 1_000_000 }
        var a = TimeHistogram(buckets: 4), b = TimeHistogram(buckets: 4)
        for t in times { a.add(time: Timestamp(microseconds: t), status: 200) }
        for t in times.reversed() { b.add(time: Timestamp(microseconds: t), status: 200) }
        #expect(a.total == 8 && b.total == 8)
        #expect(a.width == b.width)
        #expect(TimeHistogram.ladder.contains(a.width / 1_000_000), "round bucket widths")
        // Every record is inside its bucket's range.
        let u = a.used!
        #expect(u.start <= 1_000_000 && u.start + Int64(u.requests.count) * u.width > 7_000_000_000)
    }

    @Test func unknownTimesAreNotCounted() {
        var h = TimeHistogram()
        h.add(time: .unknown, status: 200)
        #expect(h.isEmpty && h.used == nil)
    }
}

@Suite struct IncidentSetTests {
    @Test func groupsByIncidentIdThenEventIdAndKeepsTheLastLine() {
        var s = IncidentSet()
        s.add(line: Array(#"{"event":{"id":"a1","severity":3},"rule":{"id":"r"},"reqwatch":{"incident":{"id":"I1","state":"opened"}}}"#.utf8))
        s.add(line: Array(#"{"event":{"id":"a2","severity":4},"rule":{"id":"r"},"reqwatch":{"incident":{"id":"I1","state":"closed"},"count":9}}"#.utf8))
        s.add(line: Array(#"{"event":{"id":"b1","severity":5},"rule":{"id":"q"}}"#.utf8))
        s.add(line: Array("not json".utf8))
        #expect(s.incidents.count == 2)
        #expect(s.unreadableLines == 1)
        let ranked = s.ranked
        #expect(ranked.map(\.id) == ["b1", "I1"])
        #expect(ranked[1].state == "closed" && ranked[1].count == 9 && ranked[1].lines == 2)
        #expect(ranked[1].events == nil)
        #expect(s.perRule == ["r": 1, "q": 1])
    }

    @Test func absentFieldsAreNil() {
        var s = IncidentSet()
        s.add(line: Array(#"{"event":{"id":"x"}}"#.utf8))
        let i = s.incidents[0]
        #expect(i.ruleID == "unknown" && i.sourceIP == nil && i.samples.isEmpty && i.techniqueIDs.isEmpty && i.count == nil)
    }

    @Test func isoTimes() {
        #expect(parseISO8601("1970-01-01T00:00:01.500Z") == 1_500_000)
        #expect(parseISO8601("2024-05-01T16:13:46.000Z") == Timestamp.from(year: 2024, month: 5, day: 1, hour: 16, minute: 13, second: 46).microseconds)
        #expect(parseISO8601("1970-01-01T01:00:00+01:00") == 0)
        #expect(parseISO8601("garbage") == nil)
    }
}

@Suite struct ReportStyleTests {
    @Test func base64MatchesKnownVectors() {
        #expect(ReportStyle.base64(Array("".utf8)) == "")
        #expect(ReportStyle.base64(Array("f".utf8)) == "Zg==")
        #expect(ReportStyle.base64(Array("fo".utf8)) == "Zm8=")
        #expect(ReportStyle.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    @Test func policyHashesTheStylesheet() {
        // SHA-256 of "" is 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=.
        #expect(ReportStyle.hashSource("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")
        #expect(ReportStyle.policy(for: "").hasPrefix("default-src 'none'; style-src 'sha256-"))
    }
}
