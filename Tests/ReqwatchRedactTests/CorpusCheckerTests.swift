import Foundation
import ReqwatchCore
import ReqwatchEngine
import ReqwatchOutput
import ReqwatchParse
import ReqwatchRedact
import ReqwatchTestSupport
import Testing

/// Issue 13: the planted-secret corpus (`Fixtures/corpus`, made by `make_corpus.py`) through `reqwatch redact`
/// (same format out) and `reqwatch scan --store` (store and alert evidence). Reports leaks per kind (a secret in
/// plain, percent-, `+`-, JSON-escaped or base64 form on stdout, stderr, the store or in alerts) and damaged
/// look-alikes per kind; fails on any leak or on more than 1% of unambiguous (10% of arguable) look-alikes
/// changed. The report is also written to `$TMPDIR/reqwatch-redaction-corpus-report.txt`.
@Suite(.serialized) struct CorpusCheckerTests {
    static let formats = ["combined.log", "nginx.jsonl", "caddy.jsonl"]

    struct Secret { var line: Int; var kind: String; var context: String; var value: String }
    struct Lookalike { var line: Int; var kind: String; var arguable: Bool; var needle: String }

    static func manifest(_ base: String, _ suffix: String) throws -> [[String]] {
        let text = try String(contentsOfFile: fixture("corpus/" + base + suffix), encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    static func unquote(_ s: String) throws -> String {
        try JSONSerialization.jsonObject(with: Data(s.utf8), options: [.fragmentsAllowed]) as! String
    }

    static func secrets(_ file: String) throws -> [Secret] {
        let base = String(file.split(separator: ".")[0])
        return try manifest(base, ".secrets.tsv").map { f in
            Secret(line: Int(f[0])!, kind: f[1], context: try unquote(f[2]), value: try unquote(f[3]))
        }
    }

    static func lookalikes(_ file: String) throws -> [Lookalike] {
        let base = String(file.split(separator: ".")[0])
        return try manifest(base, ".lookalikes.tsv").map { f in
            Lookalike(line: Int(f[0])!, kind: f[1], arguable: f[2] == "arguable", needle: try unquote(f[3]))
        }
    }

    // MARK: encodings

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func jsonEscaped(_ s: String, slash: Bool) -> String {
        let d = try! JSONSerialization.data(withJSONObject: [s], options: slash ? [] : [.withoutEscapingSlashes])
        let t = String(decoding: d, as: UTF8.self)
        return String(t.dropFirst(2).dropLast(2))
    }

    /// Every form a secret must not appear in.
    static func forms(_ v: String) -> [String] {
        var out: [String] = [v]
        let pct = v.addingPercentEncoding(withAllowedCharacters: unreserved) ?? v
        out.append(pct)
        out.append(pct.addingPercentEncoding(withAllowedCharacters: unreserved) ?? pct)
        out.append((v.addingPercentEncoding(withAllowedCharacters: unreserved.union(CharacterSet(charactersIn: " "))) ?? v)
            .replacingOccurrences(of: " ", with: "+"))
        for slash in [true, false] {
            let j = jsonEscaped(v, slash: slash)
            out.append(j)
            out.append(jsonEscaped(j, slash: slash))
        }
        let b = Data(v.utf8).base64EncodedString()
        let url = b.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        for x in [b, url] {
            out.append(x)
            var t = x
            while t.hasSuffix("=") { t.removeLast() }
            out.append(t)
        }
        var seen = Set<String>()
        return out.filter { $0.utf8.count >= 6 && seen.insert($0).inserted }
    }

    static func contains(_ hay: [CChar], _ needle: String) -> Bool { count(hay, needle, max: 1) > 0 }

    /// Occurrences of `needle` in the NUL-terminated `hay` (glibc `strstr`: fast enough for thousands of needles).
    static func count(_ hay: [CChar], _ needle: String, max: Int = Int.max) -> Int {
        if needle.isEmpty { return 0 }
        return hay.withUnsafeBufferPointer { h in
            needle.withCString { n in
                var c = 0
                var p = h.baseAddress!
                while c < max, let q = strstr(p, n) {
                    c += 1
                    p = UnsafePointer(q) + 1
                }
                return c
            }
        }
    }

    static func cstr(_ b: [UInt8]) -> [CChar] { b.map { CChar(bitPattern: $0) } + [0] }

    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init).filter { !$0.isEmpty }
    }

