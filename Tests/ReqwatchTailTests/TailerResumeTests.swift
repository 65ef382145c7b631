import Foundation
import ReqwatchCore
import ReqwatchTail
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Kill-and-restart: a tailer is dropped (its descriptors closed, nothing else saved) and a new one is
/// built from the state file, as after a restart of the process.
@Suite struct TailerResumeTests {
    func lines(_ range: ClosedRange<Int>) -> String { range.map { "line \($0)\n" }.joined() }
    func names(_ range: ClosedRange<Int>) -> [String] { range.map { "line \($0)" } }

    @Test func cleanStopContinuesExactly() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...10))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            #expect(try t.drainAndCommit() == names(1...10))
            try t.saveState()
        }
        append(log, lines(11...15))
        let t2 = try Tailer(options: options([log], state: state))
        let got = try t2.drain()
        #expect(got.map(\.text) == names(11...15))
        #expect(got.first?.info.lineNumber == 11)  // line numbers survive the restart
    }

    @Test func onlyCommittedLinesCount() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...10))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            let got = try t.drain()
            #expect(got.count == 10)
            t.commit(got[6].info, eventTime: Timestamp(seconds: 1_700_000_007))  // the engine finished line 7 only
            try t.saveState()
        }
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(8...10))
        #expect(t2.committedEventTime(forPath: 0) == Timestamp(seconds: 1_700_000_007))
    }

    @Test func killNineReprocessesAtMostWhatFollowsTheLastSave() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...5))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            #expect(try t.drainAndCommit() == names(1...5))
            try t.saveState()  // the periodic save
            append(log, lines(6...8))
            #expect(try t.drainAndCommit() == names(6...8))
            // killed here: lines 6-8 processed but never saved
        }
        append(log, lines(9...9))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(6...9))
    }

    @Test func renameRotationWhileDown() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...10))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            #expect(try t.drainAndCommit() == names(1...10))
            try t.saveState()
        }
        append(log, lines(11...12))
        moveFile(log, log + ".1")
        append(log, lines(13...14))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(11...14))
        #expect(t2.openDescriptorCount <= 2)  // the rotated file was closed once finished
    }

    @Test func dateSuffixedRotationWhileDown() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...3))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            #expect(try t.drainAndCommit() == names(1...3))
            try t.saveState()
        }
        append(log, lines(4...4))
        append(log + ".1", "unrelated older rotation\n")
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: log + ".1")
        moveFile(log, log + "-20261125")
        append(log, lines(5...5))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(4...5))
    }

    @Test func twoRotationsWhileDown() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...3))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            #expect(try t.drainAndCommit() == names(1...3))
            try t.saveState()
        }
        append(log, lines(4...4))
        usleep(50_000)  // distinct modification times (the kernel stamps them with a coarse clock)
        moveFile(log, log + ".1")
        append(log, lines(5...6))
        moveFile(log + ".1", log + ".2")
        moveFile(log, log + ".1")
        append(log, lines(7...7))
        append(log + ".3.gz", "compressed older generation, not read\n")
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(4...7))
        #expect(t2.openDescriptorCount <= 2)
    }

    @Test func truncationWhileDownReadsFromTheStart() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...10))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            _ = try t.drainAndCommit()
            try t.saveState()
        }
        truncateFile(log)
        append(log, lines(11...11))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(11...11))
    }

    @Test func rewrittenInPlaceWhileDownIsNotMistakenForTheOldFile() throws {
        // Same device and inode, longer than the committed offset, but different first bytes.
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...3))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            _ = try t.drainAndCommit()
            try t.saveState()
        }
        truncateFile(log)
        append(log, lines(100...110))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(100...110))
    }

    @Test func copyTruncateWhileDown() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...4))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            _ = try t.drainAndCommit()
            try t.saveState()
        }
        append(log, lines(5...6))
        try copyFile(log, log + ".1")
        truncateFile(log)
        append(log, lines(7...7))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(5...7))
    }

    @Test func restartWhileTheRotatedFileIsStillBeingRead() throws {
        // Committed position is in the rotated file; after restart it is found by inode among siblings.
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...4))
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            #expect(try t.drainAndCommit() == names(1...4))
            append(log, lines(5...6))
            moveFile(log, log + ".1")
            append(log, lines(7...8))
            let got = try t.drain()
            #expect(got.map(\.text) == names(5...8))
            t.commit(got[0].info, eventTime: nil)  // only line 5 processed before the stop
            try t.saveState()
        }
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(6...8))
    }

    @Test func fileUnknownToTheStateThatAppearsLaterIsReadFromItsStart() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        do {
            let t = try Tailer(options: options([log], state: state))
            #expect(try t.drain().isEmpty)
            try t.saveState()
        }
        append(log, lines(1...2))
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(1...2))
    }

    @Test func startFromEndPositionIsSavedWithoutAnyCommit() throws {
        let dir = try TempDir()
        let log = dir.file("access.log")
        let state = dir.file("state.json")
        append(log, lines(1...3))
        do {
            let t = try Tailer(options: options([log], state: state))
            try t.saveState()
        }
        append(log, lines(4...5))  // written while down: must not be skipped
        let t2 = try Tailer(options: options([log], state: state))
        #expect(try t2.drain().map(\.text) == names(4...5))
    }

    @Test func extraStateAndEventTimeRoundTrip() throws {
        let dir = try TempDir()
        let log = dir.file("weird \"name\"\\ é\t\u{1}😀.log")
        let state = dir.file("state.json")
        append(log, lines(1...1))
        let blob: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        do {
            let t = try Tailer(options: options([log], fromStart: true, state: state))
            let got = try t.drain()
            t.commit(got[0].info, eventTime: Timestamp(microseconds: -5))
            t.extraState = blob
            try t.saveState()
        }
        let t2 = try Tailer(options: options([log], state: state))
        #expect(t2.extraState == blob)
        #expect(t2.committedEventTime(forPath: 0) == Timestamp(microseconds: -5))
        append(log, lines(2...2))
        #expect(try t2.drain().map(\.text) == names(2...2))
        // The file is valid JSON with the documented fields.
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any]
        let files = json?["files"] as? [[String: Any]]
        #expect(json?["version"] as? Int == 1)
        #expect(files?.first?["path"] as? String == log)
        #expect(files?.first?["offset"] as? Int == 7)
        #expect(files?.first?["event_time_us"] as? Int == -5)
        #expect(files?.first?["inode"] != nil)
        #expect(files?.first?["fingerprint"] as? Int == 0)
    }

    @Test(arguments: [
        "", "{", "not json", "{\"version\":2,\"files\":[]}", "{\"version\":1}",
        "{\"version\":1,\"files\":[{\"path\":\"x\"}]}", "{\"version\":1,\"files\":[],\"extra\":\"abc\"}",
        "{\"version\":1,\"files\":[{\"path\":\"x\",\"device\":1,\"inode\":2,\"offset\":-1}]}",
        "{\"version\":1,\"files\":[]} trailing", String(repeating: "[", count: 10_000),
        "{\"version\":1.5,\"files\":[]}", "{\"version\":99999999999999999999,\"files\":[]}",
    ])
    func issue15_corruptStateIsKeptAsideAndTheRunStarts(_ contents: String) throws {
        let dir = try TempDir()
        let state = dir.file("state.json")
        try contents.write(toFile: state, atomically: false, encoding: .utf8)
        let t = try Tailer(options: options([dir.file("a.log")], state: state))
        #expect(t.stateSetAside == state + ".corrupt-1")
        #expect(access(state, F_OK) != 0, "the corrupt file was moved")
        let kept = try String(contentsOfFile: state + ".corrupt-1", encoding: .utf8)
        #expect(kept == contents, "kept byte for byte")
        // A second corrupt file does not overwrite the first one kept aside.
        try contents.write(toFile: state, atomically: false, encoding: .utf8)
        let t2 = try Tailer(options: options([dir.file("a.log")], state: state))
        #expect(t2.stateSetAside == state + ".corrupt-2")
    }

    @Test func stateWrittenByHandIsAccepted() throws {
        let dir = try TempDir()
        let log = dir.file("a.log")
        let state = dir.file("state.json")
        append(log, lines(1...3))
        var st = stat()
        #expect(stat(log, &st) == 0)
        let json = """
            { "version": 1, "files": [ { "path": "\(log)", "device": \(st.st_dev), "inode": \(st.st_ino),
              "fingerprint": 0, "offset": 14, "line": 2 } ], "extra": "00ff" }
            """
        try json.write(toFile: state, atomically: false, encoding: .utf8)
        let t = try Tailer(options: options([log], state: state))
        #expect(t.extraState == [0x00, 0xFF])
        let got = try t.drain()
        #expect(got.map(\.text) == ["line 3"])
        #expect(got.first?.info.lineNumber == 3)
    }

    @Test func saveLeavesNoTemporaryFiles() throws {
        let dir = try TempDir()
        let state = dir.file("state.json")
        let t = try Tailer(options: options([dir.file("a.log")], state: state))
        for _ in 0..<5 { try t.saveState() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["state.json"])
    }

    @Test func unwritableStateDirectoryIsAStateError() throws {
        let dir = try TempDir()
        let state = dir.file("missing-dir/state.json")
        let t = try Tailer(options: options([dir.file("a.log")], state: state))
        let e = #expect(throws: ReqwatchError.self) { try t.saveState() }
        #expect(e?.code == .state)
        #expect(e?.location?.path == state)
    }
}
