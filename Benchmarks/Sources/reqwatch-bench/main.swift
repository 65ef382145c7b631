// reqwatch-bench: measures, in ONE run over the SAME files, the stages whose ratios the issues set targets for:
//   inflate-only (our gzip reader, bytes discarded)  vs  gzip -dc FILE > /dev/null
//   scan parse-only (framing + parsing)              vs  inflate-only            (target: ≤ 1.2× on .gz)
//   scan with all detectors                          vs  scan parse-only         (target: ≤ 1.3×)
//   redact (records written as redacted JSON Lines)  vs  scan parse-only         (target: ≤ 1.5×)
//   gz scan with all detectors                     vs  inflate-only            (issue 14: <= 1.1)
//   plain scan with all detectors, one thread      vs  scan parse-only          (issue 14: parse-only / scan >= 0.8)
//   --threads 1, 2, …                              vs  --threads 1              (issue 14: >= 1.7x with 2 threads)
//   allocations per record (malloc calls counted by CMallocCounter, marginal over the second half of the log)
//   peak RSS and evictions of `reqwatch scan` over 1 M distinct clients (--memory; issue 14: <= 128 MB)
// Each measurement is the best of N repetitions (machines are shared and noisy; the minimum is the least disturbed).
// Usage: reqwatch-bench PLAIN_LOG GZ_LOG [--reps N] [--spec SPEC] [--threads 1,2] [--reqwatch BIN --memory LINES]
#if canImport(Glibc)
import Glibc
#endif
import CMallocCounter
import Foundation  // String(format:) for the table only
import ReqwatchCore
import ReqwatchDetect
import ReqwatchEngine
import ReqwatchInput
import ReqwatchOutput
import ReqwatchParse
import ReqwatchRedact

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var args = Array(CommandLine.arguments.dropFirst())
var reps = 3
var spec: String?
if let i = args.firstIndex(of: "--reps"), i + 1 < args.count { reps = Int(args[i + 1]) ?? 3; args.removeSubrange(i...i + 1) }
if let i = args.firstIndex(of: "--spec"), i + 1 < args.count { spec = args[i + 1]; args.removeSubrange(i...i + 1) }
var threadCounts = [1, 2]
var reqwatchBin: String?
var memoryLines = 0
if let i = args.firstIndex(of: "--threads"), i + 1 < args.count {
    threadCounts = args[i + 1].split(separator: ",").compactMap { Int($0) }
    args.removeSubrange(i...i + 1)
}
if let i = args.firstIndex(of: "--reqwatch"), i + 1 < args.count { reqwatchBin = args[i + 1]; args.removeSubrange(i...i + 1) }
if let i = args.firstIndex(of: "--memory"), i + 1 < args.count { memoryLines = Int(args[i + 1]) ?? 0; args.removeSubrange(i...i + 1) }
guard args.count == 2 else {
    print("usage: reqwatch-bench PLAIN_LOG GZ_LOG [--reps N] [--spec SPEC]")
    exit(64)
}
let plain = args[0]
let gz = args[1]

func best(_ label: String, _ body: () -> Void) -> Double {
    var b = Double.infinity
    for _ in 0..<reps {
        let t0 = now()
        body()
        b = min(b, now() - t0)
    }
    return b
}

func inflateOnly(_ path: String, threaded: Bool) -> Int64 {
    var total: Int64 = 0
    do {
        var src = try InputOpener.open(path, index: 0, threaded: threaded)
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
        defer { buf.deallocate() }
        while true {
            let n = try src.read(into: buf)
            if n == 0 { break }
            total += Int64(n)
        }
    } catch { print("inflate failed: \(error)") }
    return total
}

let devNull = FileDescriptorWriter(fd: open("/dev/null", O_WRONLY), name: "/dev/null", owns: true)

