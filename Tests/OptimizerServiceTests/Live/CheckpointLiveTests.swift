import Testing
import TestSupport

/// `GET /v1/sessions/{id}/checkpoint`: the documented format, PyTorch's state names, exact values.
@Suite struct CheckpointLiveTests {
    @Test func checkpointHoldsSpecStepParametersAndTorchStateNames() throws {
        try withClient { client, _ in
            let id = try client.createSession(
                Specs.adam.setting("optimizer", ["type": "adam", "lr": 0.01, "amsgrad": true])
                    .setting("schedule", ["type": "step", "step_size": 10]))
            _ = try client.step(id, Specs.adamGradients)
            _ = try client.step(id, ["w": [[1, 1, 1], [1, 1, 1]]])
            let r = try client.get("/v1/sessions/\(id)/checkpoint")
            #expect(r.status == 200)
            #expect(r.contentType == "application/json")
            #expect(r.header("ETag") == (try client.get("/v1/sessions/\(id)").header("ETag")))
            let c = try r.json()
            #expect(c.keys.starts(with: ["format"]))
            #expect(Set(c.keys).isSuperset(of: ["format", "dtype", "step", "optimizer", "parameters", "state"]))
            #expect(c["format"] == "optd-checkpoint/1")
            #expect(c["name"] == "adam-test")
            #expect(c["dtype"] == "float32")
            #expect(c["step"]?.int == 2)
            #expect(c["optimizer"]?["amsgrad"] == true)
            #expect(c["schedule"]?["type"] == "step")
            #expect(c["parameters"]?.array?.compactMap { $0["name"]?.string } == ["w", "b"])
            #expect(c["parameters"]?[0]?["shape"] == [2, 3])
            #expect(
                c["parameters"]?[0]?["data"]?.flatFloats
                    == LittleEndian.floats(
                        try client.get(
                            "/v1/sessions/\(id)/parameters",
                            headers: [("Accept", "application/octet-stream")]
                        ).body
                    ).prefix(6).map { $0 })
            // torch.optim.Adam's state names, per parameter, with per-parameter step counts.
            #expect(c["state"]?["w"]?.keys == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
            #expect(c["state"]?["w"]?["step"]?.int == 2)
            #expect(c["state"]?["b"]?["step"]?.int == 1)
            #expect(c["state"]?["w"]?["exp_avg"]?.flatTexts?.count == 6)
            // After one step from zero state: exp_avg = (1 - beta1) * g exactly as float32 computes it.
            let b = c["state"]?["b"]?["exp_avg"]?.flatFloats ?? []
            #expect(b == [0.1, 0.0, -0.1].map { Float(0.1) * Float($0) }, "\(b)")
        }
    }

    @Test func optimizersWithoutStateHaveNoStateEntries() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.small(optimizer: ["type": "sgd", "lr": 0.1]))
            _ = try client.step(id, ["w": [1, 1, 1]])
            let c = try client.get("/v1/sessions/\(id)/checkpoint").json()
            #expect(c["state"] == [:], "plain SGD keeps no state: \(String(describing: c["state"]))")
            let m = try client.createSession(Specs.small(optimizer: ["type": "sgd", "lr": 0.1, "momentum": 0.9]))
            _ = try client.step(m, ["w": [1, 1, 1]])
            let cm = try client.get("/v1/sessions/\(m)/checkpoint").json()
            #expect(cm["state"]?["w"]?.keys == ["momentum_buffer"])
            #expect(cm["state"]?["b"] == nil)
        }
    }
}
