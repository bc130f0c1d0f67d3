import DurableStorage
import Foundation
import Testing

/// Torn and corrupt logs, built by damaging a real log's bytes and reopening.
@Suite struct RecordLogRecoveryTests {
    /// A log of `payloads` on disk: its bytes and where each record starts.
    struct Fixture {
        let directory = TemporaryDirectory("recovery")
        let payloads: [[UInt8]]
        let bytes: [UInt8]
        let starts: [Int]
        var path: String { directory.file("log") }

        init(
            _ payloads: [[UInt8]] = [testBytes(40, seed: 1), [], testBytes(40, seed: 2), testBytes(45, seed: 3)]
        )
            throws
        {
            self.payloads = payloads
            let log = try RecordLog.create(at: directory.file("log"), policy: .never)
            var starts: [Int] = []
            for payload in payloads {
                starts.append(log.byteCount)
                try log.append(payload)
            }
            try log.close()
            self.starts = starts
            self.bytes = try Disk.read(directory.file("log"))
        }

        /// Writes `damaged` over the log and opens it.
        func open(_ damaged: [UInt8]) throws -> (log: RecordLog, records: [[UInt8]], recovery: LogRecovery) {
            try Disk.write(path, damaged)
            return try RecordLog.open(at: path, policy: .never)
        }
    }

    @Test func truncationAtEveryByteInsideTheLastRecordRecoversThePrefix() throws {
        let fixture = try Fixture()
        let lastStart = try #require(fixture.starts.last)
        for cut in lastStart..<fixture.bytes.count {
            let opened = try fixture.open(Array(fixture.bytes[..<cut]))
            #expect(opened.records == Array(fixture.payloads.dropLast()), "cut at \(cut)")
            #expect(opened.recovery.discardedByteCount == cut - lastStart, "cut at \(cut)")
            #expect(opened.recovery.validByteCount == lastStart)
            #expect(opened.recovery.isClean == (cut == lastStart))
            #expect(opened.log.byteCount == lastStart)
            try opened.log.close()
            #expect(try Disk.size(fixture.path) == lastStart, "cut at \(cut): torn tail not truncated")
        }
    }

    @Test func truncationInsideEveryEarlierRecordRecoversTheRecordsBeforeIt() throws {
        let fixture = try Fixture()
        for (index, start) in fixture.starts.enumerated() {
            let end = index + 1 < fixture.starts.count ? fixture.starts[index + 1] : fixture.bytes.count
            for cut in stride(from: start + 1, to: end, by: 3) {
                let opened = try fixture.open(Array(fixture.bytes[..<cut]))
                #expect(opened.records == Array(fixture.payloads[..<index]), "cut at \(cut)")
                try opened.log.close()
            }
        }
    }

    @Test func appendingAfterATornTailContinuesTheSequence() throws {
        let fixture = try Fixture()
        let opened = try fixture.open(Array(fixture.bytes.dropLast(5)))
        #expect(try opened.log.append([7, 7, 7]) == UInt64(fixture.payloads.count - 1))
        try opened.log.close()
        let reopened = try RecordLog.open(at: fixture.path, policy: .never)
        #expect(reopened.records == Array(fixture.payloads.dropLast()) + [[7, 7, 7]])
        #expect(reopened.recovery.isClean)
    }

    @Test func everyBitFlipInTheLastRecordIsATornTail() throws {
        let fixture = try Fixture()
        let lastStart = try #require(fixture.starts.last)
        for bit in (lastStart * 8)..<(fixture.bytes.count * 8) {
            var damaged = fixture.bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            let opened = try fixture.open(damaged)
            #expect(opened.records == Array(fixture.payloads.dropLast()), "bit \(bit)")
            #expect(opened.recovery.discardedByteCount == fixture.bytes.count - lastStart)
            #expect(opened.recovery.discardReason != nil)
            try opened.log.close()
        }
    }

    @Test func everyBitFlipInAMiddleRecordIsCorruptionNamingFileAndOffset() throws {
        let fixture = try Fixture()
        for record in [0, 1, 2] {
            let start = fixture.starts[record]
            let end = fixture.starts[record + 1]
            for bit in (start * 8)..<(end * 8) {
                var damaged = fixture.bytes
                damaged[bit / 8] ^= 1 << (bit % 8)
                let error = try #require(throws: StorageError.self, "bit \(bit)") { try fixture.open(damaged) }
                #expect(error.kind == .corruptFile)
                #expect(error.path == fixture.path)
                #expect(error.offset == start, "bit \(bit)")
                #expect(error.description.contains(fixture.path))
                // The file is left exactly as found.
                #expect(try Disk.read(fixture.path) == damaged)
            }
        }
    }

    @Test func everyBitFlipInTheFileHeaderIsAnError() throws {
        let fixture = try Fixture()
        for bit in 0..<(32 * 8) {
            var damaged = fixture.bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            let error = try #require(throws: StorageError.self, "bit \(bit)") { try fixture.open(damaged) }
            #expect(error.kind == .corruptFile)
            #expect(error.path == fixture.path)
        }
    }

    @Test func aFileShorterThanItsHeaderIsAnError() throws {
        let fixture = try Fixture()
        for cut in 0..<32 {
            let error = try #require(throws: StorageError.self) { try fixture.open(Array(fixture.bytes[..<cut])) }
            #expect(error.kind == .corruptFile)
            #expect(error.path == fixture.path)
        }
    }