    static func clines(_ bytes: [UInt8]) -> [[CChar]] { lines(bytes).map(cstr) }

    // MARK: runs

    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "rw-corpus-\(getpid())-\(UInt32.random(in: 0..<UInt32.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func read(_ path: String) -> [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? [] }

    /// `reqwatch redact <file>` in process: (stdout, stderr).
    static func redact(_ path: String, dir: String, output same: Bool = true) throws -> ([UInt8], [UInt8], ScanSummary) {
        var o = ScanOptions()
        o.inputs = [path]
        o.detect = nil
        o.redactor = try Redactor(RedactConfiguration())
        o.redactRawLines = same
        o.explainRedaction = 200
        o.recordsOut = try FileDescriptorWriter(path: dir + "/stdout")
        o.diagnostics = try FileDescriptorWriter(path: dir + "/stderr")
        let summary = try ScanPipeline(options: o).run()
        var err = read(dir + "/stderr")
        err += Array(summary.text().utf8)
        err += Array((summary.redaction?.encoded() ?? "").utf8)
        return (read(dir + "/stdout"), err, summary)
    }

    /// `reqwatch scan --store <dir>` in process: (store lines, alert documents, stderr).
    static func scanWithStore(_ path: String, dir: String) throws -> ([UInt8], [UInt8], [UInt8]) {
        final class Sink: AlertSink {
            var text: [UInt8] = []
            func write(_ a: borrowing [Alert]) throws(ReqwatchError) {
                for i in a.indices { AlertEncoder.encode(a[i], into: &text) }
            }
            func flush() throws(ReqwatchError) {}
        }
        var o = ScanOptions()
        o.inputs = [path]
        o.redactor = try Redactor(RedactConfiguration())
        o.store = try SegmentStore(directory: dir + "/store")
        let sink = Sink()
        o.alertSink = sink
        o.diagnostics = try FileDescriptorWriter(path: dir + "/scan-stderr")
        _ = try ScanPipeline(options: o).run()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "cat \(dir)/store/*.gz | gzip -dc"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return ([UInt8](data), sink.text, read(dir + "/scan-stderr"))
    }

    struct Tally { var planted = 0; var bad = 0 }

