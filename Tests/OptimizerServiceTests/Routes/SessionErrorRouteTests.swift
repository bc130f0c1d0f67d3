import Testing
import TestSupport

/// Every error a request on an existing session can produce (step, parameters, patch, delete), each
/// checked for status, `application/problem+json`, code and a detail naming the field, and for leaving
/// the session exactly as it was: same summary, checkpoint (parameters and every optimizer state
/// tensor), binary parameters and ETag, and the next step is numbered as if the failure never happened.
///
/// The requests go through the router in memory; the errors the HTTP layer answers before any route
/// (`httpLayerCases`) go over a live connection.
@Suite struct SessionErrorRouteTests {
    static let json = [("Content-Type", "application/json")]
    static let binary = [("Content-Type", "application/octet-stream")]
    static let step = "/v1/sessions/{id}/step"
    static let parameters = "/v1/sessions/{id}/parameters"
    static let session = "/v1/sessions/{id}"

    /// Float32 bytes of 9 gradients (`w` [2, 3] then `b` [3]) with `value` at flat index `index`.
    static func binaryGradients(_ value: Float, at index: Int) -> [UInt8] {
        var g = [Float](repeating: 0.5, count: 9)
        g[index] = value
        return LittleEndian.bytes(g)
    }

    static let stepCases: [ErrorCase] = [
        ErrorCase(
            "NaN token", "POST", step, json: #"{"gradients": {"b": [NaN, 1, 1]}}"#, status: 400, code: "invalid_json"),
        ErrorCase(
            "truncated body", "POST", step, json: #"{"gradients": {"b": [1, 2"#, status: 400, code: "invalid_json"),
        ErrorCase(
            "trailing bytes", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}} x"#, status: 400,
            code: "invalid_json"),
        ErrorCase(
            "text/plain body", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            headers: [("Content-Type", "text/plain")], status: 415, code: "unsupported_media_type",
            mentions: ["text/plain", "application/json", "application/octet-stream"]),
        ErrorCase(
            "Accept text/html", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            headers: json + [("Accept", "text/html")], status: 406, code: "not_acceptable", mentions: ["text/html"]),
        ErrorCase(
            "member gradient", "POST", step, json: #"{"gradient": {"b": [1, 2, 3]}}"#, code: "unknown_field",
            mentions: ["gradient"]),
        ErrorCase(
            "extra member", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}, "lr": 1}"#, code: "unknown_field",
            mentions: ["lr"]),
        ErrorCase(
            "gradients is an array", "POST", step, json: #"{"gradients": [1, 2, 3]}"#, code: "invalid_field",
            mentions: ["gradients"]),
        ErrorCase("gradients missing", "POST", step, json: #"{}"#, code: "invalid_field", mentions: ["gradients"]),
        ErrorCase(
            "gradient is a string", "POST", step, json: #"{"gradients": {"b": "1,2,3"}}"#, code: "invalid_field",
            mentions: ["b"]),
        ErrorCase(
            "gradient given twice", "POST", step, json: #"{"gradients": {"b": [1, 2, 3], "b": [1, 2, 3]}}"#,
            code: "invalid_field", mentions: ["b"]),
        ErrorCase(
            "unknown parameter next to a valid one", "POST", step,
            json: #"{"gradients": {"b": [1, 2, 3], "x": [1]}}"#, code: "unknown_parameter",
            mentions: ["\"x\"", "\"w\""]),
        ErrorCase(
            "5 elements for 6", "POST", step, json: #"{"gradients": {"w": [1, 2, 3, 4, 5]}}"#, code: "shape_mismatch",
            mentions: ["\"w\"", "5", "6"]),
        ErrorCase(
            "7 elements for 6 after a valid gradient", "POST", step,
            json: #"{"gradients": {"b": [1, 1, 1], "w": [1, 2, 3, 4, 5, 6, 7]}}"#, code: "shape_mismatch",
            mentions: ["\"w\"", "7", "6"]),
        ErrorCase(
            "nested [3, 2] for [2, 3]", "POST", step, json: #"{"gradients": {"w": [[1, 2], [3, 4], [5, 6]]}}"#,
            code: "shape_mismatch", mentions: ["\"w\"", "[3, 2]", "[2, 3]"]),
        ErrorCase(
            "ragged nested arrays", "POST", step, json: #"{"gradients": {"w": [[1, 2, 3], [4, 5]]}}"#,
            code: "shape_mismatch", mentions: ["\"w\""]),
        ErrorCase(
            "binary body of 8 bytes", "POST", step, body: [UInt8](repeating: 0, count: 8), headers: binary,
            code: "shape_mismatch", mentions: ["8", "36"]),
        ErrorCase(
            "binary body one float too long", "POST", step, body: [UInt8](repeating: 0, count: 40), headers: binary,
            code: "shape_mismatch", mentions: ["40", "36"]),
        ErrorCase(
            "float32 overflow 1e39", "POST", step, json: #"{"gradients": {"b": [0, 1e39, 0]}}"#,
            code: "non_finite_gradient", mentions: ["\"b\""]),
        ErrorCase(
            "overflow after a valid gradient", "POST", step,
            json: #"{"gradients": {"w": [1, 1, 1, 1, 1, 1], "b": [0, 0, -1e300]}}"#, code: "non_finite_gradient",
            mentions: ["\"b\""]),
        ErrorCase(
            "binary NaN in b", "POST", step, body: binaryGradients(.nan, at: 7), headers: binary,
            code: "non_finite_gradient", mentions: ["\"b\""]),
        ErrorCase(
            "binary infinity in w", "POST", step, body: binaryGradients(-.infinity, at: 2), headers: binary,
            code: "non_finite_gradient", mentions: ["\"w\""]),
        ErrorCase(
            "no gradient", "POST", step, json: #"{"gradients": {}}"#, code: "empty_step", mentions: ["gradients"]),
        ErrorCase(
            "stale If-Match", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            headers: json + [("If-Match", "\"00000000-0\"")], status: 412, code: "precondition_failed",
            mentions: ["00000000-0"]),
        ErrorCase(
            "Idempotency-Key with a space", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            headers: json + [("Idempotency-Key", "a b")], code: "invalid_field", mentions: ["Idempotency-Key"]),
        ErrorCase(
            "Idempotency-Key of 256 characters", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            headers: json + [("Idempotency-Key", String(repeating: "k", count: 256))], code: "invalid_field",
            mentions: ["Idempotency-Key"]),
        ErrorCase(
            "Idempotency-Key reused with another body", "POST", step, json: #"{"gradients": {"b": [9, 9, 9]}}"#,
            headers: json + [("Idempotency-Key", "setup-key")], code: "idempotency_key_reused", mentions: ["setup-key"]),
        ErrorCase(
            "Idempotency-Key reused with another content type", "POST", step,
            body: LittleEndian.bytes([Float](repeating: 0.5, count: 9)),
            headers: binary + [("Idempotency-Key", "setup-key")], code: "idempotency_key_reused",
            mentions: ["setup-key"]),
        ErrorCase(
            "DELETE on step", "DELETE", step, headers: [], status: 405, code: "method_not_allowed",
            mentions: ["DELETE"], expectedHeader: ("Allow", "POST")),
        ErrorCase(
            "no such sub-resource", "POST", "/v1/sessions/{id}/steps", json: "{}", status: 404, code: "not_found"),
    ]

    /// Refused by the HTTP layer (MicroHTTP's parser) before the route runs.
    static let httpLayerCases: [ErrorCase] = [
        ErrorCase(
            "brotli body", "POST", step, json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            headers: json + [("Content-Encoding", "br")], status: 415, code: "unsupported_media_type",
            mentions: ["Content-Encoding", "gzip"])
    ]

    static let parametersCases: [ErrorCase] = [
        ErrorCase(
            "b missing", "PUT", parameters, json: #"{"parameters": {"w": [1, 2, 3, 4, 5, 6]}}"#, code: "shape_mismatch",
            mentions: ["\"b\""]),
        ErrorCase(
            "unknown parameter", "PUT", parameters,
            json: #"{"parameters": {"w": [1, 2, 3, 4, 5, 6], "b": [1, 2, 3], "c": [1]}}"#, code: "unknown_parameter",
            mentions: ["\"c\""]),
        ErrorCase(
            "2 values for 3", "PUT", parameters, json: #"{"parameters": {"w": [1, 2, 3, 4, 5, 6], "b": [1, 2]}}"#,
            code: "shape_mismatch", mentions: ["\"b\"", "2", "3"]),
        ErrorCase(
            "float32 overflow", "PUT", parameters,
            json: #"{"parameters": {"w": [1, 2, 3, 4, 5, 6], "b": [1, 2, 4e38]}}"#,
            code: "non_finite_value", mentions: ["\"b\""]),
        ErrorCase(
            "binary NaN", "PUT", parameters, body: binaryGradients(.nan, at: 4), headers: binary,
            code: "non_finite_value", mentions: ["\"w\""]),
        ErrorCase(
            "binary infinity in b", "PUT", parameters, body: binaryGradients(.infinity, at: 8), headers: binary,
            code: "non_finite_value", mentions: ["\"b\""]),
        ErrorCase(
            "binary too short", "PUT", parameters, body: [1, 2, 3], headers: binary, code: "shape_mismatch",
            mentions: ["3", "36"]),
        ErrorCase(
            "member values", "PUT", parameters, json: #"{"values": {"b": [1, 2, 3]}}"#, code: "unknown_field",
            mentions: ["values"]),
        ErrorCase(
            "text/csv", "PUT", parameters, json: "1,2,3", headers: [("Content-Type", "text/csv")], status: 415,
            code: "unsupported_media_type", mentions: ["text/csv"]),
        ErrorCase(
            "NaN token", "PUT", parameters, json: #"{"parameters": {"w": [NaN]}}"#, status: 400, code: "invalid_json"),
        ErrorCase(
            "stale If-Match", "PUT", parameters, json: #"{"parameters": {"w": [1, 2, 3, 4, 5, 6], "b": [1, 2, 3]}}"#,
            headers: json + [("If-Match", "\"stale\"")], status: 412, code: "precondition_failed"),
        ErrorCase(
            "GET with Accept text/html", "GET", parameters, headers: [("Accept", "text/html")], status: 406,
            code: "not_acceptable", mentions: ["text/html"]),
        ErrorCase(
            "POST on parameters", "POST", parameters, json: "{}", status: 405, code: "method_not_allowed",
            expectedHeader: ("Allow", "GET, HEAD, PUT")),
    ]

    static let patchCases: [ErrorCase] = [
        ErrorCase(
            "unknown hyperparameter lrr", "PATCH", session, json: #"{"optimizer": {"lrr": 0.1}}"#,
            code: "unknown_hyperparameter", mentions: ["lrr", "\"lr\""]),
        ErrorCase(
            "implementation switch foreach", "PATCH", session, json: #"{"optimizer": {"foreach": true}}"#,
            code: "unknown_hyperparameter", mentions: ["foreach", "fused"]),
        ErrorCase(
            "negative lr", "PATCH", session, json: #"{"optimizer": {"lr": -1}}"#, code: "invalid_hyperparameter",
            mentions: ["lr", "-1"]),
        ErrorCase(
            "betas[1] = 1.5", "PATCH", session, json: #"{"optimizer": {"betas": [0.9, 1.5]}}"#,
            code: "invalid_hyperparameter", mentions: ["betas[1]", "1.5"]),
        ErrorCase(
            "valid lr then invalid eps", "PATCH", session, json: #"{"optimizer": {"lr": 0.5, "eps": -1}}"#,
            code: "invalid_hyperparameter", mentions: ["eps"]),
        ErrorCase(
            "type change", "PATCH", session, json: #"{"optimizer": {"type": "sgd"}}"#, code: "invalid_hyperparameter",
            mentions: ["type", "sgd"]),
        ErrorCase(
            "dtype member", "PATCH", session, json: #"{"dtype": "float64"}"#, code: "unknown_field", mentions: ["dtype"]
        ),
        ErrorCase(
            "valid name then unknown member", "PATCH", session, json: #"{"name": "x", "schedule": null}"#,
            code: "unknown_field", mentions: ["schedule"]),
        ErrorCase(
            "optimizer is a number", "PATCH", session, json: #"{"optimizer": 1}"#, code: "invalid_field",
            mentions: ["optimizer"]),
        ErrorCase("empty patch", "PATCH", session, json: "{}", code: "invalid_field"),
        ErrorCase(
            "name of 257 bytes", "PATCH", session, json: "{\"name\": \"\(String(repeating: "n", count: 257))\"}",
            code: "invalid_field", mentions: ["name", "257"]),
        ErrorCase(
            "binary patch", "PATCH", session, json: "{}", headers: [("Content-Type", "application/octet-stream")],
            status: 415, code: "unsupported_media_type", mentions: ["application/json"]),
        ErrorCase(
            "invalid JSON", "PATCH", session, json: #"{"optimizer": {"lr": .5}}"#, status: 400, code: "invalid_json"),
        ErrorCase(
            "stale If-Match", "PATCH", session, json: #"{"optimizer": {"lr": 0.5}}"#,
            headers: json + [("If-Match", "\"stale\"")], status: 412, code: "precondition_failed"),
        ErrorCase(
            "stale If-Match on DELETE", "DELETE", session, headers: [("If-Match", "\"stale\", \"older\"")], status: 412,
            code: "precondition_failed"),
        ErrorCase(
            "POST on a session", "POST", session, json: "{}", status: 405, code: "method_not_allowed",
            expectedHeader: ("Allow", "GET, HEAD, DELETE, PATCH")),
        ErrorCase(
            "GET checkpoint of a mistyped id", "GET", "/v1/sessions/{id}0/checkpoint", headers: [], status: 404,
            code: "session_not_found"),
        ErrorCase(
            "step on a mistyped id", "POST", "/v1/sessions/X{id}/step", json: #"{"gradients": {"b": [1, 2, 3]}}"#,
            status: 404, code: "session_not_found"),
    ]

    /// A float32 Adam session with state: two steps, the first with `Idempotency-Key: setup-key`.
    static func prepare(_ client: some TestHTTPClient) throws -> String {
        let id = try client.createSession(Specs.adam)
        #expect(try client.step(id, Specs.adamGradients, headers: [("Idempotency-Key", "setup-key")]).status == 200)
        #expect(try client.step(id, ["w": [[0.5, 0.5, 0.5], [1, 1, 1]]]).status == 200)
        return id
    }

    /// Runs `errorCase` against a prepared session, in memory, and requires the session to be unchanged.
    static func check(_ errorCase: ErrorCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try withRouterClient { client, _ in
            try verify(errorCase, client, sourceLocation: sourceLocation) { _ in client }
        }
    }

    /// `check` over a live connection.
    static func checkLive(_ errorCase: ErrorCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try withClient { client, _ in
            // A server that rejects a request before reading its body may close the connection, but
            // then it must say so.
            try verify(errorCase, client, sourceLocation: sourceLocation) { r in
                r.header("Connection")?.lowercased() == "close" ? try HTTPClient(port: client.port) : client
            }
        }
    }

    /// Prepares a session and another, runs `errorCase`, then checks both with the client `next`
    /// gives for the error's response.
    static func verify(
        _ errorCase: ErrorCase, _ client: some TestHTTPClient, sourceLocation: SourceLocation,
        next: (TestResponse) throws -> any TestHTTPClient
    ) throws {
        do {
            let id = try prepare(client)
            let other = try client.createSession(Specs.small())
            let before = try client.snapshot(id)
            let otherBefore = try client.snapshot(other)
            let r = try errorCase.run(client, id: id, sourceLocation: sourceLocation)
            let client = try next(r)
            let after = try client.snapshot(id)
            #expect(after == before, "the session changed: \(before) → \(after)", sourceLocation: sourceLocation)
            #expect(try client.snapshot(other) == otherBefore, sourceLocation: sourceLocation)
            #expect(try client.sessionIDs() == [id, other], sourceLocation: sourceLocation)
            // The next step is step 3: nothing was counted.
            let next = try client.step(id, ["b": [1, 1, 1]])
            #expect(try next.json()["step"]?.int == 3, "\(next)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: stepCases) func stepErrorLeavesTheSessionUnchanged(_ errorCase: ErrorCase) throws {
        try Self.check(errorCase)
    }

    @Test(arguments: httpLayerCases) func httpLayerErrorLeavesTheSessionUnchanged(_ errorCase: ErrorCase) throws {
        try Self.checkLive(errorCase)
    }

    @Test(arguments: parametersCases) func parametersErrorLeavesTheSessionUnchanged(_ errorCase: ErrorCase) throws {
        try Self.check(errorCase)
    }

    @Test(arguments: patchCases) func sessionErrorLeavesTheSessionUnchanged(_ errorCase: ErrorCase) throws {
        try Self.check(errorCase)
    }

    @Test func stepOnAnUnknownSessionIs404AndNamesTheId() throws {
        try withRouterClient { client, _ in
            let id = try Self.prepare(client)
            let before = try client.snapshot(id)
            let missing = UUIDText.random
            expectProblem(
                try client.step(missing, ["b": [1, 2, 3]]), status: 404, code: "session_not_found", mentions: [missing])
            expectProblem(
                try client.request("PATCH", "/v1/sessions/\(missing)", json: ["optimizer": ["lr": 1]]), status: 404,
                code: "session_not_found")
            expectProblem(
                try client.request("PUT", "/v1/sessions/\(missing)/parameters", json: ["parameters": ["b": [1]]]),
                status: 404, code: "session_not_found")
            expectProblem(
                try client.get("/v1/sessions/not-an-id"), status: 404, code: "session_not_found",
                mentions: ["not-an-id"])
            #expect(try client.snapshot(id) == before)
        }
    }

    @Test func scheduleExhaustedChangesNothing() throws {
        try withRouterClient { client, _ in
            let id = try client.createSession([
                "optimizer": ["type": "adam", "lr": 0.01],
                "schedule": ["type": "one_cycle", "max_lr": 0.1, "total_steps": 2],
                "parameters": ["w": [1, 2, 3]],
            ])
            #expect(try client.step(id, ["w": [1, 1, 1]]).status == 200)
            #expect(try client.step(id, ["w": [1, 1, 1]]).status == 200)
            let before = try client.snapshot(id)
            expectProblem(
                try client.step(id, ["w": [1, 1, 1]]), status: 422, code: "schedule_exhausted", mentions: ["3", "2"])
            expectProblem(
                try client.request(
                    "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/octet-stream")],
                    body: LittleEndian.bytes([Float(1), 1, 1])),
                status: 422, code: "schedule_exhausted")
            #expect(try client.snapshot(id) == before)
        }
    }

    @Test func unknownPathsAndMethodsAreProblems() throws {
        try withRouterClient { client, _ in
            expectProblem(try client.get("/v2/sessions"), status: 404, code: "not_found", mentions: ["/v2/sessions"])
            expectProblem(try client.get("/"), status: 404, code: "not_found")
            let put = try client.request(
                "PUT", "/v1/sessions", headers: [("Content-Type", "application/json")], body: [])
            expectProblem(put, status: 405, code: "method_not_allowed", mentions: ["PUT"])
            #expect(put.header("Allow") == "GET, HEAD, POST")
            let delete = try client.request("DELETE", "/v1/optimizers")
            expectProblem(delete, status: 405, code: "method_not_allowed")
            #expect(delete.header("Allow") == "GET, HEAD")
            let healthz = try client.request(
                "POST", "/healthz", headers: [("Content-Type", "application/json")], body: [])
            #expect(healthz.header("Allow") == "GET, HEAD")
        }
    }
}