func scan(_ path: String, detect: Bool, redact: Bool, threaded: Bool = true, threads: Int = 1) -> ScanSummary {
    var o = ScanOptions()
    setThreads(&o, threads)
    o.inputs = [path]
    o.threadedInflate = threaded
    o.diagnostics = devNull
    if detect {
        var d = DetectConfiguration()
        if let spec { d.inventory = try? RouteInventory.load(path: spec) }
        o.detect = d
        o.alertSink = JSONLinesAlertSink(writer: devNull)
        o.redactor = try? Redactor(RedactConfiguration())
    } else {
        o.detect = nil
    }
    if redact {
        o.redactor = try? Redactor(RedactConfiguration())
        o.recordsOut = devNull
        o.detect = nil
    }
    do { return try ScanPipeline(options: o).run() } catch {
        print("scan failed: \(error)")
        exit(1)
    }
}

let gzBytes = inflateOnly(gz, threaded: false)
let first = scan(plain, detect: false, redact: false)
let lines = first.lines
print("input: \(plain) (\(lines) lines, \(first.bytes) bytes) and \(gz) (\(gzBytes) bytes inflated); best of \(reps)")

let tGunzip = best("gzip -dc") { _ = system("gzip -dc '\(gz)' > /dev/null") }
let tInflate = best("inflate-only") { _ = inflateOnly(gz, threaded: false) }
let tInflateThreaded = best("inflate-only threaded") { _ = inflateOnly(gz, threaded: true) }
let tParseGz = best("scan parse-only .gz") { _ = scan(gz, detect: false, redact: false) }
let tParseGzOneThread = best("scan parse-only .gz, 1 thread") { _ = scan(gz, detect: false, redact: false, threaded: false) }
let tParsePlain = best("scan parse-only plain") { _ = scan(plain, detect: false, redact: false) }
var alerts = 0
let tDetectPlain = best("scan + detectors plain") { alerts = scan(plain, detect: true, redact: false).alerts }
let tRedactPlain = best("redact plain") { _ = scan(plain, detect: false, redact: true) }
let tDetectGz = best("scan + detectors .gz") { _ = scan(gz, detect: true, redact: false) }
var tThreads: [(Int, Double)] = []
// Critical path in CPU time: the reading thread's CPU and the busiest worker's (thread CPU clocks), which shows what
// the threads gain on idle cores even when other jobs share the machine (wall times then only show the share we got).
var cpuPath: [(Int, Double, Double)] = []
func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
for n in threadCounts {
    tThreads.append((n, best("threads \(n)") { _ = scan(plain, detect: true, redact: false, threads: n) }))
    var bestMain = Double.infinity, bestWorker = 0.0
    for _ in 0..<reps {
        let c0 = threadCPU()
        let s = scan(plain, detect: true, redact: false, threads: n)
        let main = threadCPU() - c0
        let worker = Double(s.detectorStatistics.first { $0.0 == "detect.worker-cpu-ms-max" }?.1 ?? 0) / 1000
        if max(main, worker) < max(bestMain, bestWorker) || bestMain == .infinity { bestMain = main; bestWorker = worker }
    }
    cpuPath.append((n, bestMain, bestWorker))
}

// Allocations per record: malloc calls over the whole log minus those over its first half, per record of the
// second half, so start-up (tables, lists, the first batch's buffers) cancels out.
let half = "/tmp/reqwatch-bench-half-\(getpid()).log"
_ = system("head -n \(lines / 2) '\(plain)' > '\(half)'")
defer { unlink(half) }
func mallocs(_ body: () -> Void) -> UInt64 {
    let m0 = reqwatch_malloc_count()
    body()
    return reqwatch_malloc_count() - m0
}
func perRecord(detect: Bool) -> (Double, UInt64) {
    let h = mallocs { _ = scan(half, detect: detect, redact: false) }
    let f = mallocs { _ = scan(plain, detect: detect, redact: false) }
    return (Double(Int64(f) - Int64(h)) / Double(lines - lines / 2), f)
}
let (allocParse, allocParseTotal) = perRecord(detect: false)
let (allocDetect, allocDetectTotal) = perRecord(detect: true)

