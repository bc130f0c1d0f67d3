import TestSupport

/// Everything observable about a session's state: its summary (minus `updated_at`), its checkpoint
/// (spec, step, parameters and every optimizer state tensor) and its ETag. Two equal snapshots mean
/// the session is exactly as it was.
struct SessionSnapshot: Equatable, CustomStringConvertible {
    var etag: String?
    var summary: JSON
    var checkpoint: [UInt8]
    var parametersBinary: [UInt8]

    var description: String { "etag \(etag ?? "-") summary \(summary)" }
}

extension TestHTTPClient {
    /// Creates a session and returns its id (requires 201).
    @discardableResult
    func createSession(_ spec: JSON) throws -> String {
        let r = try post("/v1/sessions", json: spec)
        guard r.status == 201, let id = try r.json()["id"]?.string else {
            throw HTTPClient.Failure.malformed("create failed: \(r)")
        }
        return id
    }

    /// The snapshot of session `id` (requires every read to succeed).
    /// - Parameter withCheckpoint: false leaves the checkpoint out (empty), for a service whose memory
    ///   budget is too full to lend the checkpoint's JSON; the ETag still changes with every change.
    func snapshot(_ id: String, withCheckpoint: Bool = true) throws -> SessionSnapshot {
        let summary = try get("/v1/sessions/\(id)")
        let checkpoint =
            withCheckpoint ? try get("/v1/sessions/\(id)/checkpoint") : TestResponse(status: 200, headers: [], body: [])
        let binary = try get("/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
        guard summary.status == 200, checkpoint.status == 200, binary.status == 200 else {
            throw HTTPClient.Failure.malformed(
                "snapshot of \(id) failed: \(summary.status) \(checkpoint.status) \(binary.status)")
        }
        return SessionSnapshot(
            etag: summary.header("ETag"), summary: try summary.json().removing("updated_at"),
            checkpoint: checkpoint.body,
            parametersBinary: binary.body)
    }

    /// Session ids, oldest first.
    func sessionIDs() throws -> [String] {
        let r = try get("/v1/sessions")
        return try r.json()["sessions"]?.array?.compactMap { $0["id"]?.string } ?? []
    }

    /// POSTs `{"gradients": gradients}` to the session's step.
    func step(_ id: String, _ gradients: JSON, headers: [(String, String)] = []) throws -> TestResponse {
        try post("/v1/sessions/\(id)/step", json: ["gradients": gradients], headers: headers)
    }
}
