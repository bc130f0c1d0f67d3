import Dispatch
import Foundation
import Testing

@testable import DurableStorage

@Suite struct RecordLogTests {
    static let payloads: [[UInt8]] = [testBytes(10, seed: 10), [], testBytes(4096, seed: 11), testBytes(57, seed: 12)]

    @Test func roundTripsRecordsThroughCloseAndReopen() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        let log = try RecordLog.create(at: path, generation: 7, policy: .never)
        for (index, payload) in Self.payloads.enumerated() {
            #expect(try log.append(payload) == UInt64(index))
        }
        let expectedSize = 32 + Self.payloads.reduce(0) { $0 + 32 + $1.count }
        #expect(log.byteCount == expectedSize)
        #expect(log.recordCount == Self.payloads.count)
        try log.close()
        #expect(try Disk.size(path) == expectedSize)

        let opened = try RecordLog.open(at: path, policy: .never, expectedGeneration: 7)
        #expect(opened.records == Self.payloads)
        #expect(opened.recovery.isClean)
        #expect(opened.recovery.recordCount == Self.payloads.count)
        #expect(opened.log.generation == 7)
        #expect(try opened.log.append([1, 2, 3]) == UInt64(Self.payloads.count))
        try opened.log.close()
        #expect(try RecordLog.open(at: path, policy: .never).records == Self.payloads + [[1, 2, 3]])
    }

    @Test func aGatheredAppendEqualsTheConcatenatedPayload() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        let log = try RecordLog.create(at: path, policy: .never)
        let a = testBytes(100, seed: 1)
        let b = testBytes(3, seed: 2)
        let c = testBytes(70_000, seed: 3)
        try a.withUnsafeBytes { ra in
            try b.withUnsafeBytes { rb in
                try c.withUnsafeBytes { rc in
                    _ = try log.append(gathering: [ra, rb, UnsafeRawBufferPointer(start: nil, count: 0), rc])
                }
            }
        }
        try log.close()
        #expect(try RecordLog.open(at: path, policy: .never).records == [a + b + c])
    }

    @Test func aLargeRecordRoundTrips() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        let log = try RecordLog.create(at: path, policy: .always)
        let big = testBytes(5 << 20, seed: 4)
        try log.append(big)
        try log.append([9])
        try log.close()
        #expect(try RecordLog.open(at: path, policy: .never).records == [big, [9]])
    }

    @Test func createRefusesAnExistingFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        try Disk.write(path, [1, 2, 3])
        #expect(throws: StorageError.self) { try RecordLog.create(at: path, policy: .never) }
        #expect(try Disk.read(path) == [1, 2, 3])
        #expect(Disk.list(directory.path) == ["log"])
    }

    @Test func openChecksTheExpectedGeneration() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        try RecordLog.create(at: path, generation: 3, policy: .never).close()
        let error = try #require(throws: StorageError.self) {
            try RecordLog.open(at: path, policy: .never, expectedGeneration: 4)
        }
        #expect(error.kind == .corruptFile)
        #expect(error.path == path)
    }

    @Test func operationsAfterCloseThrowClosed() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .never)
        try log.close()
        try log.close()
        let error = try #require(throws: StorageError.self) { try log.append([1]) }
        #expect(error.kind == .closed)
        #expect(throws: StorageError.self) { try log.sync() }
    }

    @Test func alwaysSyncsEveryAppendBeforeReturning() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .always)
        for index in 1...5 {
            try log.append(testBytes(100, seed: UInt64(index)))
            #expect(log.syncCount == index)
            #expect(log.durableByteCount == log.byteCount)
        }
    }

    @Test func neverDoesNotSync() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .never)
        for index in 1...5 { try log.append(testBytes(100, seed: UInt64(index))) }
        #expect(log.syncCount == 0)
        #expect(log.durableByteCount == 32)
        try log.close()
        #expect(log.syncCount == 0)
    }

    @Test func explicitSyncWorksUnderAnyPolicy() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .never)
        try log.sync()
        #expect(log.syncCount == 0)  // nothing to sync
        try log.append([1, 2, 3])
        try log.sync()
        #expect(log.syncCount == 1)
        #expect(log.durableByteCount == log.byteCount)
    }

    @Test func intervalDoesNotSyncInsideAppendButOnClose() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .interval(seconds: 600))
        try log.append(testBytes(1000, seed: 5))
        #expect(log.syncCount == 0)
        #expect(log.durableByteCount == 32)
        try log.close()
        #expect(log.syncCount == 1)
        #expect(log.durableByteCount == log.byteCount)
    }

    @Test func intervalFlushesInTheBackgroundAfterEachBurst() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .interval(seconds: 0.05))
        for burst in 1...2 {
            for index in 0..<10 { try log.append(testBytes(100, seed: UInt64(burst * 100 + index))) }
            let target = log.byteCount
            let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
            while log.durableByteCount < target && DispatchTime.now().uptimeNanoseconds < deadline {
                usleep(5_000)
            }
            #expect(log.durableByteCount == target)
            #expect(log.syncCount >= burst)
        }
        // Ten appends per burst, but the flush coalesces them: far fewer syncs than appends.
        #expect(log.syncCount <= 6)
        #expect(log.failure == nil)
    }

    @Test func concurrentAppendsKeepEveryRecordInSequence() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        let log = try RecordLog.create(at: path, policy: .never)
        let threads = 4
        let perThread = 50
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                _ = try? log.append([UInt8(thread), UInt8(index)] + testBytes(index, seed: UInt64(thread)))
            }
        }
        #expect(log.recordCount == threads * perThread)
        try log.close()
        let records = try RecordLog.open(at: path, policy: .never).records
        #expect(records.count == threads * perThread)
        for thread in 0..<threads {
            let mine = records.filter { $0[0] == UInt8(thread) }
            #expect(mine.map { Int($0[1]) } == Array(0..<perThread))
            #expect(mine.allSatisfy { $0.dropFirst(2).elementsEqual(testBytes(Int($0[1]), seed: UInt64(thread))) })
        }
    }

    @Test func rejectsAPayloadOverTheLimitWithoutWriting() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .never)
        let fake = UnsafeRawBufferPointer(
            start: UnsafeRawPointer(bitPattern: 0x1000), count: RecordLog.maximumPayloadSize + 1)
        let error = try #require(throws: StorageError.self) { try log.append(fake) }
        #expect(error.kind == .invalidArgument)
        #expect(log.byteCount == 32)
    }
}

