import Foundation
import Testing
import TestSupport

/// `POST /v1/sessions` (every parameter form, restore), `GET /v1/sessions`, `GET|PATCH|DELETE
/// /v1/sessions/{id}` over a live socket.
@Suite struct SessionRoutesLiveTests {
    /// GET parameters as JSON.
    static func parameters(_ client: HTTPClient, _ id: String) throws -> JSON {
        let r = try client.get("/v1/sessions/\(id)/parameters", headers: [("Accept", "application/json")])
        #expect(r.status == 200, "\(r)")
        return try r.json()["parameters"] ?? .null
    }

    @Test func createFromNestedArraysAnswers201WithLocationETagAndSummary() throws {
        try withClient { client, _ in
            let r = try client.post("/v1/sessions", json: Specs.adam)
            #expect(r.status == 201, "\(r)")
            let s = try r.json()
            let id = s["id"]?.string ?? ""
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "id \(id)")
            #expect(r.header("Location") == "/v1/sessions/\(id)")
            let etag = r.header("ETag") ?? ""
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count > 2, "ETag \(etag)")
            #expect(s["name"] == "adam-test")
            #expect(s["dtype"] == "float32")
            #expect(s["step"]?.int == 0)
            #expect(s["lr"]?.double == 0.01)
            #expect(
                s["optimizer"] == [
                    "type": "adam", "lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0,
                    "amsgrad": false, "maximize": false, "decoupled_weight_decay": false,
                ])
            #expect(s["schedule"] == .null && s["clip_grad_norm"] == .null && s["clip_grad_value"] == .null)
            #expect(s["param_groups"] == [])
            #expect(
                s["parameters"] == [
                    ["name": "w", "shape": [2, 3], "offset": 0, "count": 6],
                    ["name": "b", "shape": [3], "offset": 6, "count": 3],
                ])
            #expect(s["parameter_count"]?.int == 9)
            let created = s["created_at"]?.string ?? ""
            #expect(ISO8601DateFormatter().date(from: created) != nil, "created_at \(created)")
            #expect(s["updated_at"]?.string != nil)
            let values = try Self.parameters(client, id)
            #expect(values["w"]?.nestedShape == [2, 3])
            #expect(values["w"]?.flatFloats == [0.1, -0.2, 0.3, 0.0, 0.5, -0.1].map { Float($0) })
            #expect(values["b"]?.flatFloats == [0, 0, 0])
        }
    }

    @Test func createFromExplicitShapeDataAndShapeOnlyZeros() throws {
        try withClient { client, _ in
            let id = try client.createSession([
                "optimizer": ["type": "sgd"],
                "parameters": ["m": ["shape": [2, 2], "data": [1, 2, 3, 4]], "z": ["shape": [2, 1, 3]]],
            ])
            let values = try Self.parameters(client, id)
            #expect(values["m"] == [[1, 2], [3, 4]])
            #expect(values["z"]?.nestedShape == [2, 1, 3])
            #expect(values["z"]?.flatDoubles == [0, 0, 0, 0, 0, 0])
            let summary = try client.get("/v1/sessions/\(id)").json()
            #expect(summary["parameters"]?[1] == ["name": "z", "shape": [2, 1, 3], "offset": 4, "count": 6])
        }
    }

    @Test func createWithScalarParametersInBothForms() throws {
        try withClient { client, _ in
            let id = try client.createSession([
                "optimizer": ["type": "sgd", "lr": 0.5],
                "parameters": ["s": 1.5, "t": ["shape": [], "data": [2.5]], "v": [1]],
            ])
            let summary = try client.get("/v1/sessions/\(id)").json()
            #expect(
                summary["parameters"] == [
                    ["name": "s", "shape": [], "offset": 0, "count": 1],
                    ["name": "t", "shape": [], "offset": 1, "count": 1],
                    ["name": "v", "shape": [1], "offset": 2, "count": 1],
                ])
            let values = try Self.parameters(client, id)
            #expect(values["s"] == 1.5)
            #expect(values["t"] == 2.5)
            #expect(values["v"] == [1])
            // A scalar gradient is a bare number (or a one-element flat array).
            let r = try client.step(id, ["s": 1, "t": [2]])
            #expect(r.status == 200, "\(r)")
            #expect(try r.json()["parameters"] == ["s": 1, "t": 1.5, "v": [1]])
        }
    }

    @Test func layoutFollowsTheWrittenKeyOrderAndTheArrayOrder() throws {
        try withClient { client, _ in
            let object = try client.createSession([
                "optimizer": ["type": "sgd"], "parameters": ["zeta": [1], "alpha": [2, 3], "mid": 4],
            ])
            let s1 = try client.get("/v1/sessions/\(object)").json()
            #expect(s1["parameters"]?.array?.compactMap { $0["name"]?.string } == ["zeta", "alpha", "mid"])
            #expect(s1["parameters"]?.array?.compactMap { $0["offset"]?.int } == [0, 1, 3])
            #expect(try Self.parameters(client, object).keys == ["zeta", "alpha", "mid"])
            let array = try client.createSession([
                "optimizer": ["type": "sgd"],
                "parameters": [
                    ["name": "y", "shape": [2], "data": [5, 6]], ["name": "b", "shape": [1, 2]],
                    ["name": "a", "shape": [], "data": [7]],
                ],
            ])
            let s2 = try client.get("/v1/sessions/\(array)").json()
            #expect(s2["parameters"]?.array?.compactMap { $0["name"]?.string } == ["y", "b", "a"])
            // Binary parameters follow the layout.
            let binary = try client.get(
                "/v1/sessions/\(array)/parameters", headers: [("Accept", "application/octet-stream")])
            #expect(LittleEndian.floats(binary.body) == [5, 6, 0, 0, 7])
        }
    }

    @Test func numbersAreRoundedToTheSessionDtypeAndWrittenShortest() throws {
        try withClient { client, _ in
            let values: [Double] = [0.1, 16_777_217, 1e-40, 3.141592653589793, -0.0]
            let f32 = try client.createSession(["optimizer": ["type": "sgd"], "parameters": ["p": .numbers(values)]])
            let f64 = try client.createSession([
                "dtype": "float64", "optimizer": ["type": "sgd"], "parameters": ["p": .numbers(values)],
            ])
            let p32 = try Self.parameters(client, f32)["p"]?.flatTexts ?? []
            let p64 = try Self.parameters(client, f64)["p"]?.flatTexts ?? []
            // Each text reads back to the dtype value of the nearest double, with no more significant
            // digits than the shortest text that does (Swift's `description` is shortest).
            #expect(p32.compactMap(Float.init) == values.map { Float($0) })
            #expect(p64.compactMap(Double.init) == values)
            for (text, v) in zip(p32, values.map { Float($0) }) {
                #expect(
                    Self.significantDigits(text) == Self.significantDigits("\(v)"), "float32 \(v) written as \(text)")
            }
            for (text, v) in zip(p64, values) {
                #expect(
                    Self.significantDigits(text) == Self.significantDigits("\(v)"), "float64 \(v) written as \(text)")
            }
            #expect(p32.first == "0.1")
            #expect(p64.first == "0.1")
            #expect(Float(p32[1]) == 16_777_216, "16777217 rounds to 16777216 in float32: \(p32[1])")
            #expect(Double(p64[1]) == 16_777_217)
            #expect(Float(p32[4])?.sign == .minus, "-0.0 keeps its sign: \(p32[4])")
        }
    }

    /// The number of significant decimal digits of a number's text (`0.00120` → 2, `1.5e-7` → 2).
    static func significantDigits(_ text: String) -> Int {
        let mantissa = text.lowercased().split(separator: "e").first.map(String.init) ?? text
        var digits = mantissa.filter(\.isNumber)
        while digits.hasPrefix("0") { digits.removeFirst() }
        while digits.hasSuffix("0") { digits.removeLast() }
        return max(digits.count, 1)
    }

    @Test func omittedHyperparametersTakeTorchDefaultsAndSpecMembersAreEchoed() throws {
        try withClient { client, _ in
            let r = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": ["type": "adamw"],
                    "schedule": ["type": "cosine_annealing", "t_max": 100],
                    "clip_grad_norm": ["max_norm": 1.0],
                    "param_groups": [["params": ["b"], "weight_decay": 0]],
                    "parameters": ["w": [1, 2], "b": [3]],
                ])
            #expect(r.status == 201, "\(r)")
            let s = try r.json()
            #expect(s["name"] == .null)
            #expect(s["dtype"] == "float32")
            #expect(s["optimizer"]?["weight_decay"] == 0.01)
            #expect(s["optimizer"]?["lr"] == 0.001)
            #expect(s["schedule"]?["type"] == "cosine_annealing")
            #expect(s["schedule"]?["t_max"] == 100)
            #expect(s["schedule"]?["eta_min"] == 0)
            #expect(s["clip_grad_norm"]?["max_norm"] == 1)
            #expect(s["clip_grad_norm"]?["norm_type"] == 2)
            #expect(s["param_groups"]?[0]?["params"] == ["b"])
            #expect(s["param_groups"]?[0]?["weight_decay"] == 0)
            let clipValue = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": ["type": "sgd"], "clip_grad_value": 0.5, "parameters": ["w": [1]],
                ])
            #expect(clipValue.status == 201, "\(clipValue)")
            #expect(try clipValue.json()["clip_grad_value"] == 0.5)
        }
    }

    @Test func listShowsEverySessionOldestFirstAndGetMatchesCreate() throws {
        try withClient { client, _ in
            #expect(try client.get("/v1/sessions").json() == ["sessions": []])
            var ids: [String] = []
            var created: [JSON] = []
            for i in 0..<3 {
                let r = try client.post("/v1/sessions", json: Specs.small().setting("name", .string("s\(i)")))
                created.append(try r.json())
                ids.append(try r.json()["id"]?.string ?? "")
            }
            let list = try client.get("/v1/sessions")
            #expect(list.status == 200)
            let sessions = try list.json()["sessions"]?.array ?? []
            #expect(sessions.compactMap { $0["id"]?.string } == ids)
            #expect(sessions.compactMap { $0["name"]?.string } == ["s0", "s1", "s2"])
            for (summary, made) in zip(sessions, created) {
                #expect(summary == made, "list entry differs from the create answer")
            }
            let one = try client.get("/v1/sessions/\(ids[1])")
            #expect(one.status == 200)
            #expect(one.header("ETag") != nil)
            #expect(try one.json() == created[1])
        }
    }

    @Test func patchChangesHyperparametersAndNameAndTheNextStepUsesThem() throws {
        try withClient { client, _ in
            let create = try client.post("/v1/sessions", json: Specs.small(optimizer: ["type": "sgd", "lr": 0.5]))
            let id = try create.json()["id"]?.string ?? ""
            let r = try client.request(
                "PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["lr": 0.25], "name": "renamed"])
            #expect(r.status == 200, "\(r)")
            let s = try r.json()
            #expect(s["optimizer"]?["lr"] == 0.25)
            #expect(s["lr"] == 0.25)
            #expect(s["name"] == "renamed")
            #expect(s["step"]?.int == 0)
            #expect(r.header("ETag") != nil && r.header("ETag") != create.header("ETag"))
            // SGD: w - 0.25 * g, exact in binary floating point.
            let step = try client.step(id, ["w": [4, 4, 4]])
            #expect(try step.json()["lr"] == 0.25)
            #expect(try step.json()["parameters"]?["w"] == [-0.5, -2, 1])
            // The optimizer type may be repeated but not changed.
            let same = try client.request(
                "PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["type": "sgd", "momentum": 0.5]])
            #expect(same.status == 200, "\(same)")
            #expect(try same.json()["optimizer"]?["momentum"] == 0.5)
            // null clears the name.
            let cleared = try client.request("PATCH", "/v1/sessions/\(id)", json: ["name": nil])
            #expect(try cleared.json()["name"] == .null)
        }
    }

    @Test func patchOfLrWhileAScheduleRunsSetsTheBaseLr() throws {
        try withClient { client, _ in
            // step schedule: lr_k = base * 0.5^k.
            let id = try client.createSession([
                "optimizer": ["type": "sgd", "lr": 1], "schedule": ["type": "step", "step_size": 1, "gamma": 0.5],
                "parameters": ["w": [0]],
            ])
            #expect(try client.step(id, ["w": [1]]).json()["lr"] == 1)
            #expect(try client.step(id, ["w": [1]]).json()["lr"] == 0.5)
            let r = try client.request("PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["lr": 8]])
            #expect(r.status == 200, "\(r)")
            #expect(try r.json()["lr"] == 2, "the next step's lr is 8 * 0.5^2")
            let third = try client.step(id, ["w": [1]]).json()
            #expect(third["lr"] == 2)
            #expect(third["parameters"]?["w"] == [-3.5])
        }
    }

    @Test func patchChangesOnlyTheDefaultGroupAndTheReportedLrFollowsTheContract() throws {
        try withClient { client, _ in
            // SGD: w in the default group (lr 1), b in a group with lr 0.5.
            let id = try client.createSession([
                "optimizer": ["type": "sgd", "lr": 1], "param_groups": [["params": ["b"], "lr": 0.5]],
                "parameters": ["w": [0], "b": [0]],
            ])
            #expect(try client.request("PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["lr": 0.25]]).status == 200)
            let r = try client.step(id, ["w": [4], "b": [4]]).json()
            #expect(r["lr"] == 0.25, "lr is the default group's")
            #expect(r["parameters"] == ["w": [-1], "b": [-2]], "the group's own lr is kept")
            // With every parameter in a group, the reported lr is the first group's.
            let named = try client.createSession([
                "optimizer": ["type": "sgd", "lr": 1],
                "param_groups": [["params": ["b"], "lr": 0.125], ["params": ["w"], "lr": 0.5]],
                "parameters": ["w": [0], "b": [0]],
            ])
            #expect(try client.get("/v1/sessions/\(named)").json()["lr"] == 0.125)
            let s = try client.step(named, ["w": [1], "b": [1]]).json()
            #expect(s["lr"] == 0.125)
            #expect(s["parameters"] == ["w": [-0.5], "b": [-0.125]])
        }
    }

    @Test func zeroSizedParametersAndUnusualNamesWork() throws {
        try withClient { client, _ in
            let id = try client.createSession([
                "name": "a\"b\\c\n☃\u{1}", "optimizer": ["type": "adam"],
                "parameters": ["e": ["shape": [0, 5]], "θ \"q\"": [1], "a.b[0]": 2],
            ])
            let summary = try client.get("/v1/sessions/\(id)").json()
            #expect(summary["name"] == "a\"b\\c\n☃\u{1}")
            #expect(summary["parameters"]?.array?.compactMap { $0["name"]?.string } == ["e", "θ \"q\"", "a.b[0]"])
            #expect(summary["parameters"]?[0]?["count"]?.int == 0)
            #expect(summary["parameter_count"]?.int == 2)
            let step = try client.step(id, ["e": [], "θ \"q\"": [1]])
            #expect(step.status == 200, "\(step)")
            #expect(try step.json()["parameters"]?["e"] == [])
            let binary = try client.request(
                "POST", "/v1/sessions/\(id)/step", headers: [("Content-Type", "application/octet-stream")],
                body: LittleEndian.bytes([Float(1), 1]))
            #expect(binary.status == 200)
            #expect(binary.body.count == 8)
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            #expect(try client.post("/v1/sessions", json: ["checkpoint": checkpoint]).status == 201)
        }
    }

    @Test func threeHundredParametersKeepTheirWrittenOrder() throws {
        try withClient { client, _ in
            // Written in descending order: a parser that sorts or hashes keys would change the layout.
            let members: [(key: String, value: JSON)] = (0..<300).reversed().map { ("p\($0)", .numbers([Double($0)])) }
            let id = try client.createSession(["optimizer": ["type": "sgd"], "parameters": .object(members)])
            let layout = try client.get("/v1/sessions/\(id)").json()["parameters"]?.array ?? []
            #expect(layout.compactMap { $0["name"]?.string } == members.map(\.key))
            #expect(layout.compactMap { $0["offset"]?.int } == Array(0..<300))
            let binary = try client.get(
                "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
            #expect(LittleEndian.floats(binary.body) == (0..<300).reversed().map { Float($0) })
        }
    }

    @Test func deleteAnswers204AndTheSessionIsGone() throws {
        try withClient { client, _ in
            let keep = try client.createSession(Specs.small())
            let id = try client.createSession(Specs.adam)
            _ = try client.step(id, Specs.adamGradients)
            let r = try client.request("DELETE", "/v1/sessions/\(id)")
            #expect(r.status == 204)
            #expect(r.body.isEmpty)
            expectProblem(try client.get("/v1/sessions/\(id)"), status: 404, code: "session_not_found", mentions: [id])
            expectProblem(try client.get("/v1/sessions/\(id)/parameters"), status: 404, code: "session_not_found")
            expectProblem(try client.get("/v1/sessions/\(id)/checkpoint"), status: 404, code: "session_not_found")
            expectProblem(try client.step(id, Specs.adamGradients), status: 404, code: "session_not_found")
            expectProblem(try client.request("DELETE", "/v1/sessions/\(id)"), status: 404, code: "session_not_found")
            #expect(try client.sessionIDs() == [keep])
            let metrics = try client.get("/metrics").text
            #expect(metrics.contains("\noptd_sessions 1\n"))
            #expect(metrics.contains("\noptd_parameters 5\n"))
        }
    }

    @Test func deleteWithAMatchingIfMatchDeletes() throws {
        try withClient { client, _ in
            let create = try client.post("/v1/sessions", json: Specs.small())
            let id = try create.json()["id"]?.string ?? ""
            let r = try client.request(
                "DELETE", "/v1/sessions/\(id)", headers: [("If-Match", create.header("ETag") ?? "")])
            #expect(r.status == 204, "\(r)")
            #expect(try client.sessionIDs().isEmpty)
            let star = try client.createSession(Specs.small())
            #expect(try client.request("DELETE", "/v1/sessions/\(star)", headers: [("If-Match", "*")]).status == 204)
        }
    }

    @Test func restoreFromACheckpointContinuesBitIdentically() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.adam)
            let grads: [JSON] = (0..<3).map { k in
                [
                    "w": .numbers((0..<6).map { Double($0 + k) * 0.037 - 0.1 }),
                    "b": .numbers([0.3, -0.2 * Double(k), 0.05]),
                ]
            }
            for g in grads { #expect(try client.step(id, g).status == 200) }
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint")
            #expect(checkpoint.status == 200)
            let r = try client.post("/v1/sessions", json: ["checkpoint": try checkpoint.json()])
            #expect(r.status == 201, "\(r)")
            let restored = try r.json()
            let copy = restored["id"]?.string ?? ""
            #expect(copy != id && !copy.isEmpty)
            #expect(r.header("Location") == "/v1/sessions/\(copy)")
            #expect(restored["step"]?.int == 3)
            #expect(restored["name"] == "adam-test")
            #expect(restored["optimizer"] == (try client.get("/v1/sessions/\(id)").json()["optimizer"]))
            // The same next steps give the same bits on both.
            for k in 0..<4 {
                let g: JSON = ["w": .numbers((0..<6).map { Double($0 * k) * 0.011 }), "b": .numbers([0.1, 0.2, -0.3])]
                let a = try client.step(id, g)
                let b = try client.step(copy, g)
                #expect(a.status == 200 && b.status == 200)
                #expect(try a.json() == b.json(), "step \(k + 4) differs after restore")
            }
            let checkpointA = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let checkpointB = try client.get("/v1/sessions/\(copy)/checkpoint").json()
            #expect(checkpointA == checkpointB)
            // A restore may rename.
            let renamed = try client.post("/v1/sessions", json: ["name": "copy", "checkpoint": try checkpoint.json()])
            #expect(try renamed.json()["name"] == "copy")
            #expect(try renamed.json()["step"]?.int == 3)
        }
    }

    @Test func restoreOfAFloat64SessionKeepsItsDtypeAndBits() throws {
        try withClient { client, _ in
            let id = try client.createSession(
                Specs.adam.setting("dtype", "float64").setting("optimizer", ["type": "nadam"]))
            for k in 0..<2 {
                _ = try client.step(id, ["w": .numbers([0.1, 0.2, 0.3, 0.4, 0.5, 0.6].map { $0 * Double(k + 1) })])
            }
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            #expect(checkpoint["dtype"] == "float64")
            let copy = try client.createSession(["checkpoint": checkpoint])
            let g: JSON = ["w": .numbers([1e-3, -2e-3, 3e-3, 0, 0.5, 1 / 3]), "b": .numbers([0.7, 0.8, 0.9])]
            let a = try client.step(id, g)
            let b = try client.step(copy, g)
            #expect(try a.json() == b.json())
            let binA = try client.get(
                "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
            let binB = try client.get(
                "/v1/sessions/\(copy)/parameters", headers: [("Accept", "application/octet-stream")])
            #expect(binA.body.count == 9 * 8)
            #expect(binA.body == binB.body)
        }
    }
}
