import DurableStorage
import Foundation
import OptimizerService
import TestSupport
import Testing

/// A stored session that cannot be read back when an evicted session is loaded again is the
/// server's fault: 500 `storage_failure` naming the session, never a 422 that blames the request.
@Suite struct StoredSessionFaultLiveTests {
    /// Creates a session in a service with a data directory and a short idle timeout, waits until it
    /// rests on disk, lets `damage` change its snapshot file, then expects a 500 on reading it.
    func expectStorageFailure(after damage: (_ snapshotPath: String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("optd-fault-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try withClient({ c in
            c.dataDirectory = directory.path
            c.sessionIdleTimeout = 0.2
        }) { client, _ in
            let id = try client.createSession(
                ["optimizer": ["type": "adam", "lr": 0.01], "parameters": ["w": [1, 2, 3]]])
            #expect(try client.step(id, ["w": [0.1, 0.2, 0.3]]).status == 200)
            #expect(
                try EvictionLiveTests.eventually(5) { try EvictionLiveTests.metric(client, "optd_parameters") == 0 })

            let sessionPath = directory.appendingPathComponent("sessions").appendingPathComponent(id)
            let snapshots = try FileManager.default.contentsOfDirectory(atPath: sessionPath.path)
                .filter { $0.hasPrefix("snapshot-") }
            try #require(snapshots.count == 1, "one snapshot in \(sessionPath.path)")
            try damage(sessionPath.appendingPathComponent(snapshots[0]).path)

            for path in ["/v1/sessions/\(id)", "/v1/sessions/\(id)/parameters"] {
                expectProblem(try client.get(path), status: 500, code: "storage_failure", mentions: [id])
            }
            let step = try client.step(id, ["w": [0.1, 0.2, 0.3]])
            expectProblem(step, status: 500, code: "storage_failure", mentions: [id])
        }
    }

    @Test func aSnapshotWithABadChecksumIsAServerFault() throws {
        try expectStorageFailure { path in
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 1] ^= 0xff
            try bytes.write(to: URL(fileURLWithPath: path))
        }
    }

    /// The file's framing is intact (checksums agree) but its content is not a session: the
    /// case that used to be answered 422 `invalid_checkpoint`.
    @Test func aWellFramedSnapshotThatIsNotASessionIsAServerFault() throws {
        try expectStorageFailure { path in
            try AtomicFile.write(path: path, bytes: Array("OPTDSNP1 this is not a session".utf8), fsync: false)
        }
    }
}
