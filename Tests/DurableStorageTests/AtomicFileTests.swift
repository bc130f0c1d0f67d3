import DurableStorage
import Foundation
import Testing

@Suite struct AtomicFileTests {
    @Test(arguments: [0, 1, 31, 32, 4096, 1 << 20])
    func roundTrips(_ size: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("state")
        let bytes = testBytes(size, seed: UInt64(size))
        try AtomicFile.write(path: path, bytes: bytes)
        #expect(try AtomicFile.read(path: path) == bytes)
        #expect(try Disk.size(path) == 32 + size)
        #expect(Disk.list(directory.path) == ["state"])  // no temporary file left behind
    }

    @Test func gatheredPartsAreConcatenated() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("state")
        let a = testBytes(5, seed: 1)
        let b = testBytes(100_000, seed: 2)
        try a.withUnsafeBytes { ra in
            try b.withUnsafeBytes { rb in try AtomicFile.write(path: path, gathering: [ra, rb], fsync: false) }
        }
        #expect(try AtomicFile.read(path: path) == a + b)
    }

    @Test func overwritingReplacesTheWholeContent() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("state")
        try AtomicFile.write(path: path, bytes: testBytes(10_000, seed: 1))
        try AtomicFile.write(path: path, bytes: [1, 2, 3])
        #expect(try AtomicFile.read(path: path) == [1, 2, 3])
        #expect(Disk.list(directory.path) == ["state"])
    }

    @Test func everyTruncationIsAnErrorNamingTheFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("snapshot")
        try AtomicFile.write(path: path, bytes: testBytes(100, seed: 3))
        let bytes = try Disk.read(path)
        for cut in 0..<bytes.count {
            try Disk.write(path, Array(bytes[..<cut]))
            let error = try #require(throws: StorageError.self, "cut at \(cut)") { try AtomicFile.read(path: path) }
            #expect(error.kind == .corruptFile)
            #expect(error.path == path)
            #expect(error.description.contains(path))
            #expect(error.detail.contains("truncated") || error.detail.contains("shorter"))
        }
    }

    @Test func everyBitFlipIsAnErrorNamingTheFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("snapshot")
        try AtomicFile.write(path: path, bytes: testBytes(100, seed: 4))
        let bytes = try Disk.read(path)
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            try Disk.write(path, damaged)
            let error = try #require(throws: StorageError.self, "bit \(bit)") { try AtomicFile.read(path: path) }
            #expect(error.path == path)
            #expect(error.kind == .corruptFile)
        }
    }

    @Test func trailingBytesAreAnError() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("snapshot")
        try AtomicFile.write(path: path, bytes: [1, 2, 3])
        try Disk.write(path, try Disk.read(path) + [0])
        let error = try #require(throws: StorageError.self) { try AtomicFile.read(path: path) }
        #expect(error.kind == .corruptFile)
        #expect(error.detail.contains("trailing"))
    }

    @Test func aMissingFileIsNotFound() throws {
        let directory = TemporaryDirectory()
        let error = try #require(throws: StorageError.self) { try AtomicFile.read(path: directory.file("none")) }
        #expect(error.kind == .notFound)
        #expect(error.operation == "open")
    }

    @Test func aFailedWriteLeavesTheOldContentAndNoTemporaryFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("state")
        try AtomicFile.write(path: path, bytes: [4, 5, 6])
        // The destination is a non-empty directory, so the final rename fails after the temporary is written.
        let blocked = directory.file("blocked")
        try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
        let error = try #require(throws: StorageError.self) { try AtomicFile.write(path: blocked, bytes: [1]) }
        #expect(error.operation == "rename")
        #expect(Disk.list(directory.path) == ["blocked", "state"])
        #expect(try AtomicFile.read(path: path) == [4, 5, 6])
    }

    @Test func writingIntoAMissingDirectoryFails() throws {
        let directory = TemporaryDirectory()
        let error = try #require(throws: StorageError.self) {
            try AtomicFile.write(path: directory.file("missing/state"), bytes: [1])
        }
        #expect(error.kind == .notFound)
    }

    @Test func aForeignFileIsRejected() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("state")
        try Disk.write(path, Array("just some text that is long enough to have a header".utf8))
        let error = try #require(throws: StorageError.self) { try AtomicFile.read(path: path) }
        #expect(error.kind == .corruptFile)
        #expect(error.detail.contains("magic"))
    }
}
