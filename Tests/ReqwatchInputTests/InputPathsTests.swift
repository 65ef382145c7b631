import Foundation
import ReqwatchCore
import ReqwatchInput
import ReqwatchTestSupport
import Testing

@Suite struct InputPathsTests {
    @Test func rotatedSetIsOldestFirst() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var names = ["access.log", "access.log.1"] + (2...10).map { "access.log.\($0).gz" }
        names += ["error.log", "error.log.1", ".hidden", ".access.log.swp", "zeta.log"]
        for n in names { try write([0x0A], to: dir + "/" + n) }
        try FileManager.default.createDirectory(atPath: dir + "/subdir", withIntermediateDirectories: true)
        let (inputs, problems) = InputPaths.expand([dir])
        #expect(problems.isEmpty)
        let expected =
            (2...10).reversed().map { "access.log.\($0).gz" } + ["access.log.1", "access.log"]
            + ["error.log.1", "error.log", "zeta.log"]
        #expect(inputs == expected.map { dir + "/" + $0 })
        // A trailing slash does not double it.
        #expect(InputPaths.expand([dir + "/"]).inputs == inputs)
    }

    @Test func dateStampedRotationsAscendBeforeLiveFile() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let names = [
            "access.log", "access.log-20240103.gz", "access.log-20240101", "access.log-20231231.gz",
            "app.log.2024-01-02", "app.log", "app.log.2023-12-30", "app.log.2024-01-01.gz",
        ]
        for n in names { try write([0x0A], to: dir + "/" + n) }
        let (inputs, problems) = InputPaths.expand([dir])
        #expect(problems.isEmpty)
        let expected = [
            "access.log-20231231.gz", "access.log-20240101", "access.log-20240103.gz", "access.log",
            "app.log.2023-12-30", "app.log.2024-01-01.gz", "app.log.2024-01-02", "app.log",
        ]
        #expect(inputs == expected.map { dir + "/" + $0 })
    }

    @Test func globOrderIsFixedAndMissingPathsAreProblems() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in ["access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz", "other.log"] {
            try write([0x0A], to: dir + "/" + n)
        }
        // Shell glob order: access.log, access.log.1, access.log.10.gz, access.log.2.gz.
        let args = [
            "other.log", "access.log", "access.log.1", "missing.log", "access.log.10.gz", "-",
            "access.log.2.gz", "other.log",
        ].map { $0 == "-" ? $0 : dir + "/" + $0 }
        let (inputs, problems) = InputPaths.expand(args)
        let expected =
            ["other.log", "access.log.10.gz", "access.log.2.gz", "access.log.1", "access.log"]
            .map { dir + "/" + $0 } + ["-"]
        #expect(inputs == expected)
        #expect(problems.count == 1)
        #expect(problems.first?.code == .notFound)
        #expect(problems.first?.location?.path == dir + "/missing.log")
    }

    @Test func explicitHiddenFileAndStdinAreKept() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write([0x0A], to: dir + "/.hidden.log")
        let (inputs, problems) = InputPaths.expand(["-", dir + "/.hidden.log", "-"])
        #expect(inputs == ["-", dir + "/.hidden.log"])
        #expect(problems.isEmpty)
        #expect(InputPaths.expand([dir]).inputs.isEmpty)
    }

    @Test func undecodableFileNameIsAProblemNotACrash() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write([0x0A], to: dir + "/good.log")
        let raw: [UInt8] = Array((dir + "/bad-").utf8) + [0xFF, 0xFE] + Array(".log".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_CREAT | O_WRONLY, 0o600) }
        }
        #expect(fd >= 0)
        close(fd)
        let (inputs, problems) = InputPaths.expand([dir])
        #expect(inputs == [dir + "/good.log"])
        #expect(problems.count == 1)
        #expect(problems.first?.code == .io)
        #expect(problems.first?.location?.path == dir)
    }
}
