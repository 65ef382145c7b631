import Foundation
import ReqwatchCore
import ReqwatchEngine
@testable import ReqwatchReport
import ReqwatchTestSupport
import Testing

/// Headless Chromium, when installed (`apt-get install chromium`; `.ci/run` installs it).
enum Chromium {
    static let path: String? = {
        let env = ProcessInfo.processInfo.environment["CHROMIUM"].map { [$0] } ?? []
        return (env + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Page {
        var dom: String
        /// Lines Chromium logged for the page's console (`…:CONSOLE:…`): errors, CSP violations, console.log.
        var console: [String]
    }

    /// Loads `file` with `--dump-dom` and logging to stderr; returns the DOM after scripts (if any) ran.
    static func load(_ file: String) throws -> Page {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path!)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("rw-chromium-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: profile) }
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--enable-logging=stderr", "--v=0", "--dump-dom", URL(fileURLWithPath: file).absoluteString,
        ]
        let out = Pipe()
        let errURL = profile.appendingPathExtension("stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = errHandle
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try errHandle.close()
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return Page(dom: String(decoding: data, as: UTF8.self),
                    console: err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init))
    }
}

/// Renders the report of a `SampleLogs/cases` folder in-process, as `reqwatch report` does.
func renderCaseReport(_ name: String, to output: String) throws -> ReportCollector {
    let dir = repositoryRoot() + "/SampleLogs/cases/" + name
    var settings = CommonSettings()
    settings.inputs = [dir + "/input.log"]
    settings.specPath = repositoryRoot() + "/SampleLogs/api/openapi.yaml"
    var (options, _) = try makeScanOptions(settings)
    options.progress = false
    let collector = ReportCollector(options: options)
    collector.attach(to: &options)
    let summary = try ScanPipeline(options: options).run()
    let page = HTMLReport.render(collector, summary: summary, settings: settings, redactor: options.redactor)
    try Data(page).write(to: URL(fileURLWithPath: output))
    return collector
}

@Suite(.serialized) struct BrowserTests {
    static let marker = "data-pwned"

    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed: apt-get install chromium (the report is not checked in a browser)"))
    func controlPageProvesTheProbesWork() throws {
        // A page whose script sets the marker and logs an error: the checks below would see both.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rw-control-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data("<!DOCTYPE html><html><body><script>document.documentElement.setAttribute('\(Self.marker)','control');console.error('control error')</script></body></html>".utf8)
            .write(to: URL(fileURLWithPath: file))
        let page = try Chromium.load(file)
        #expect(page.dom.contains("\(Self.marker)=\"control\""))
        #expect(page.console.contains { $0.contains("control error") })
    }

    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed: apt-get install chromium (the report is not checked in a browser)"))
    func hostileReportRendersAndStaysInert() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rw-report-hostile-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let collector = try renderCaseReport("report-hostile", to: file)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.utf8.count < 300_000)

        let page = try Chromium.load(file)
        let dom = page.dom
        // It rendered: one row per incident, and the sections are there.
        let rows = dom.components(separatedBy: "<tr id=\"inc-").count - 1
        #expect(rows == collector.incidents.incidents.count && rows >= 4, "incident rows in the DOM: \(rows)")
        for section in ["id=\"timeline\"", "id=\"incidents\"", "id=\"endpoints\"", "id=\"clients\"", "id=\"agents\"", "id=\"run\""] {
            #expect(dom.contains(section))
        }
        // The payloads are shown as text …
        #expect(dom.contains("&lt;script&gt;document.documentElement.setAttribute('\(Self.marker)',"))
        #expect(dom.contains("&lt;img/src=x/onerror=document.documentElement.setAttribute('\(Self.marker)',"))
        // … and none of them ran or became markup: no marker, no script, image or frame element, no javascript: link.
        #expect(!dom.contains("\(Self.marker)=\""), "an injected payload ran")
        for element in ["<script", "<img", "<iframe", "<svg/", "<object", "<embed"] {
            #expect(!dom.lowercased().contains(element), "\(element) element in the DOM")
        }
        #expect(!dom.contains("href=\"javascript:"))
        // Nothing was blocked or failed: the console is empty (a CSP violation is logged there).
        #expect(page.console.isEmpty, "console: \(page.console.joined(separator: "\n"))")
        // Redaction reached the page: the Stripe key and the e-mail address in the ghost route are masked.
        #expect(!html.contains("sk_live_4eC39HqLyjWDarjtT1zdp7dc"))
        #expect(!html.contains("alice.attacker@example.com"))
        #expect(html.contains("[REDACTED:"))
    }
}

@Suite struct ReportPageTests {
    @Test func pageIsSelfContainedWithAStrictPolicy() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rw-report-static-\(getpid()).html").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try renderCaseReport("report-hostile", to: file)
        let html = try String(contentsOfFile: file, encoding: .utf8).replacing("&#39;", with: "'")
        #expect(html.contains("content=\"default-src 'none'; style-src 'sha256-"))
        #expect(!html.contains("style=\""), "an inline style attribute would be blocked by the policy")
        #expect(!html.contains("<script"))
        #expect(!html.contains(" src=\"") && !html.contains("<link") && !html.contains("url("), "no external or embedded resource")
        // The policy's hash is the hash of the one stylesheet.
        let css = html.components(separatedBy: "<style>")[1].components(separatedBy: "</style>")[0]
        #expect(html.contains(ReportStyle.hashSource(css)))
        // Every incident row has a timeline mark that links to it.
        let ids = html.components(separatedBy: "<tr id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        for id in ids { #expect(html.contains("<a href=\"#\(id)\">")) }
    }
}
