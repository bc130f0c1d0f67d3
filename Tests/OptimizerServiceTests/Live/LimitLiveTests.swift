import OptimizerService
import Testing
import TestSupport

/// Configured limits: body size (413), sessions and memory budget (507), parameters per session (422),
/// each a `limit_exceeded` problem naming the limit (or `body_too_large`), never a crash and never a
/// half-applied step.
@Suite struct LimitLiveTests {
    /// The problem's `limit` member.
    static func limit(_ r: HTTPClient.Response) -> String? { (try? r.json())?["limit"]?.string }

    /// The state bytes one session of `spec` reserves, read from `/metrics` of a fresh service.
    static func stateBytes(of spec: JSON, _ configure: (inout ServiceConfiguration) -> Void = { _ in }) throws -> Int {
        try withClient(configure) { client, _ in
            _ = try client.createSession(spec)
            let line = try client.get("/metrics").text.split(separator: "\n").first {
                $0.hasPrefix("optd_session_state_bytes ")
            }
            return line.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        }
    }

    @Test func maxSessionsIs507UntilOneIsDeleted() throws {
        try withClient({ $0.maxSessions = 2 }) { client, _ in
            let a = try client.createSession(Specs.small())
            _ = try client.createSession(Specs.small())
            _ = try client.step(a, ["w": [1, 2, 3]])
            let before = try client.snapshot(a)
            let r = try client.post("/v1/sessions", json: Specs.small())
            expectProblem(r, status: 507, code: "limit_exceeded", mentions: ["2"])
            #expect(Self.limit(r) == "max_sessions")
            // A restore counts too.
            let checkpoint = try client.get("/v1/sessions/\(a)/checkpoint").json()
            let restore = try client.post("/v1/sessions", json: ["checkpoint": checkpoint])
            expectProblem(restore, status: 507, code: "limit_exceeded")
            #expect(Self.limit(restore) == "max_sessions")
            #expect(try client.sessionIDs().count == 2)
            #expect(try client.snapshot(a) == before)
            #expect(try client.request("DELETE", "/v1/sessions/\(a)").status == 204)
            #expect(try client.post("/v1/sessions", json: Specs.small()).status == 201)
        }
    }