    @Test func zerosOrGarbageAfterTheLastRecordAreATornTail() throws {
        let fixture = try Fixture()
        for tail in [[UInt8](repeating: 0, count: 4096), testBytes(10_000, seed: 99), [0xD7, 0x52, 0x45, 0x43]] {
            let opened = try fixture.open(fixture.bytes + tail)
            #expect(opened.records == fixture.payloads)
            #expect(opened.recovery.discardedByteCount == tail.count)
            try opened.log.close()
            #expect(try Disk.size(fixture.path) == fixture.bytes.count)
        }
    }

    @Test func zerosInTheMiddleFollowedByValidRecordsAreCorruption() throws {
        let fixture = try Fixture()
        var damaged = fixture.bytes
        for index in fixture.starts[1]..<fixture.starts[2] { damaged[index] = 0 }
        let error = try #require(throws: StorageError.self) { try fixture.open(damaged) }
        #expect(error.kind == .corruptFile)
        #expect(error.offset == fixture.starts[1])
        #expect(error.detail.contains("byte \(fixture.starts[2])"))
    }

    @Test func aRecordCopiedFromAnotherLogDoesNotValidate() throws {
        let fixture = try Fixture()
        let other = try Fixture([testBytes(40, seed: 1)])
        // Same payload, but the other log's salt: invalid here, so at the end it is a torn tail...
        let foreign = Array(other.bytes[32...])
        let atEnd = try fixture.open(fixture.bytes + foreign)
        #expect(atEnd.records == fixture.payloads)
        #expect(atEnd.recovery.discardedByteCount == foreign.count)
        try atEnd.log.close()
        // ...and spliced into the middle it is corruption.
        let spliced = Array(fixture.bytes[..<fixture.starts[2]]) + foreign + Array(fixture.bytes[fixture.starts[2]...])
        #expect(throws: StorageError.self) { try fixture.open(spliced) }
    }

    @Test func aDuplicatedRecordIsCorruptionEvenAtTheEnd() throws {
        let fixture = try Fixture()
        let first = Array(fixture.bytes[fixture.starts[0]..<fixture.starts[1]])
        let error = try #require(throws: StorageError.self) { try fixture.open(fixture.bytes + first) }
        #expect(error.kind == .corruptFile)
        #expect(error.offset == fixture.bytes.count)
        #expect(error.detail.contains("sequence"))
    }

    @Test func aNewerRecordVersionIsUnsupportedAndNeverTruncated() throws {
        let fixture = try Fixture()
        var damaged = fixture.bytes
        let start = try #require(fixture.starts.last)
        let salt = littleEndian(UInt32.self, fixture.bytes, at: 12)
        damaged[start + 4] = 2  // version 2, with a header checksum that matches
        storeLittleEndian(CRC32C.checksum(damaged[start..<(start + 28)], continuing: salt), &damaged, at: start + 28)
        let error = try #require(throws: StorageError.self) { try fixture.open(damaged) }
        #expect(error.kind == .unsupportedVersion)
        #expect(error.offset == start)
        #expect(try Disk.read(fixture.path) == damaged)
    }

    @Test func aLengthFieldPointingPastTheEndWithAValidHeaderIsATornTail() throws {
        // The header reached the disk but the payload did not: the classic torn append.
        let fixture = try Fixture()
        let start = try #require(fixture.starts.last)
        let opened = try fixture.open(Array(fixture.bytes[..<(start + 32)]))
        #expect(opened.records == Array(fixture.payloads.dropLast()))
        #expect(opened.recovery.discardReason?.contains("past the end") == true)
        try opened.log.close()
    }

    @Test func theRecoveryReportNamesTheOffsetAndReason() throws {
        let fixture = try Fixture()
        let start = try #require(fixture.starts.last)
        let opened = try fixture.open(Array(fixture.bytes[..<(start + 10)]))
        #expect(opened.recovery.path == fixture.path)
        #expect(opened.recovery.discardReason?.hasPrefix("byte \(start):") == true)
        #expect(opened.recovery.recordCount == fixture.payloads.count - 1)
        try opened.log.close()
    }

    @Test func aMissingFileIsNotFound() throws {
        let directory = TemporaryDirectory()
        let error = try #require(throws: StorageError.self) {
            try RecordLog.open(at: directory.file("nope"), policy: .never)
        }
        #expect(error.kind == .notFound)
        #expect(error.errno == ENOENT)
    }

    @Test func recoveryScansManySmallRecordsAndALargeOne() throws {
        var payloads = (0..<3000).map { testBytes($0 % 300, seed: UInt64($0)) }
        payloads.append(testBytes(3 << 20, seed: 77))
        payloads.append(contentsOf: (0..<10).map { testBytes(100, seed: UInt64(5000 + $0)) })
        let fixture = try Fixture(payloads)
        let opened = try fixture.open(fixture.bytes + [0, 0, 0])
        #expect(opened.records == payloads)
        #expect(opened.recovery.discardedByteCount == 3)
        try opened.log.close()
        // A bit flip inside the big record (far from any chunk boundary of the search) is found too.
        var damaged = fixture.bytes
        damaged[fixture.starts[3000] + 2_000_000] ^= 1
        let error = try #require(throws: StorageError.self) { try fixture.open(damaged) }
        #expect(error.offset == fixture.starts[3000])
    }
}
