import DurableStorage
import Foundation
import Testing

@Suite struct DataDirectoryTests {
    @Test func createsNestedDirectoriesAndTheSessionsFolder() throws {
        let directory = TemporaryDirectory("data")
        let path = directory.path + "/a/b/data"
        let data = try DataDirectory(path: path, policy: .never)
        #expect(data.sessionsPath == path + "/sessions")
        #expect(Disk.list(path) == ["lock", "sessions"])
        #expect(try data.scan().sessionNames == [])
    }

    /// `--data-dir` may be a symbolic link to a directory (or below one): the link is followed for the
    /// data directory itself, and sessions written through it are found again through it.
    @Test func aSymbolicLinkToADirectoryIsUsedAsTheDataDirectory() throws {
        let directory = TemporaryDirectory("data")
        let target = directory.path + "/real"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        let link = directory.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        do {
            let data = try DataDirectory(path: link, policy: .never)
            let session = try data.createSession("abc", snapshot: [7])
            try session.close()
        }
        #expect(Disk.list(target) == ["lock", "sessions"])
        #expect(Disk.list(target + "/sessions") == ["abc"])
        let reopened = try DataDirectory(path: link + "/", policy: .never)
        #expect(try reopened.scan().sessionNames == ["abc"])
        #expect(try reopened.openSession("abc").snapshot == [7])
        // A data directory created below a linked parent.
        let nested = try DataDirectory(path: link + "/x/data", policy: .never)
        #expect(Disk.list(target + "/x/data") == ["lock", "sessions"])
        #expect(try nested.scan().sessionNames == [])
    }

    /// A link to a file, or a dangling link, is still refused.
    @Test func aSymbolicLinkToAFileOrNothingIsRefused() throws {
        let directory = TemporaryDirectory("data")
        let file = directory.path + "/file"
        try Disk.write(file, [1])
        let toFile = directory.path + "/to-file"
        try FileManager.default.createSymbolicLink(atPath: toFile, withDestinationPath: file)
        #expect(throws: StorageError.self) { try DataDirectory(path: toFile, policy: .never) }
        let dangling = directory.path + "/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.path + "/none")
        #expect(throws: StorageError.self) { try DataDirectory(path: dangling, policy: .never) }
    }

    /// Inside the data directory links are not followed: a linked session directory is not a session.
    @Test func aSymbolicLinkInsideTheSessionsFolderIsNotASession() throws {
        let directory = TemporaryDirectory("data")
        let data = try DataDirectory(path: directory.path + "/data", policy: .never)
        try data.createSession("real", snapshot: [1]).close()
        try FileManager.default.createSymbolicLink(
            atPath: data.sessionsPath + "/linked", withDestinationPath: data.sessionsPath + "/real")
        let scan = try data.scan()
        #expect(scan.sessionNames == ["real"])
        #expect(scan.ignored == ["linked"])
    }

    @Test func aSecondInstanceIsLockedOutUntilTheFirstIsReleased() throws {
        let directory = TemporaryDirectory("data")
        var first: DataDirectory? = try DataDirectory(path: directory.path, policy: .never)
        let error = try #require(throws: StorageError.self) { try DataDirectory(path: directory.path, policy: .never) }
        #expect(error.kind == .locked)
        #expect(first != nil)
        first = nil
        _ = try DataDirectory(path: directory.path, policy: .never)
    }

    @Test(arguments: ["", ".", "..", "../x", "a/b", ".hidden", "a b", "é", String(repeating: "a", count: 129), "a.b"])
    func rejectsUnsafeSessionNames(_ name: String) throws {
        let directory = TemporaryDirectory("data")
        let data = try DataDirectory(path: directory.path, policy: .never)
        #expect(!DataDirectory.isValidSessionName(name))
        let error = try #require(throws: StorageError.self) { try data.createSession(name, snapshot: [1]) }
        #expect(error.kind == .invalidArgument)
        #expect(Disk.list(data.sessionsPath) == [])
    }

    @Test func acceptsServiceSessionIds() {
        #expect(DataDirectory.isValidSessionName("0123456789abcdef0123456789abcdef"))
        #expect(DataDirectory.isValidSessionName("A-z_9"))
        #expect(DataDirectory.isValidSessionName(String(repeating: "a", count: 128)))
    }

    @Test func createOpenAndDestroyByName() throws {
        let directory = TemporaryDirectory("data")
        let data = try DataDirectory(path: directory.path, policy: .always)
        let session = try data.createSession("abc", snapshot: [1, 2, 3])
        try session.append([4])
        try session.close()
        let recovered = try data.openSession("abc")
        #expect(recovered.snapshot == [1, 2, 3])
        #expect(recovered.records == [[4]])
        try recovered.session.destroy()
        #expect(try data.scan().sessionNames == [])
        #expect(try #require(throws: StorageError.self) { try data.openSession("abc") }.kind == .notFound)
    }