/// Failure paths, driven by the log's internal fault injection against real files.
@Suite struct RecordLogFailureTests {
    @Test(arguments: [0, 1, 31, 32, 33, 1000])
    func aFailedWriteIsRolledBackAndTheLogStaysUsable(_ writtenBytes: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        let log = try RecordLog.create(at: path, policy: .always)
        try log.append([1, 1])
        let before = log.byteCount
        log.injectWriteFailure(afterWriting: writtenBytes, errno: ENOSPC)
        let error = try #require(throws: StorageError.self) { try log.append(testBytes(2000, seed: 1)) }
        #expect(error.kind == .systemCall)
        #expect(error.errno == ENOSPC)
        #expect(log.failure == nil)
        #expect(log.byteCount == before)
        #expect(try Disk.size(path) == before)  // the partial record is gone from the file
        #expect(try log.append([2, 2]) == 1)  // same sequence number the failed append would have had
        try log.close()
        let reopened = try RecordLog.open(at: path, policy: .never)
        #expect(reopened.records == [[1, 1], [2, 2]])
        #expect(reopened.recovery.isClean)
    }

    @Test func aFailedSyncPoisonsTheLogUntilReopened() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("log")
        let log = try RecordLog.create(at: path, policy: .always)
        try log.append([1])
        log.injectSyncFailure(errno: EIO)
        let error = try #require(throws: StorageError.self) { try log.append([2]) }
        #expect(error.kind == .failed)
        #expect(error.errno == EIO)
        #expect(error.operation == "fdatasync")
        #expect(log.failure?.kind == .failed)
        // Everything afterwards fails the same way: nothing more is acknowledged on an unknown disk state.
        #expect(try #require(throws: StorageError.self) { try log.append([3]) }.kind == .failed)
        #expect(try #require(throws: StorageError.self) { try log.sync() }.kind == .failed)
        try log.close()
        // Reopening re-validates what is on disk; the unacknowledged record may be there (it is here).
        let reopened = try RecordLog.open(at: path, policy: .never)
        #expect(reopened.records == [[1], [2]])
    }

    @Test func aFailedIntervalFlushIsReportedByTheNextAppend() throws {
        let directory = TemporaryDirectory()
        let log = try RecordLog.create(at: directory.file("log"), policy: .interval(seconds: 0.01))
        log.injectSyncFailure(errno: EIO)
        try log.append([1])
        // The background flush needs the lock, so it cannot use the injected failure before this point;
        // wait for it to run.
        let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
        while log.failure == nil && DispatchTime.now().uptimeNanoseconds < deadline { usleep(2_000) }
        #expect(log.failure?.kind == .failed)
        #expect(try #require(throws: StorageError.self) { try log.append([2]) }.kind == .failed)
    }
}
