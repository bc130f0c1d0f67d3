import Dispatch
import Foundation
import Testing

@testable import DurableStorage

@Suite struct SessionDirectoryTests {
    static let snapshot = testBytes(300, seed: 1)
    static let records = [testBytes(20, seed: 2), testBytes(0, seed: 3), testBytes(50, seed: 4)]

    /// A session with `snapshot` and `records` in `<tmp>/sessions/s1`.
    struct Fixture {
        let directory = TemporaryDirectory("session")
        var path: String { directory.path + "/s1" }

        func make(policy: FsyncPolicy = .never) throws -> SessionDirectory {
            let session = try SessionDirectory.create(
                at: path, snapshot: SessionDirectoryTests.snapshot, policy: policy)
            for record in SessionDirectoryTests.records { try session.append(record) }
            return session
        }

        func open() throws -> RecoveredSession {
            try SessionDirectory.open(at: path, policy: .never)
        }
    }

    @Test func createAppendAndReopenRoundTrips() throws {
        let fixture = Fixture()
        let session = try fixture.make()
        #expect(session.generation == 0)
        #expect(session.recordCount == 3)
        try session.close()
        #expect(Disk.list(fixture.path) == ["log-0000000000000000.log", "snapshot-0000000000000000.snap"])
        let recovered = try fixture.open()
        #expect(recovered.name == "s1")
        #expect(recovered.snapshot == Self.snapshot)
        #expect(recovered.records == Self.records)
        #expect(recovered.recovery.isClean)
        #expect(recovered.recovery.generation == 0)
        try recovered.session.append([42])
        try recovered.session.close()
        #expect(try fixture.open().records == Self.records + [[42]])
    }