func row(_ name: String, _ t: Double, _ base: Double?, _ baseName: String) {
    let lps = Double(lines) / t
    let mbs = Double(first.bytes) / 1e6 / t
    var s = name.padding(toLength: 34, withPad: " ", startingAt: 0)
    s += String(format: "%8.3f s %12.0f lines/s %8.1f MB/s", t, lps, mbs)
    if let base { s += String(format: "   %.2fx ", t / base) + baseName }
    print(s)
}
print("")
row("gzip -dc > /dev/null", tGunzip, nil, "")
row("inflate-only (reqwatch reader)", tInflate, tGunzip, "of gzip -dc")
row("inflate-only, threaded reader", tInflateThreaded, tInflate, "of inflate-only")
row("scan parse-only .gz (threaded)", tParseGz, tInflate, "of inflate-only (target <= 1.2)")
row("scan parse-only .gz (1 thread)", tParseGzOneThread, tInflate, "of inflate-only")
row("scan parse-only plain", tParsePlain, nil, "")
row("scan + all detectors, plain", tDetectPlain, tParsePlain, "of parse-only (target <= 1.3)")
row("redact to JSON Lines, plain", tRedactPlain, tParsePlain, "of parse-only (target <= 1.5)")
row("scan + all detectors .gz", tDetectGz, tInflate, "of inflate-only (issue 14: <= 1.1)")
row("scan + all detectors .gz", tDetectGz, tInflateThreaded, "of inflate-only threaded reader")
for (n, t) in tThreads {
    row("scan + all detectors, --threads \(n)", t, tThreads[0].1, "of --threads \(tThreads[0].0)")
}
for (n, main, worker) in cpuPath {
    print(String(format: "  --threads %d CPU: reading thread %.3f s, busiest worker %.3f s; critical path %.2fx shorter than --threads %d",
                 n, main, worker, max(cpuPath[0].1, cpuPath[0].2) / max(main, worker), cpuPath[0].0))
}
print("")
print(String(format: "plain, all detectors: %.2f M lines/s on one thread; parse-only / full scan = %.2f (issue 14: >= 0.8)",
             Double(lines) / tDetectPlain / 1e6, tParsePlain / tDetectPlain))
print(String(format: "allocations per record (marginal, second half of the log): parse-only %.3f, all detectors %.3f "
             + "(whole-log malloc calls: %llu and %llu)", allocParse, allocDetect, allocParseTotal, allocDetectTotal))
// Detector windows snapshot (reqwatch tail --state): size and cost after the whole plain log.
var engine: DetectionEngine? = {
    var d = DetectConfiguration()
    if let spec { d.inventory = try? RouteInventory.load(path: spec) }
    return try? DetectionEngine(configuration: d)
}()
var snapshotAlerts: [Alert] = []
do {
    var o = ScanOptions()
    o.inputs = [plain]
    o.diagnostics = devNull
    o.detect = nil
    o.onBatch = { b in
        engine!.observe(b, into: &snapshotAlerts)
        snapshotAlerts.removeAll(keepingCapacity: true)
    }
    _ = try? ScanPipeline(options: o).run()
}
var snapshotBytes: [UInt8] = []
let tSnapshot = best("snapshot") { snapshotBytes = engine!.snapshot() }
let tRestore = best("restore") {
    var fresh = try! DetectionEngine(configuration: DetectConfiguration())
    try! fresh.restore(snapshotBytes)
}
let keys = engine!.statistics.filter { $0.0.hasSuffix(".keys") || $0.0.hasSuffix(".clients") }.map { "\($0.0)=\($0.1)" }
print("")
print(String(format: "detector windows snapshot after the plain log: %.1f MB, encode %.1f ms, restore %.1f ms (%@)",
             Double(snapshotBytes.count) / 1e6, tSnapshot * 1000, tRestore * 1000, keys.joined(separator: " ")))
