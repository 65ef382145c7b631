import Foundation
import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

/// Prints ns/record of the whole detection stage on synthetic traffic. Only runs with REQWATCH_PERF=1
/// (`REQWATCH_PERF=1 swift test -c release --filter DetectPerformanceProbe`); it asserts nothing timed.
@Suite struct DetectPerformanceProbe {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REQWATCH_PERF"] == "1"))
    func nanosecondsPerRecord() throws {
        var rng = SplitMix64(seed: 3)
        let agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
                      "okhttp/4.12.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"]
        let paths = ["/users/", "/orders/", "/api/v1/items/", "/static/app.js", "/login", "/products/", "/healthz"]
        var reqs: [TestRequest] = []
        for k in 0..<200_000 {
            let c = Int(rng.next() % 50_000)
            let p = paths[Int(rng.next() % UInt64(paths.count))]
            let path = p.hasSuffix("/") ? p + String(rng.next() % 100_000) : p
            reqs.append(TestRequest(time: DetectorHarness.t0 + Int64(k / 50), ip: "10.\(c >> 16).\((c >> 8) & 255).\(c & 255)",
                                    user: c % 3 == 0 ? "user\(c)" : nil, path: path, status: rng.next() % 20 == 0 ? 401 : 200,
                                    userAgent: agents[c % agents.count]))
        }
        let batches = DetectorHarness.batches(reqs, size: 256)
        let all = DetectConfiguration().enabledRules
        for rules in [all, [], [Rule.idEnumeration.id], [Rule.authFailureCluster.id], [Rule.unknownEndpoint.id],
                      [Rule.suspiciousUserAgent.id]] as [Set<String>]
        {
            var config = DetectConfiguration()
            config.enabledRules = rules
            var engine = try DetectionEngine(configuration: config)
            var alerts: [Alert] = []
            let start = DispatchTime.now().uptimeNanoseconds
            for b in batches { engine.observe(b, into: &alerts) }
            let ns = DispatchTime.now().uptimeNanoseconds - start
            print("DETECT-PERF \(rules.sorted()) \(reqs.count) records, \(Double(ns) / Double(reqs.count)) ns/record, \(alerts.count) alerts")
        }
    }
}
