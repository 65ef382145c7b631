import Foundation
import ReqwatchCore
import ReqwatchRedact
import ReqwatchTestSupport
import Testing

/// Throughput harness, not a unit test: run with `REQWATCH_BENCH=1 swift test -c release --filter
/// RedactionThroughputTests`. It prints records/s and asserts nothing about time.
@Suite struct RedactionThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REQWATCH_BENCH"] != nil))
    func throughput() {
        var batches: [RecordBatch] = []
        var rng = SplitMix64(seed: 42)
        var totalBytes = 0
        for _ in 0..<40 {
            var b = RecordBatch(origin: InputOrigin(path: "bench"))
            for i in 0..<256 {
                var r = TestRequest(path: "/api/v1/users/\(rng.next() % 100_000)/orders", query: "page=\(i % 7)&sort=created_at&limit=50")
                r.userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
                r.referer = "https://shop.example.com/cart?item=\(rng.next() % 1000)"
                r.host = "api.example.com"
                if i % 5 == 0 {
                    r.query = "token=\(Samples.jwt)&q=hello+world"
                    r.headers = [("Authorization", Samples.bearer), ("Accept", "application/json"), ("X-Request-Id", "req-\(i)")]
                    r.body = #"{"user":{"email":"a@b.com","password":"x"},"items":[{"sku":"SKU-1","qty":2}],"note":"ok"}"#
                }
                r.append(to: &b)
                totalBytes += r.path.utf8.count + (r.query?.utf8.count ?? 0) + (r.userAgent?.utf8.count ?? 0)
                    + (r.referer?.utf8.count ?? 0) + (r.body?.utf8.count ?? 0)
            }
            batches.append(b)
        }
        let redactor = maskRedactor()
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var audit = RedactionAudit()
        let rounds = 20
        let clock = ContinuousClock()
        var records = 0
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                for b in batches {
                    out.removeAll(keepingCapacity: true)
                    redactor.writeRecords(in: b, into: &out, audit: &audit)
                    records += b.records.count
                }
            }
        }
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("redact throughput: \(records) records in \(String(format: "%.3f", secs)) s = "
            + "\(Int(Double(records) / secs)) records/s, \(String(format: "%.1f", Double(totalBytes * rounds) / secs / 1e6)) MB/s of field text; "
            + "\(audit.total) redactions")
        #expect(records == 40 * 256 * rounds)
        // Adversarial 1 MiB values: time per shape (linear scanners should all take a few ms).
        for unit in ["a", "4", "eyJ-", "a@", "1 ", "xoxb-", "aws ", "k=", "@a.", "\"password\":\"", "Bearer ", "%25"] {
            let text = String(repeating: unit, count: (1 << 20) / unit.utf8.count)
            var a = RedactionAudit()
            let d = clock.measure { _ = redactor.redact(text: text, field: "t", audit: &a) }
            print("adversarial 1 MiB of \(unit.debugDescription): \(d)")
        }
    }
}