    @Test func createRefusesAnExistingDirectory() throws {
        let fixture = Fixture()
        try fixture.make().close()
        let error = try #require(throws: StorageError.self) {
            try SessionDirectory.create(at: fixture.path, snapshot: [1], policy: .never)
        }
        #expect(error.kind == .alreadyExists)
        #expect(try fixture.open().snapshot == Self.snapshot)
        #expect(Disk.list(fixture.directory.path) == ["s1"])  // no staging directory left
    }

    @Test func compactionStartsANewGenerationWithAnEmptyLog() throws {
        let fixture = Fixture()
        let session = try fixture.make()
        let newSnapshot = testBytes(310, seed: 9)
        try session.compact(snapshot: newSnapshot)
        #expect(session.generation == 1)
        #expect(session.recordCount == 0)
        #expect(session.logByteCount == 32)
        #expect(session.snapshotByteCount == 32 + 310)
        try session.append([1, 2])
        try session.close()
        #expect(Disk.list(fixture.path) == ["log-0000000000000001.log", "snapshot-0000000000000001.snap"])
        let recovered = try fixture.open()
        #expect(recovered.snapshot == newSnapshot)
        #expect(recovered.records == [[1, 2]])
        #expect(recovered.recovery.generation == 1)
    }

    @Test func manyCompactionsKeepOnlyTheNewestGeneration() throws {
        let fixture = Fixture()
        let session = try fixture.make()
        for round in 1...20 {
            try session.append([UInt8(round)])
            try session.compact(snapshot: testBytes(round, seed: UInt64(round)))
            try session.append([UInt8(round), 0])
        }
        try session.close()
        let recovered = try fixture.open()
        #expect(recovered.recovery.generation == 20)
        #expect(recovered.snapshot == testBytes(20, seed: 20))
        #expect(recovered.records == [[20, 0]])
        #expect(Disk.list(fixture.path).count == 2)
    }

    /// The sizes a caller's compaction rule reads (the service's `SessionPersistence.shouldCompact`).
    @Test func byteCountsFollowAppendsAndCompaction() throws {
        let fixture = Fixture()
        let session = try SessionDirectory.create(at: fixture.path, snapshot: testBytes(1000, seed: 1), policy: .never)
        #expect(session.snapshotByteCount == 32 + 1000)
        #expect(session.logByteCount == 32)
        try session.append(testBytes(900, seed: 2))
        try session.append(testBytes(100, seed: 3))
        #expect(session.logByteCount == 32 + (32 + 900) + (32 + 100))
        try session.compact(snapshot: testBytes(500, seed: 4))
        #expect(session.snapshotByteCount == 32 + 500)
        #expect(session.logByteCount == 32)
    }

    /// A crash after each step of a compaction recovers old snapshot + all records, or new snapshot + no
    /// records: never a mix.
    @Test(arguments: SessionDirectory.CompactionStep.allCases)
    func aCrashAtAnyCompactionStepRecoversAConsistentState(_ step: SessionDirectory.CompactionStep) throws {
        let fixture = Fixture()
        let session = try fixture.make()
        let newSnapshot = testBytes(280, seed: 5)
        let error = try #require(throws: StorageError.self) {
            try session.compact(snapshot: newSnapshot, crashAfter: step)
        }
        #expect(error.detail.contains("simulated crash"))
        // The "dead" process's session refuses further work.
        #expect(throws: StorageError.self) { try session.append([0]) }

        let recovered = try fixture.open()
        if step == .snapshotTemporaryWritten {
            #expect(recovered.snapshot == Self.snapshot)
            #expect(recovered.records == Self.records)
            #expect(recovered.recovery.generation == 0)
        } else {
            #expect(recovered.snapshot == newSnapshot)
            #expect(recovered.records == [])
            #expect(recovered.recovery.generation == 1)
        }
        let logCreated: Set<SessionDirectory.CompactionStep> = [
            .snapshotTemporaryWritten, .snapshotRenamed, .snapshotDirectorySynced, .logTemporaryWritten,
        ]
        #expect(
            recovered.recovery.createdMissingLog == (logCreated.contains(step) && step != .snapshotTemporaryWritten))
        // Leftovers (temporary files, the superseded generation) are gone.
        let generation = recovered.recovery.generation
        #expect(
            Disk.list(fixture.path) == [
                "log-000000000000000\(generation).log", "snapshot-000000000000000\(generation).snap",
            ])
        // And the recovered session works: append, reopen, compact again.
        try recovered.session.append([9, 9])
        try recovered.session.close()
        let again = try fixture.open()
        #expect(again.records.last == [9, 9])
        try again.session.compact(snapshot: [1])
        try again.session.close()
        #expect(try fixture.open().snapshot == [1])
    }

    @Test func aTornLogTailIsRepairedAndReported() throws {
        let fixture = Fixture()
        try fixture.make().close()
        let logPath = fixture.path + "/log-0000000000000000.log"
        let bytes = try Disk.read(logPath)
        try Disk.write(logPath, Array(bytes.dropLast(7)))
        let recovered = try fixture.open()
        #expect(recovered.records == Array(Self.records.dropLast()))
        #expect(recovered.recovery.log.discardedByteCount == 32 + 50 - 7)
        #expect(!recovered.recovery.isClean)
    }

    @Test func aCorruptSnapshotIsAnErrorNamingIt() throws {
        let fixture = Fixture()
        try fixture.make().close()
        let snapshotPath = fixture.path + "/snapshot-0000000000000000.snap"
        var bytes = try Disk.read(snapshotPath)
        bytes[100] ^= 0x04
        try Disk.write(snapshotPath, bytes)
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.kind == .corruptFile)
        #expect(error.path == snapshotPath)
    }

    @Test func aTruncatedSnapshotIsAnErrorNamingIt() throws {
        let fixture = Fixture()
        try fixture.make().close()
        let snapshotPath = fixture.path + "/snapshot-0000000000000000.snap"
        try Disk.write(snapshotPath, Array(try Disk.read(snapshotPath).dropLast()))
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.path == snapshotPath)
        #expect(error.detail.contains("truncated"))
    }

    @Test func aCorruptNewestSnapshotDoesNotFallBackToAnOlderOne() throws {
        let fixture = Fixture()
        let session = try fixture.make()
        let error1 = try #require(throws: StorageError.self) {
            try session.compact(snapshot: [UInt8](repeating: 1, count: 64), crashAfter: .logLinked)
        }
        #expect(error1.kind == .failed)
        let newest = fixture.path + "/snapshot-0000000000000001.snap"
        var bytes = try Disk.read(newest)
        bytes[40] ^= 1
        try Disk.write(newest, bytes)
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.path == newest)
        #expect(error.detail.contains("older snapshot"))
        #expect(Disk.exists(fixture.path + "/snapshot-0000000000000000.snap"))  // evidence kept
    }

    @Test func aCorruptLogIsAnErrorNamingIt() throws {
        let fixture = Fixture()
        try fixture.make().close()
        let logPath = fixture.path + "/log-0000000000000000.log"
        var bytes = try Disk.read(logPath)
        bytes[32 + 32 + 5] ^= 0x80  // inside the first record's payload, with valid records after it
        try Disk.write(logPath, bytes)
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.kind == .corruptFile)
        #expect(error.path == logPath)
        #expect(try Disk.read(logPath) == bytes, "the corrupt log is left as it is")
    }

    @Test func aLogWithoutItsSnapshotIsAnError() throws {
        let fixture = Fixture()
        try fixture.make().close()
        try RecordLog.create(at: fixture.path + "/log-0000000000000005.log", generation: 5, policy: .never).close()
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.kind == .corruptFile)
        #expect(error.path == fixture.path + "/log-0000000000000005.log")
    }

    @Test func aLogWhoseHeaderNamesAnotherGenerationIsAnError() throws {
        let fixture = Fixture()
        try fixture.make().close()
        let logPath = fixture.path + "/log-0000000000000000.log"
        try FileManager.default.removeItem(atPath: logPath)
        try RecordLog.create(at: logPath, generation: 3, policy: .never).close()
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.path == logPath)
        #expect(error.detail.contains("generation"))
    }

    @Test func aDirectoryWithoutASnapshotIsAnError() throws {
        let fixture = Fixture()
        try FileManager.default.createDirectory(atPath: fixture.path, withIntermediateDirectories: true)
        let error = try #require(throws: StorageError.self) { try fixture.open() }
        #expect(error.kind == .corruptFile)
        #expect(error.path == fixture.path)
        #expect(error.detail.contains("no snapshot"))
    }

    @Test func unknownFilesAreReportedAndLeftAlone() throws {
        let fixture = Fixture()
        try fixture.make().close()
        try Disk.write(fixture.path + "/README", [1])
        let recovered = try fixture.open()
        #expect(recovered.recovery.unexpectedFiles == ["README"])
        #expect(Disk.exists(fixture.path + "/README"))
    }

    @Test func destroyRemovesTheDirectoryAndClosesTheSession() throws {
        let fixture = Fixture()
        let session = try fixture.make()
        try session.destroy()
        #expect(Disk.list(fixture.directory.path) == [])
        let error = try #require(throws: StorageError.self) { try session.append([1]) }
        #expect(error.kind == .closed)
        #expect(throws: StorageError.self) { try session.destroy() }
        #expect(try #require(throws: StorageError.self) { try fixture.open() }.kind == .notFound)
    }

    @Test func concurrentAppendsLoseNothing() throws {
        let fixture = Fixture()
        let session = try SessionDirectory.create(at: fixture.path, snapshot: [0], policy: .never)
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            for index in 0..<100 {
                _ = try? session.append([UInt8(thread), UInt8(index)])
            }
        }
        #expect(session.recordCount == 300)
        try session.close()
        #expect(try fixture.open().records.count == 300)
    }
}