    /// Good, torn and corrupt sessions side by side, plus leftovers of interrupted creations and
    /// deletions: the good ones recover, the bad ones are reported by file, leftovers disappear.
    @Test func recoverAllReportsCorruptSessionsWithoutHidingTheOthers() throws {
        let directory = TemporaryDirectory("data")
        let data = try DataDirectory(path: directory.path, policy: .never)
        let sessions = data.sessionsPath
        for name in ["good1", "good2", "torn", "badsnap", "badlog", "deleting"] {
            let session = try data.createSession(name, snapshot: Array(name.utf8))
            for index in 0..<3 { try session.append([UInt8(index)] + Array(name.utf8)) }
            try session.close()
        }
        // torn: the last record lost its last byte.
        let tornLog = sessions + "/torn/log-0000000000000000.log"
        try Disk.write(tornLog, Array(try Disk.read(tornLog).dropLast()))
        // badsnap: a flipped bit in the snapshot.
        let badSnapshot = sessions + "/badsnap/snapshot-0000000000000000.snap"
        var snapshotBytes = try Disk.read(badSnapshot)
        snapshotBytes[33] ^= 2
        try Disk.write(badSnapshot, snapshotBytes)
        // badlog: a flipped bit in the first record, valid records after it.
        let badLog = sessions + "/badlog/log-0000000000000000.log"
        var logBytes = try Disk.read(badLog)
        logBytes[64] ^= 1
        try Disk.write(badLog, logBytes)
        // deleting: interrupted deletion, renamed to a tombstone with one file already gone.
        try FileManager.default.moveItem(atPath: sessions + "/deleting", toPath: sessions + "/.deleted-deleting-1f")
        try FileManager.default.removeItem(atPath: sessions + "/.deleted-deleting-1f/log-0000000000000000.log")
        // interrupted creation, an empty session directory, a stray file and an invalid name.
        try FileManager.default.createDirectory(atPath: sessions + "/.tmp-new-77", withIntermediateDirectories: false)
        try Disk.write(sessions + "/.tmp-new-77/snapshot-0000000000000000.snap", [1])
        try FileManager.default.createDirectory(atPath: sessions + "/empty", withIntermediateDirectories: false)
        try Disk.write(sessions + "/stray.txt", [1])
        try FileManager.default.createDirectory(atPath: sessions + "/bad.name", withIntermediateDirectories: false)

        let result = try data.recoverAll()
        #expect(result.recovered.map(\.name) == ["good1", "good2", "torn"])
        for recovered in result.recovered {
            #expect(recovered.snapshot == Array(recovered.name.utf8))
            let expected = recovered.name == "torn" ? 2 : 3
            #expect(recovered.records == (0..<expected).map { [UInt8($0)] + Array(recovered.name.utf8) })
        }
        #expect(result.recovered.first { $0.name == "torn" }?.recovery.log.discardedByteCount == 32 + 5 - 1)
        #expect(result.failed.map(\.name) == ["badlog", "badsnap", "empty"])
        #expect(result.failed.first { $0.name == "badsnap" }?.error.path == badSnapshot)
        #expect(result.failed.first { $0.name == "badlog" }?.error.path == badLog)
        #expect(result.failed.allSatisfy { $0.error.kind == .corruptFile })
        #expect(result.scan.removedLeftovers == [".deleted-deleting-1f", ".tmp-new-77"])
        #expect(result.scan.ignored == ["bad.name", "stray.txt"])
        #expect(
            Disk.list(sessions) == ["bad.name", "badlog", "badsnap", "empty", "good1", "good2", "stray.txt", "torn"])
        // Corrupt sessions are left exactly as found, for an operator to inspect.
        #expect(try Disk.read(badLog) == logBytes)
        #expect(try Disk.read(badSnapshot) == snapshotBytes)
    }

    @Test func aSessionThatFailedToRecoverCanBeDeletedByName() throws {
        let directory = TemporaryDirectory("data")
        let data = try DataDirectory(path: directory.path, policy: .never)
        try data.createSession("broken", snapshot: [1]).close()
        try Disk.write(data.sessionsPath + "/broken/snapshot-0000000000000000.snap", [0])
        #expect(try data.recoverAll().failed.map(\.name) == ["broken"])
        try data.destroySession("broken")
        #expect(Disk.list(data.sessionsPath) == [])
        #expect(try #require(throws: StorageError.self) { try data.destroySession("broken") }.kind == .notFound)
    }
}
