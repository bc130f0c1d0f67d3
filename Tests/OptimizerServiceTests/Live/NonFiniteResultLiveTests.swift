import Testing
import TestSupport

/// An optimizer can turn finite inputs into infinities or NaN (PyTorch does the same: `lr * g`
/// overflows, `g * g` overflows a float32 second moment). JSON cannot carry them, so the contract
/// (openapi.yaml, `TensorValues`) is: such a value is written as `null` in JSON responses and exactly
/// in the binary format, the `Optd-*` headers write `inf`/`-inf`/`nan`, and a checkpoint writes it as
/// the string `"NaN"`, `"Infinity"` or `"-Infinity"` and restores it (what a session can be in, its
/// checkpoint carries). Nothing else may stand where a number is expected.
@Suite struct NonFiniteResultLiveTests {
    /// True when `value` holds something other than numbers and `null` where numbers are expected.
    static func hasNonNumber(_ value: JSON?) -> Bool {
        switch value {
        case .none: false
        case .number: false
        case .null: false
        case .array(let items): items.contains { hasNonNumber($0) }
        case .object(let members): members.contains { hasNonNumber($0.value) }
        default: true
        }
    }

    /// True when a checkpoint's `value` holds something other than numbers and the three non-finite
    /// strings (a `null` included).
    static func hasNonCheckpointNumber(_ value: JSON?) -> Bool {
        switch value {
        case .none: false
        case .number: false
        case .string(let s): !["NaN", "Infinity", "-Infinity"].contains(s)
        case .array(let items): items.contains { hasNonCheckpointNumber($0) }
        case .object(let members): members.contains { hasNonCheckpointNumber($0.value) }
        default: true
        }
    }

    /// Sends the step and checks the contract above; a refused step must change nothing.
    static func stepKeepsNumbersOrIsRefused(
        _ client: HTTPClient, _ id: String, _ gradients: JSON,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try client.snapshot(id)
        let r = try client.step(id, gradients)
        if r.status == 200 {
            var problems: [String] = []
            let body = try r.json()
            if hasNonNumber(body["lr"]) || hasNonNumber(body["grad_norm"]) || hasNonNumber(body["parameters"]) {
                problems.append("the 200 step answer holds non-numbers other than null: \(body)")
            }
            let values = try client.get("/v1/sessions/\(id)/parameters").json()
            if hasNonNumber(values["parameters"]) { problems.append("GET parameters holds non-numbers: \(values)") }
            if hasNonNumber(try client.get("/v1/sessions/\(id)").json()["lr"]) {
                problems.append("the summary lr is not a number")
            }
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let data = JSON.array((checkpoint["parameters"]?.array ?? []).compactMap { $0["data"] })
            if hasNonCheckpointNumber(checkpoint["state"]) || hasNonCheckpointNumber(data)
                || hasNonCheckpointNumber(checkpoint["last_lr"])
            {
                problems.append("the checkpoint holds something other than numbers and NaN/Infinity/-Infinity")
            }
            let restore = try client.post("/v1/sessions", json: ["checkpoint": checkpoint])
            if restore.status != 201 {
                problems.append("the checkpoint the service gave out does not restore (\(restore.status))")
            } else if let copy = try restore.json()["id"]?.string,
                try client.get("/v1/sessions/\(copy)/checkpoint").body
                    != (try client.get("/v1/sessions/\(id)/checkpoint").body)
            {
                problems.append("the restored session's checkpoint differs from the original's")
            }
            #expect(problems.isEmpty, "\(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
        } else {
            #expect(
                (400..<500).contains(r.status) && r.contentType == "application/problem+json", "\(r)",
                sourceLocation: sourceLocation)
            #expect(
                try client.snapshot(id) == before, "a refused step changed the session", sourceLocation: sourceLocation)
        }
    }

    @Test func sgdWhoseUpdateOverflowsFloat32() throws {
        try withClient { client, _ in
            // Every input is finite in float32; lr * g = 3e68 is not.
            let id = try client.createSession(["optimizer": ["type": "sgd", "lr": 1e30], "parameters": ["w": [1, 2]]])
            try Self.stepKeepsNumbersOrIsRefused(client, id, ["w": [3e38, 3e38]])
        }
    }

    @Test func adamWhoseGradientNormAndSquareOverflowFloat32() throws {
        try withClient { client, _ in
            // ||g|| = 4.2e38 and g * g overflow float32; the parameters themselves stay finite.
            let id = try client.createSession(["optimizer": ["type": "adam"], "parameters": ["w": [1, 2]]])
            try Self.stepKeepsNumbersOrIsRefused(client, id, ["w": [3e38, 3e38]])
        }
    }

    @Test func binaryStepHeadersAreDecimalNumbersEvenWhenTheNormOverflows() throws {
        try withClient { client, _ in
            let id = try client.createSession(["optimizer": ["type": "adam"], "parameters": ["w": [1, 2]]])
            let before = try client.snapshot(id)
            let r = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/octet-stream")],
                body: LittleEndian.bytes([Float(3e38), 3e38]))
            if r.status == 200 {
                // `Optd-Lr` and `Optd-Grad-Norm` are JSON numbers, or `inf`/`-inf`/`nan` when not finite.
                func isNumberText(_ text: String?) -> Bool {
                    guard let text else { return false }
                    return ["inf", "-inf", "nan"].contains(text) || (try? JSON.parse(text))?.numberText != nil
                }
                #expect(
                    isNumberText(r.header("Optd-Grad-Norm")), "Optd-Grad-Norm: \(r.header("Optd-Grad-Norm") ?? "none")")
                #expect(r.header("Optd-Grad-Norm") == "inf", "||[3e38, 3e38]|| overflows float32")
                #expect(isNumberText(r.header("Optd-Lr")), "Optd-Lr: \(r.header("Optd-Lr") ?? "none")")
            } else {
                #expect((400..<500).contains(r.status) && r.contentType == "application/problem+json", "\(r)")
                #expect(try client.snapshot(id) == before)
            }
        }
    }

    @Test func float64SgdWhoseUpdateOverflows() throws {
        try withClient { client, _ in
            let id = try client.createSession([
                "dtype": "float64", "optimizer": ["type": "sgd", "lr": 1e300],
                "parameters": ["w": [1e308]],
            ])
            try Self.stepKeepsNumbersOrIsRefused(client, id, ["w": [-1e308]])
        }
    }

    @Test(arguments: [
        ("adam", "exp_avg_sq"), ("adagrad", "sum"), ("rmsprop", "square_avg"), ("adadelta", "square_avg"),
    ])
    func restoredNegativeSecondMomentsNeverReachJSON(_ optimizer: String, _ state: String) throws {
        try withClient { client, _ in
            let id = try client.createSession(["optimizer": ["type": .string(optimizer)], "parameters": ["w": [1, 2]]])
            _ = try client.step(id, ["w": [1, 1]])
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let w = checkpoint["state"]?["w"] ?? [:]
            // A running average of squares is never negative; torch would take the square root of it.
            let broken = checkpoint.setting(
                "state", (checkpoint["state"] ?? [:]).setting("w", w.setting(state, [-4, -4])))
            let r = try client.post("/v1/sessions", json: ["checkpoint": broken])
            if r.status == 201 {
                try Self.stepKeepsNumbersOrIsRefused(client, try r.json()["id"]?.string ?? "", ["w": [1, 1]])
            } else {
                expectProblem(r, status: 422, code: "invalid_checkpoint", mentions: [state])
            }
        }
    }
}