    @Test(arguments: formats) func noLeaksAndLookalikesKept(file: String) throws {
        let path = fixture("corpus/" + file)
        let dir = Self.tempDir()
        let input = Self.lines(Self.read(path))
        let (stdout, stderr, summary) = try Self.redact(path, dir: dir)
        let out = Self.lines(stdout)
        #expect(out.count == input.count, "every record is written: \(out.count) of \(input.count)")
        #expect(summary.records == Int64(input.count))
        let (store, alerts, scanErr) = try Self.scanWithStore(path, dir: dir)
        let storeLines = Self.clines(store)
        let global = Self.cstr(stderr + scanErr + alerts)
        let outC = out.map(Self.cstr)
        let inC = input.map(Self.cstr)
        FileManager.default.createFile(atPath: NSTemporaryDirectory() + "reqwatch-corpus-global-\(file).txt", contents: Data(stderr + scanErr + alerts))

        var leaks: [String: Tally] = [:]
        var leakWhere: [String: Set<String>] = [:]
        for s in try Self.secrets(file) {
            leaks[s.kind, default: Tally()].planted += 1
            var needles: [String] = []
            if s.context.isEmpty {
                needles = Self.forms(s.value)
            } else {
                needles = [s.context + s.value, Self.jsonEscaped(s.context, slash: false) + s.value]
            }
            var places: [String] = []
            for nd in needles {
                if s.line < outC.count && Self.contains(outC[s.line], nd) { places.append("stdout") }
                if s.line < storeLines.count && Self.contains(storeLines[s.line], nd) { places.append("store") }
                if Self.contains(global, nd) { places.append("stderr/alerts") }
            }
            if !places.isEmpty {
                leaks[s.kind]!.bad += 1
                leakWhere[s.kind, default: []].formUnion(places)
            }
        }
        var looks: [String: Tally] = [:]
        var unambiguous = Tally(), arguable = Tally()
        for l in try Self.lookalikes(file) {
            let key = l.kind + (l.arguable ? " (arguable)" : "")
            looks[key, default: Tally()].planted += 1
            if l.arguable { arguable.planted += 1 } else { unambiguous.planted += 1 }
            let forms = [l.needle, Self.jsonEscaped(l.needle, slash: false)]
            let before = forms.reduce(0) { $0 + Self.count(inC[l.line], $1) }
            let after = l.line < outC.count ? forms.reduce(0) { $0 + Self.count(outC[l.line], $1) } : 0
            if after < before {
                looks[key]!.bad += 1
                if l.arguable { arguable.bad += 1 } else { unambiguous.bad += 1 }
            }
        }
        var report = "== \(file): \(input.count) lines, \(leaks.values.reduce(0) { $0 + $1.planted }) secrets, "
            + "\(unambiguous.planted) unambiguous + \(arguable.planted) arguable look-alikes\n"
        report += "leaks per kind (leaked/planted):\n"
        for (k, t) in leaks.sorted(by: { $0.key < $1.key }) {
            report += "  \(k): \(t.bad)/\(t.planted)" + (t.bad > 0 ? " in \(leakWhere[k]!.sorted().joined(separator: ","))" : "") + "\n"
        }
        report += "look-alikes changed per kind (changed/planted):\n"
        for (k, t) in looks.sorted(by: { $0.key < $1.key }) { report += "  \(k): \(t.bad)/\(t.planted)\n" }
        report += "unambiguous changed: \(unambiguous.bad)/\(unambiguous.planted); arguable changed: \(arguable.bad)/\(arguable.planted)\n"
        print(report)
        if let h = FileHandle(forWritingAtPath: NSTemporaryDirectory() + "reqwatch-redaction-corpus-report.txt") ?? {
            FileManager.default.createFile(atPath: NSTemporaryDirectory() + "reqwatch-redaction-corpus-report.txt", contents: nil)
            return FileHandle(forWritingAtPath: NSTemporaryDirectory() + "reqwatch-redaction-corpus-report.txt")
        }() {
            h.seekToEndOfFile()
            h.write(Data(report.utf8))
            try? h.close()
        }
        let leaked = leaks.values.reduce(0) { $0 + $1.bad }
        #expect(leaked == 0, "\(leaked) secrets leaked:\n\(report)")
        #expect(unambiguous.bad * 100 <= unambiguous.planted, "unambiguous look-alikes changed:\n\(report)")
        #expect(arguable.bad * 10 <= arguable.planted, "arguable look-alikes changed:\n\(report)")
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Redacted combined output is still a combined log: reqwatch's own parser reads the same record count.
    @Test func redactedCombinedReparses() throws {
        let dir = Self.tempDir()
        let (stdout, _, summary) = try Self.redact(fixture("corpus/combined.log"), dir: dir)
        let again = dir + "/again.log"
        FileManager.default.createFile(atPath: again, contents: Data(stdout))
        var o = ScanOptions()
        o.inputs = [again]
        o.format = .combined
        o.detect = nil
        o.diagnostics = try FileDescriptorWriter(path: dir + "/err2")
        let s2 = try ScanPipeline(options: o).run()
        #expect(s2.records == summary.records)
        #expect(s2.malformedByReason.isEmpty)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// GoAccess reads the redacted combined log with the same number of valid requests as the original.
    @Test func goAccessReadsRedactedCombined() throws {
        let goaccess = ["/usr/bin/goaccess", "/usr/local/bin/goaccess"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let goaccess else {
            print("SKIPPED goAccessReadsRedactedCombined: goaccess is not installed (apt-get install -y goaccess)")
            return
        }
        let dir = Self.tempDir()
        let input = fixture("corpus/combined.log")
        let (stdout, _, _) = try Self.redact(input, dir: dir)
        let redacted = dir + "/redacted.log"
        FileManager.default.createFile(atPath: redacted, contents: Data(stdout))
        func counts(_ log: String) throws -> (Int, Int) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: goaccess)
            p.arguments = [log, "--log-format=COMBINED", "--no-global-config", "-o", dir + "/ga.json"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/ga.json"))) as? [String: Any]
            let general = obj?["general"] as? [String: Any]
            return ((general?["valid_requests"] as? Int) ?? -1, (general?["failed_requests"] as? Int) ?? -1)
        }
        let original = try counts(input)
        let after = try counts(redacted)
        #expect(original.0 == 600)
        #expect(after.0 == original.0, "GoAccess valid requests: \(after.0) after redaction, \(original.0) before")
        #expect(after.1 == original.1)
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Redacted JSON keeps every key and every value's JSON type (strings inside strings that hold JSON too);
    /// only a number that is itself a secret may become a `[REDACTED:…]` string.
    @Test(arguments: ["nginx.jsonl", "caddy.jsonl"]) func redactedJSONKeepsKeysAndTypes(file: String) throws {
        let dir = Self.tempDir()
        let path = fixture("corpus/" + file)
        let input = Self.lines(Self.read(path))
        let (stdout, _, _) = try Self.redact(path, dir: dir)
        let out = Self.lines(stdout)
        try #require(out.count == input.count)
        var problems: [String] = []
        func type(_ v: Any) -> String {
            if v is String { return "string" }
            if v is Bool { return "bool" }
            if v is NSNumber { return "number" }
            if v is [Any] { return "array" }
            if v is [String: Any] { return "object" }
            return "null"
        }
        func compare(_ a: Any, _ b: Any, _ path: String, _ line: Int) {
            let ta = type(a), tb = type(b)
            if ta != tb {
                if ta == "number", let s = b as? String, s.hasPrefix("[REDACTED:") || s.hasPrefix("hmac:") { return }
                problems.append("line \(line) \(path): \(ta) became \(tb)")
                return
            }
            if let x = a as? [String: Any], let y = b as? [String: Any] {
                if Set(x.keys) != Set(y.keys) { problems.append("line \(line) \(path): keys \(x.keys.sorted()) became \(y.keys.sorted())") }
                for (k, v) in x { if let w = y[k] { compare(v, w, path + "." + k, line) } }
            } else if let x = a as? [Any], let y = b as? [Any] {
                if x.count != y.count { problems.append("line \(line) \(path): \(x.count) items became \(y.count)") }
                for (v, w) in zip(x, y) { compare(v, w, path + "[]", line) }
            } else if let x = a as? String, let y = b as? String, let f = x.first, f == "{" || f == "[",
                let ix = try? JSONSerialization.jsonObject(with: Data(x.utf8))
            {
                if let iy = try? JSONSerialization.jsonObject(with: Data(y.utf8)) { compare(ix, iy, path + "(json)", line) } else {
                    problems.append("line \(line) \(path): embedded JSON no longer parses")
                }
            }
        }
        for (i, (a, b)) in zip(input, out).enumerated() {
            let x = try JSONSerialization.jsonObject(with: Data(a))
            guard let y = try? JSONSerialization.jsonObject(with: Data(b)) else {
                problems.append("line \(i): output is not JSON")
                continue
            }
            compare(x, y, "", i)
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.prefix(10).joined(separator: "\n"))")
        try? FileManager.default.removeItem(atPath: dir)
    }
}
