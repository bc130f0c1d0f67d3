import OptimizerService
import Synchronization
import Testing
import TestSupport

/// `Idempotency-Key`: a step is applied at most once; a retry gets the step number it produced and the
/// parameters as they are now; another body is a 422; a retry while the first is running is a 409.
@Suite struct IdempotencyLiveTests {
    static let key = [("Idempotency-Key", "step-0001")]

    @Test func aRetryReplaysTheStepNumberAndDoesNotApplyTwice() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.small(optimizer: ["type": "sgd", "lr": 1]))
            let first = try client.step(id, ["b": [1, 1]], headers: Self.key)
            #expect(first.status == 200)
            #expect(try first.json()["step"]?.int == 1)
            let retry = try client.step(id, ["b": [1, 1]], headers: Self.key)
            #expect(retry.status == 200, "\(retry)")
            #expect(try retry.json() == first.json(), "same step, lr, norm and (unchanged) parameters")
            #expect(retry.header("ETag") == first.header("ETag"))
            #expect(try client.get("/v1/sessions/\(id)").json()["step"]?.int == 1)
            // After another step, the retry still says step 1, with the parameters as they are now.
            _ = try client.step(id, ["b": [2, 2]])
            let late = try client.step(id, ["b": [1, 1]], headers: Self.key)
            #expect(try late.json()["step"]?.int == 1)
            #expect(try late.json()["parameters"]?["b"] == [-3, -2])
            #expect(late.header("Optd-Step") == "1")
            // The replay honours Accept and Prefer like a first answer.
            let binary = try client.step(
                id, ["b": [1, 1]], headers: Self.key + [("Accept", "application/octet-stream")])
            #expect(binary.contentType == "application/octet-stream")
            #expect(LittleEndian.floats(binary.body) == [0.5, -1, 2, -3, -2])
            let minimal = try client.step(id, ["b": [1, 1]], headers: Self.key + [("Prefer", "return=minimal")])
            #expect(try minimal.json() == ["step": 1, "lr": 1, "grad_norm": .number(Float(2).squareRoot())])
            #expect(try client.get("/v1/sessions/\(id)").json()["step"]?.int == 2)
        }
    }

    @Test func aConditionalRetryIsAReplayNotA412() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.bigSGD(count: 1))
            let tag = try client.get("/v1/sessions/\(id)").header("ETag") ?? ""
            let headers = Self.key + [("If-Match", tag)]
            let first = try client.step(id, ["p": [1]], headers: headers)
            #expect(first.status == 200)
            // The client did not see the answer and retries the same conditional request.
            let retry = try client.step(id, ["p": [1]], headers: headers)
            #expect(retry.status == 200, "\(retry)")
            #expect(try retry.json()["step"]?.int == 1)
            #expect(try client.get("/v1/sessions/\(id)/parameters").json()["parameters"]?["p"] == [-1])
        }
    }

    @Test func binaryRetriesAreRecognisedByTheirBytes() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.bigSGD(count: 3))
            let body = LittleEndian.bytes([Float(1), 2, 3])
            let headers = [("Content-Type", "application/octet-stream"), ("Idempotency-Key", "bin")]
            let first = try client.request("POST", "/v1/sessions/\(id)/step", headers: headers, body: body)
            let retry = try client.request("POST", "/v1/sessions/\(id)/step", headers: headers, body: body)
            #expect(first.status == 200 && retry.status == 200)
            #expect(retry.header("Optd-Step") == "1")
            #expect(retry.body == first.body)
            expectProblem(
                try client.request(
                    "POST", "/v1/sessions/\(id)/step", headers: headers,
                    body: LittleEndian.bytes([Float(1), 2, 4])),
                status: 422, code: "idempotency_key_reused", mentions: ["bin"])
            #expect(try client.get("/v1/sessions/\(id)").json()["step"]?.int == 1)
        }
    }

    @Test func keysAreScopedToTheirSession() throws {
        try withClient { client, _ in
            let a = try client.createSession(Specs.bigSGD(count: 1))
            let b = try client.createSession(Specs.bigSGD(count: 1))
            #expect(try client.step(a, ["p": [1]], headers: Self.key).json()["step"]?.int == 1)
            #expect(try client.step(b, ["p": [1]], headers: Self.key).json()["parameters"]?["p"] == [-1])
            #expect(try client.step(b, ["p": [1]], headers: Self.key).json()["parameters"]?["p"] == [-1])
        }
    }

    @Test func aFailedKeyedStepDoesNotUseTheKey() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.bigSGD(count: 2))
            expectProblem(
                try client.step(id, ["p": [1, 2, 3]], headers: Self.key), status: 422, code: "shape_mismatch")
            expectProblem(
                try client.step(id, ["p": [1, 2]], headers: Self.key + [("If-Match", "\"stale\"")]), status: 412,
                code: "precondition_failed")
            let ok = try client.step(id, ["p": [1, 2]], headers: Self.key)
            #expect(ok.status == 200, "\(ok)")
            #expect(try ok.json()["parameters"]?["p"] == [-1, -2])
        }
    }

    @Test func theOldestKeysAreForgottenPastTheConfiguredCapacity() throws {
        try withClient({ $0.idempotencyKeysPerSession = 2 }) { client, _ in
            let id = try client.createSession(Specs.bigSGD(count: 1))
            for key in ["k1", "k2", "k3"] { _ = try client.step(id, ["p": [1]], headers: [("Idempotency-Key", key)]) }
            // k3 and k2 are remembered; k1 was forgotten, so its retry is a new step.
            #expect(try client.step(id, ["p": [1]], headers: [("Idempotency-Key", "k3")]).json()["step"]?.int == 3)
            #expect(try client.step(id, ["p": [1]], headers: [("Idempotency-Key", "k2")]).json()["step"]?.int == 2)
            #expect(try client.step(id, ["p": [1]], headers: [("Idempotency-Key", "k1")]).json()["step"]?.int == 4)
        }
    }

    /// Holds a slow step (a large JSON body decodes for a while on the session queue) and sends its retry
    /// on another connection meanwhile: exactly one of the two applies, the other is a 409 (or, if the first
    /// finished before the retry arrived, a replay of the same step). A 409 must happen within a few tries.
    @Test func aRetryWhileTheFirstIsRunningIs409() throws {
        let count = 400_000
        try withService { service in
            let id = try service.client().createSession(Specs.bigSGD(count: count))
            let body = Array(
                ("{\"gradients\":{\"p\":[" + [String](repeating: "1", count: count).joined(separator: ",") + "]}}").utf8
            )
            var conflicts = 0
            var attempt = 0
            while conflicts == 0, attempt < 5 {
                attempt += 1
                let key = "slow-\(attempt)"
                let before = try service.client().get("/v1/sessions/\(id)").json()["step"]?.int ?? -1
                let results = Mutex<[HTTPClient.Response]>([])
                try Threads.run(2) { _ in
                    let c = try HTTPClient(port: service.port)
                    let r = try c.request(
                        "POST", "/v1/sessions/\(id)/step",
                        headers: [
                            ("Content-Type", "application/json"), ("Idempotency-Key", key),
                            ("Prefer", "return=minimal"),
                        ], body: body)
                    results.withLock { $0.append(r) }
                }
                let responses = results.withLock { $0 }
                let ok = responses.filter { $0.status == 200 }
                let conflict = responses.filter { $0.status == 409 }
                #expect(ok.count + conflict.count == 2, "\(responses)")
                #expect(!ok.isEmpty)
                // Whatever the timing, the step was applied exactly once.
                let after = try service.client().get("/v1/sessions/\(id)").json()["step"]?.int ?? -1
                #expect(after == before + 1)
                #expect(Set(ok.compactMap { try? $0.json()["step"]?.int }) == [before + 1])
                for r in conflict {
                    expectProblem(r, status: 409, code: "idempotency_conflict", mentions: [key])
                    conflicts += 1
                }
                // Once the first is done, the retry is a replay of the same step.
                let retry = try service.client().request(
                    "POST", "/v1/sessions/\(id)/step",
                    headers: [
                        ("Content-Type", "application/json"), ("Idempotency-Key", key), ("Prefer", "return=minimal"),
                    ],
                    body: body)
                #expect(try retry.json()["step"]?.int == before + 1)
            }
            #expect(conflicts > 0, "no 409 in \(attempt) tries")
            let values = try service.client().get(
                "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
            #expect(Set(LittleEndian.floats(values.body)) == [Float(-attempt)])
        }
    }
}