    @Test func maxParametersIs422AndTheLimitItselfIsAllowed() throws {
        try withClient({ $0.maxParametersPerSession = 10 }) { client, _ in
            let r = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": ["type": "sgd"], "parameters": ["w": ["shape": [2, 3]], "b": ["shape": [5]]],
                ])
            expectProblem(r, status: 422, code: "limit_exceeded", mentions: ["11", "10"])
            #expect(Self.limit(r) == "max_parameters")
            #expect(try client.sessionIDs().isEmpty)
            #expect(
                try client.post(
                    "/v1/sessions",
                    json: [
                        "optimizer": ["type": "sgd"], "parameters": ["w": ["shape": [2, 3]], "b": ["shape": [4]]],
                    ]
                ).status == 201)
            // A shape whose element count overflows is refused, not a crash.
            let huge = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": ["type": "sgd"],
                    "parameters": ["w": ["shape": [4_294_967_296, 4_294_967_296, 4_294_967_296]]],
                ])
            #expect(huge.status == 422, "\(huge)")
            #expect(huge.contentType == "application/problem+json")
        }
    }

    @Test func memoryBudgetIs507ForOneTooLargeSessionAndForTheSessionThatWouldOverflowIt() throws {
        let spec = Specs.adam.setting("parameters", ["w": ["shape": [1000]]])
        // Without idempotency keys (each session counts a full cache), the tensors dominate.
        let bytes = try Self.stateBytes(of: spec) { $0.idempotencyKeysPerSession = 0 }
        #expect(bytes >= 1000 * 4 * 3, "Adam float32 keeps parameters, exp_avg and exp_avg_sq: \(bytes) bytes reserved")
        try withClient({
            $0.memoryBudgetBytes = bytes * 5 / 2; $0.idempotencyKeysPerSession = 0
        }) { client, _ in
            let big = try client.post("/v1/sessions", json: Specs.adam.setting("parameters", ["w": ["shape": [3000]]]))
            expectProblem(big, status: 507, code: "limit_exceeded")
            #expect(Self.limit(big) == "memory_budget")
            let first = try client.createSession(spec)
            let second = try client.createSession(spec)
            _ = try client.step(second, ["w": .numbers([Double](repeating: 0.5, count: 1000))])
            // The budget is full: the checkpoint's JSON could not be lent.
            let before = try client.snapshot(second, withCheckpoint: false)
            let third = try client.post("/v1/sessions", json: spec)
            expectProblem(third, status: 507, code: "limit_exceeded", mentions: ["\(bytes * 5 / 2)"])
            #expect(Self.limit(third) == "memory_budget")
            #expect(try client.sessionIDs().count == 2)
            #expect(
                try client.snapshot(second, withCheckpoint: false) == before, "a refused create changed another session"
            )
            #expect(try client.request("DELETE", "/v1/sessions/\(first)").status == 204)
            #expect(try client.post("/v1/sessions", json: spec).status == 201)
            // float64 doubles the bytes: one float64 session does not fit beside two float32 ones.
            _ = try client.request("DELETE", "/v1/sessions/\(try client.sessionIDs()[0])")
            let f64 = try client.post("/v1/sessions", json: spec.setting("dtype", "float64"))
            expectProblem(f64, status: 507, code: "limit_exceeded")
        }
    }

    @Test func bodyTooLargeIs413AndNothingIsApplied() throws {
        try withClient({ $0.maxBodyBytes = 2048 }) { client, service in
            let id = try client.createSession(Specs.bigSGD(count: 200))
            let before = try client.snapshot(id)
            let big: JSON = ["gradients": ["p": .numbers([Double](repeating: 0.123456789, count: 200))]]
            #expect(big.bytes.count > 2048)
            // Declared by Content-Length: answered before the body is read.
            let declared = try service.client()
            expectProblem(try declared.post("/v1/sessions/\(id)/step", json: big), status: 413, code: "body_too_large")
            // Chunked: found while reading.
            let chunked = try service.client()
            let r = try chunked.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/json")],
                body: big.bytes, chunkSize: 500)
            expectProblem(r, status: 413, code: "body_too_large")
            // gzip that inflates past the limit.
            let gzip = try service.client()
            let bomb = try gzip.request(
                "POST", "/v1/sessions/\(id)/step",
                headers: [("Content-Type", "application/octet-stream"), ("Content-Encoding", "gzip")],
                body: Gzip.zeros(count: 64 * 1024))
            expectProblem(bomb, status: 413, code: "body_too_large")
            // Binary of exactly 800 bytes is fine, so the limit is on the body, not the session.
            let fresh = try service.client()
            #expect(try fresh.snapshot(id) == before)
            let ok = try fresh.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/octet-stream")],
                body: LittleEndian.bytes([Float](repeating: 1, count: 200)))
            #expect(ok.status == 200)
            #expect(ok.header("Optd-Step") == "1")
            // A create that is too large adds nothing.
            let create = try service.client()
            let spec = Specs.small().setting(
                "parameters", ["p": .numbers([Double](repeating: 0.123456789, count: 300))])
            expectProblem(try create.post("/v1/sessions", json: spec), status: 413, code: "body_too_large")
            #expect(try service.client().sessionIDs() == [id])
        }
    }

    /// An empty tensor's other dimensions still shape its JSON text: `[1e8, 0]` would be written as
    /// 1e8 empty arrays, so its arrays (1 + 1e8) count against `max_parameters` too.
    @Test func zeroSizedShapesWithHugeOtherDimensionsAreRefused() throws {
        try withClient({ c in c.maxParametersPerSession = 1000 }) { client, _ in
            let refused = try client.post(
                "/v1/sessions", json: ["optimizer": ["type": "sgd"], "parameters": ["e": ["shape": [100_000_000, 0]]]])
            expectProblem(refused, status: 422, code: "limit_exceeded", mentions: ["e", "max-parameters"])
            #expect(try client.sessionIDs().isEmpty)
            let fine = try client.post(
                "/v1/sessions", json: ["optimizer": ["type": "sgd"], "parameters": ["e": ["shape": [999, 0]]]])
            #expect(fine.status == 201)
        }
    }
}