print("")
print(String(format: "parse-only plain: %.2f M lines/s (target >= 4 M lines/s on one core); detectors fired %d alerts",
             Double(lines) / tParsePlain / 1e6, alerts))
print("peak RSS of this process: \(peakResidentBytes() / 1_048_576) MiB")

// The CLI as users run it, each a fresh process (in-process runs above share a warmed heap, which favours later rows).
if let bin = reqwatchBin {
    let specArg = spec.map { "--spec '\($0)' " } ?? ""
    func cli(_ label: String, _ args: String) -> Double {
        best(label) { _ = system("'\(bin)' scan --no-progress \(args) > /dev/null 2>/dev/null") }
    }
    let cParse = cli("parse-only", "--parse-only '\(plain)'")
    var cThreads: [(Int, Double)] = []
    for n in threadCounts { cThreads.append((n, cli("threads \(n)", "--threads \(n) \(specArg)'\(plain)'"))) }
    let cGz = threadCounts.map { n in (n, cli("gz threads \(n)", "--threads \(n) \(specArg)'\(gz)'")) }
    print("")
    print("reqwatch scan (\(bin)), one process per run:")
    row("scan --parse-only plain", cParse, nil, "")
    for (n, t) in cThreads {
        row("scan --threads \(n) plain", t, cParse, "of --parse-only")
        if n != cThreads[0].0 {
            print(String(format: "%@%.2fx faster than --threads %d", "".padding(toLength: 36, withPad: " ", startingAt: 0),
                         cThreads[0].1 / t, cThreads[0].0))
        }
    }
    for (n, t) in cGz { row("scan --threads \(n) .gz", t, tInflate, "of inflate-only (issue 14: <= 1.1)") }
}

// 1 M distinct clients: peak RSS and evictions of the real binary (a fresh process, so nothing above counts).
if let bin = reqwatchBin, memoryLines > 0 {
    let log = "/tmp/reqwatch-bench-clients-\(getpid()).log"
    let stats = log + ".stats.json"
    defer { unlink(log); unlink(stats) }
    if let f = fopen(log, "w") {
        // One request per client, each from its own IPv4 address and agent, with a 404 to an unknown path
        // (probe state) and a 401 every third line (auth state), one second apart.
        for i in 0..<memoryLines {
            let ip = "10.\((i >> 16) & 255).\((i >> 8) & 255).\(i & 255)"
            let s = i % 60, m = (i / 60) % 60, h = (i / 3600) % 24, d = 1 + (i / 86400) % 28
            let status = i % 3 == 0 ? 401 : 404
            let line = "\(ip) - - [\(d < 10 ? "0" : "")\(d)/Mar/2025:\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m):\(s < 10 ? "0" : "")\(s) +0000] "
                + "\"GET /api/items/x\(i % 5000)/detail HTTP/1.1\" \(status) 12 \"-\" \"client/\(i % 1000)\"\n"
            fputs(line, f)
        }
        fclose(f)
    }
    let t0 = now()
    let rc = system("'\(bin)' scan --no-progress --stats-json '\(stats)' '\(log)' > /dev/null 2>/dev/null")
    let t = now() - t0
    if let data = FileManager.default.contents(atPath: stats),
        let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    {
        let rss = (obj["peak_rss_bytes"] as? Int) ?? 0
        let det = (obj["detectors"] as? [String: Any]) ?? [:]
        let ev = det.filter { $0.key.contains("evict") }.map { "\($0.key)=\($0.value)" }.sorted()
        print(String(format: "%d distinct clients: peak RSS %.1f MiB (issue 14: <= 128 MB), %.2f s, exit %d; evictions: %@",
                     memoryLines, Double(rss) / 1_048_576, t, rc, ev.joined(separator: " ")))
    } else {
        print("memory run failed (exit \(rc))")
    }
}

func setThreads(_ o: inout ScanOptions, _ n: Int) { o.threads = n }
