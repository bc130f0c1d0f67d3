import Foundation
import OptimizerService
import Testing
import TestSupport

/// `--session-idle-timeout`: idle sessions leave memory; with a data directory they rest on disk and
/// come back, bit-identical, on first use; without one they are deleted.
@Suite struct EvictionLiveTests {
    /// The value of a metric line `name value` in `/metrics` (which touches no session).
    static func metric(_ client: HTTPClient, _ name: String) throws -> Double? {
        let text = String(decoding: try client.get("/metrics").body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// Polls `condition` every 50 ms for at most `seconds`.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }

    @Test func evictedSessionsReloadFromDiskAndContinueIdentically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("optd-evict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec: JSON = ["optimizer": ["type": "adam", "lr": 0.01], "parameters": ["w": [1, 2, 3], "b": [0.5]]]
        try withClient({ c in
            c.dataDirectory = directory.path
            c.sessionIdleTimeout = 0.2
        }) { client, _ in
            try withClient { reference, _ in
                let id = try client.createSession(spec)
                let ref = try reference.createSession(spec)
                let g1: JSON = ["w": [0.1, -0.2, 0.3], "b": [1]]
                let first = try client.step(id, g1, headers: [("Idempotency-Key", "first")])
                #expect(first.status == 200)
                #expect(try reference.step(ref, g1).status == 200)

                // Evicted: the session is still held (on disk) but its parameters left memory.
                #expect(try Self.eventually(5) { try Self.metric(client, "optd_parameters") == 0 })
                #expect(try Self.metric(client, "optd_sessions") == 1)
                #expect(try client.sessionIDs() == [id], "a resting session is listed")
                #expect(try Self.metric(client, "optd_parameters") == 0, "listing does not load it")

                // First use loads it; an idempotent retry from before the eviction is still recognised.
                let retry = try client.step(id, g1, headers: [("Idempotency-Key", "first")])
                #expect(retry.status == 200)
                #expect(try retry.json()["step"] == 1)
                #expect(try Self.metric(client, "optd_parameters") == 4)

                let g2: JSON = ["w": [-0.5, 0.25, 0.125], "b": [-2]]
                let a = try client.step(id, g2)
                let b = try reference.step(ref, g2)
                #expect(a.status == 200 && b.status == 200)
                #expect(try a.json()["parameters"] == b.json()["parameters"])
                #expect(try a.json()["step"] == 2)

                // Evicted again; reading it reloads it, identical to the reference.
                #expect(try Self.eventually(5) { try Self.metric(client, "optd_parameters") == 0 })
                #expect(try client.snapshot(id).parametersBinary == reference.snapshot(ref).parametersBinary)
            }
        }
    }

    @Test func withoutADataDirectoryIdleSessionsAreDeleted() throws {
        try withClient({ c in c.sessionIdleTimeout = 0.2 }) { client, _ in
            let id = try client.createSession(["optimizer": ["type": "sgd"], "parameters": ["w": [1]]])
            #expect(try Self.eventually(5) { try client.sessionIDs().isEmpty })
            #expect(try client.get("/v1/sessions/\(id)").status == 404)
            #expect(try Self.metric(client, "optd_sessions") == 0)
        }
    }

    @Test func activeSessionsAreNotEvicted() throws {
        try withClient({ c in c.sessionIdleTimeout = 0.3 }) { client, _ in
            let id = try client.createSession(["optimizer": ["type": "sgd", "lr": 1], "parameters": ["w": [0]]])
            for _ in 0..<20 {
                #expect(try client.step(id, ["w": [1]]).status == 200)
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(try client.get("/v1/sessions/\(id)/parameters").json()["parameters"]?["w"] == [-20])
        }
    }
}
