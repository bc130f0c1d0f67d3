import Testing
import TestSupport

/// Every error `POST /v1/sessions` can produce (spec and restore), each checked for status,
/// problem+json, code and a detail naming the field, and for leaving the registry exactly as it was:
/// the same sessions, the same gauges (a failed create releases what it reserved), and a valid create
/// still works afterwards.
@Suite struct CreateErrorLiveTests {
    static let path = "/v1/sessions"

    /// A valid body with `optimizer` replaced.
    static func spec(optimizer: String, extra: String = "", parameters: String = #"{"w": [1, 2], "b": [3]}"#) -> String
    {
        #"{"optimizer": \#(optimizer)\#(extra), "parameters": \#(parameters)}"#
    }

    static let cases: [ErrorCase] = [
        ErrorCase(
            "optimizer adamm", "POST", path, json: spec(optimizer: #"{"type": "adamm"}"#), code: "unknown_optimizer",
            mentions: ["adamm", "\"adam\""]),
        ErrorCase(
            "optimizer without type", "POST", path, json: spec(optimizer: #"{"lr": 0.1}"#),
            code: "invalid_hyperparameter",
            mentions: ["type"]),
        ErrorCase(
            "schedule cosine", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "schedule": {"type": "cosine"}"#),
            code: "unknown_schedule", mentions: ["cosine"]),
        ErrorCase(
            "schedule argument etamin", "POST", path,
            json: spec(
                optimizer: #"{"type": "sgd"}"#,
                extra: #", "schedule": {"type": "cosine_annealing", "t_max": 5, "etamin": 0.1}"#),
            code: "unknown_hyperparameter", mentions: ["etamin", "eta_min"]),
        ErrorCase(
            "schedule without its required t_max", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "schedule": {"type": "cosine_annealing"}"#),
            code: "invalid_hyperparameter", mentions: ["t_max"]),
        ErrorCase(
            "hyperparameter lrr", "POST", path, json: spec(optimizer: #"{"type": "adam", "lrr": 0.1}"#),
            code: "unknown_hyperparameter", mentions: ["lrr", "\"lr\""]),
        ErrorCase(
            "hyperparameter beta1", "POST", path, json: spec(optimizer: #"{"type": "adam", "beta1": 0.8}"#),
            code: "unknown_hyperparameter", mentions: ["beta1", "betas"]),
        ErrorCase(
            "SGD has no betas", "POST", path, json: spec(optimizer: #"{"type": "sgd", "betas": [0.9, 0.99]}"#),
            code: "unknown_hyperparameter", mentions: ["betas"]),
        ErrorCase(
            "switch foreach", "POST", path, json: spec(optimizer: #"{"type": "adam", "foreach": false}"#),
            code: "unknown_hyperparameter", mentions: ["foreach", "fused"]),
        ErrorCase(
            "switch fused", "POST", path, json: spec(optimizer: #"{"type": "adamw", "fused": true}"#),
            code: "unknown_hyperparameter", mentions: ["fused"]),
        ErrorCase(
            "switch capturable", "POST", path, json: spec(optimizer: #"{"type": "adam", "capturable": true}"#),
            code: "unknown_hyperparameter", mentions: ["capturable", "fused"]),
        ErrorCase(
            "switch differentiable", "POST", path, json: spec(optimizer: #"{"type": "sgd", "differentiable": false}"#),
            code: "unknown_hyperparameter", mentions: ["differentiable", "fused"]),
        ErrorCase(
            "betas[1] = 1.2", "POST", path, json: spec(optimizer: #"{"type": "adam", "betas": [0.9, 1.2]}"#),
            code: "invalid_hyperparameter", mentions: ["betas[1]", "1.2"]),
        ErrorCase(
            "lr = -0.1", "POST", path, json: spec(optimizer: #"{"type": "sgd", "lr": -0.1}"#),
            code: "invalid_hyperparameter", mentions: ["lr", "-0.1"]),
        ErrorCase(
            "lr is a string", "POST", path, json: spec(optimizer: #"{"type": "sgd", "lr": "0.1"}"#),
            code: "invalid_hyperparameter", mentions: ["lr"]),
        ErrorCase(
            "nesterov without momentum", "POST", path, json: spec(optimizer: #"{"type": "sgd", "nesterov": true}"#),
            code: "invalid_hyperparameter", mentions: ["nesterov"]),
        ErrorCase(
            "rprop etas reversed", "POST", path, json: spec(optimizer: #"{"type": "rprop", "etas": [1.2, 0.5]}"#),
            code: "invalid_hyperparameter", mentions: ["etas"]),
        ErrorCase(
            "both clippings", "POST", path,
            json: spec(
                optimizer: #"{"type": "sgd"}"#, extra: #", "clip_grad_norm": {"max_norm": 1}, "clip_grad_value": 1"#),
            code: "invalid_hyperparameter", mentions: ["clip_grad_value", "clip_grad_norm"]),
        ErrorCase(
            "norm_type 3", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "clip_grad_norm": {"max_norm": 1, "norm_type": 3}"#),
            code: "invalid_hyperparameter", mentions: ["norm_type"]),
        ErrorCase(
            "group names an unknown parameter", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "param_groups": [{"params": ["zz"], "lr": 1}]"#),
            code: "unknown_parameter", mentions: ["zz"]),
        ErrorCase(
            "parameter in two groups", "POST", path,
            json: spec(
                optimizer: #"{"type": "sgd"}"#,
                extra: #", "param_groups": [{"params": ["b"]}, {"params": ["w", "b"], "lr": 1}]"#),
            code: "invalid_hyperparameter", mentions: ["\"b\""]),
        ErrorCase(
            "group hyperparameter lrr", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "param_groups": [{"params": ["b"], "lrr": 1}]"#),
            code: "unknown_hyperparameter", mentions: ["param_groups[0].lrr"]),
        ErrorCase(
            "member colour", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "colour": "red""#),
            code: "unknown_field", mentions: ["colour"]),
        ErrorCase(
            "dtype float16", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "dtype": "float16""#),
            code: "invalid_field", mentions: ["dtype", "float16"]),
        ErrorCase(
            "no parameters", "POST", path, json: #"{"optimizer": {"type": "sgd"}}"#, code: "invalid_field",
            mentions: ["parameters"]),
        ErrorCase("empty body object", "POST", path, json: "{}", code: "invalid_field", mentions: ["optimizer"]),
        ErrorCase("body is an array", "POST", path, json: "[1]", code: "invalid_field"),
        ErrorCase(
            "optimizer given twice", "POST", path,
            json: #"{"optimizer": {"type": "sgd"}, "optimizer": {"type": "adam"}, "parameters": {"w": [1]}}"#,
            code: "invalid_field", mentions: ["optimizer"]),
        ErrorCase(
            "name is a number", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#, extra: #", "name": 5"#),
            code: "invalid_field", mentions: ["name"]),
        ErrorCase(
            "name of 257 bytes", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, extra: ", \"name\": \"\(String(repeating: "é", count: 129))\""),
            code: "invalid_field", mentions: ["name", "258"]),
        ErrorCase(
            "duplicate parameter names", "POST", path,
            json: spec(
                optimizer: #"{"type": "sgd"}"#,
                parameters: #"[{"name": "w", "shape": [1]}, {"name": "w", "shape": [2]}]"#),
            code: "invalid_parameters", mentions: ["\"w\""]),
        ErrorCase(
            "empty parameter name", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"": [1]}"#),
            code: "invalid_parameters"),
        ErrorCase(
            "parameter name of 257 bytes", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: "{\"\(String(repeating: "p", count: 257))\": [1]}"),
            code: "invalid_parameters", mentions: ["256"]),
        ErrorCase(
            "3 data values for shape [2]", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": {"shape": [2], "data": [1, 2, 3]}}"#),
            code: "invalid_parameters", mentions: ["\"w\"", "[2]", "3"]),
        ErrorCase(
            "negative dimension", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": {"shape": [2, -1]}}"#),
            code: "invalid_parameters", mentions: ["\"w\""]),
        ErrorCase(
            "fractional dimension", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": {"shape": [1.5]}}"#),
            code: "invalid_parameters", mentions: ["\"w\""]),
        ErrorCase(
            "no parameter at all", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#, parameters: "{}"),
            code: "invalid_parameters", mentions: ["parameters"]),
        ErrorCase(
            "array entry without a name", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"[{"shape": [1]}]"#),
            code: "invalid_parameters", mentions: ["name"]),
        ErrorCase(
            "object entry without a shape", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": {"data": [1]}}"#),
            code: "invalid_parameters", mentions: ["\"w\"", "shape"]),
        ErrorCase(
            "ragged nested values", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": [[1, 2], [3]]}"#),
            code: "invalid_parameters", mentions: ["\"w\""]),
        ErrorCase(
            "nested data", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": {"shape": [2, 1], "data": [[1], [2]]}}"#),
            code: "invalid_parameters", mentions: ["\"w\""]),
        ErrorCase(
            "member dat", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": {"shape": [1], "dat": [1]}}"#),
            code: "unknown_field", mentions: ["dat"]),
        ErrorCase(
            "parameter is a string", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": "1"}"#), code: "invalid_parameters",
            mentions: ["\"w\""]),
        ErrorCase(
            "float32 overflow", "POST", path,
            json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": [1, 2], "b": [3.5e38]}"#),
            code: "non_finite_value", mentions: ["\"b\""]),
        ErrorCase(
            "float64 overflow", "POST", path,
            json: spec(
                optimizer: #"{"type": "sgd"}"#, extra: #", "dtype": "float64""#,
                parameters: #"{"w": {"shape": [2], "data": [1, 1e309]}}"#),
            code: "non_finite_value", mentions: ["\"w\""]),
        ErrorCase(
            "NaN token", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#, parameters: #"{"w": [NaN]}"#),
            status: 400, code: "invalid_json"),
        ErrorCase(
            "trailing comma", "POST", path, json: #"{"optimizer": {"type": "sgd"}, "parameters": {"w": [1]},}"#,
            status: 400, code: "invalid_json"),
        ErrorCase("empty body", "POST", path, json: "", status: 400, code: "invalid_json"),
        ErrorCase(
            "text/plain", "POST", path, json: spec(optimizer: #"{"type": "sgd"}"#),
            headers: [("Content-Type", "text/plain")], status: 415, code: "unsupported_media_type",
            mentions: ["text/plain", "application/json", "Content-Type: application/json"]),
        ErrorCase(
            "binary create", "POST", path, body: [0, 0, 0, 0], headers: [("Content-Type", "application/octet-stream")],
            status: 415, code: "unsupported_media_type", mentions: ["application/octet-stream"]),
        ErrorCase(
            "restore of a bare number", "POST", path, json: #"{"checkpoint": 5}"#, code: "invalid_checkpoint",
            mentions: ["checkpoint"]),
    ]

    /// The registry as the API shows it: session ids and the gauges of `/metrics`.
    static func registry(_ client: HTTPClient) throws -> [String] {
        let gauges = try client.get("/metrics").text.split(separator: "\n").filter {
            $0.hasPrefix("optd_sessions ") || $0.hasPrefix("optd_parameters ")
                || $0.hasPrefix("optd_session_state_bytes ")
        }.map(String.init)
        return try client.sessionIDs() + gauges
    }

    static func check(_ errorCase: ErrorCase, id: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        try withClient { client, _ in
            let existing = try client.createSession(Specs.adam)
            let snapshot = try client.snapshot(existing)
            let before = try registry(client)
            let r = try errorCase.run(client, id: id, sourceLocation: sourceLocation)
            let client = r.header("Connection")?.lowercased() == "close" ? try HTTPClient(port: client.port) : client
            #expect(try registry(client) == before, "the registry changed", sourceLocation: sourceLocation)
            #expect(try client.snapshot(existing) == snapshot, sourceLocation: sourceLocation)
            #expect(try client.post(path, json: Specs.small()).status == 201, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: cases) func createErrorAddsNoSession(_ errorCase: ErrorCase) throws {
        try Self.check(errorCase)
    }

    /// A way to break a real checkpoint, with the problem it must cause.
    struct CheckpointMutation: CustomTestStringConvertible, Sendable {
        var name: String
        var mutate: @Sendable (JSON) -> JSON
        var code: String
        var mentions: [String]
        var testDescription: String { name }

        init(_ name: String, _ mutate: @escaping @Sendable (JSON) -> JSON, _ code: String, _ mentions: [String]) {
            self.name = name
            self.mutate = mutate
            self.code = code
            self.mentions = mentions
        }
    }

    /// Broken variants of a real checkpoint (Adam after two steps).
    static let checkpointMutations: [CheckpointMutation] = [
        CheckpointMutation(
            "another format", { $0.setting("format", "optd-checkpoint/9") }, "invalid_checkpoint", ["format"]),
        CheckpointMutation("no format", { $0.removing("format") }, "invalid_checkpoint", ["format"]),
        CheckpointMutation("no step", { $0.removing("step") }, "invalid_checkpoint", ["step"]),
        CheckpointMutation("negative step", { $0.setting("step", -1) }, "invalid_checkpoint", ["step"]),
        CheckpointMutation("no parameters", { $0.removing("parameters") }, "invalid_checkpoint", ["parameters"]),
        CheckpointMutation(
            "parameter without data",
            { c in
                c.setting("parameters", .array((c["parameters"]?.array ?? []).map { $0.removing("data") }))
            }, "invalid_checkpoint", ["\"w\""]),
        CheckpointMutation(
            "state tensor too short",
            { c in
                let w = c["state"]?["w"] ?? .null
                return c.setting("state", (c["state"] ?? .null).setting("w", w.setting("exp_avg", [0.5])))
            }, "invalid_checkpoint", ["exp_avg"]),
        CheckpointMutation(
            "unknown state name",
            { c in
                let w = c["state"]?["w"] ?? .null
                return c.setting(
                    "state", (c["state"] ?? .null).setting("w", w.setting("momentum_buffer", [1, 2, 3, 4, 5, 6])))
            }, "invalid_checkpoint", ["momentum_buffer"]),
        CheckpointMutation(
            "state for an unknown parameter",
            { c in
                c.setting("state", (c["state"] ?? .null).setting("zz", ["step": 1]))
            }, "invalid_checkpoint", ["zz"]),
        CheckpointMutation("unknown member", { $0.setting("colour", "red") }, "unknown_field", ["colour"]),
        CheckpointMutation(
            "unknown optimizer", { $0.setting("optimizer", ["type": "adamm"]) }, "unknown_optimizer", ["adamm"]),
        // An overflowing state value would make every later step non-finite; like a parameter value it
        // must be refused (`invalid_checkpoint` or `non_finite_value`).
        CheckpointMutation(
            "float32 overflow in a state tensor",
            { c in
                let w = c["state"]?["w"] ?? .null
                return c.setting(
                    "state",
                    (c["state"] ?? .null).setting("w", w.setting("exp_avg_sq", .numbers([1, 1, 1, 1, 1, 1e39]))))
            }, "invalid_checkpoint", ["exp_avg_sq"]),
    ]

    @Test(arguments: checkpointMutations) func brokenCheckpointIsRejected(_ mutation: CheckpointMutation) throws {
        let (name, mutate, code, mentions) = (mutation.name, mutation.mutate, mutation.code, mutation.mentions)
        try withClient { client, _ in
            let id = try client.createSession(Specs.adam)
            _ = try client.step(id, Specs.adamGradients)
            _ = try client.step(id, ["w": [[1, 1, 1], [1, 1, 1]]])
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let before = try Self.registry(client)
            let r = try client.post(Self.path, json: ["checkpoint": mutate(checkpoint)])
            let actual = (try? r.json())?["code"]?.string
            let accepted = code == "invalid_checkpoint" && actual == "non_finite_value" ? "non_finite_value" : code
            let problem = expectProblem(r, status: 422, code: accepted, mentions: mentions)
            #expect(problem != nil, "\(name)")
            #expect(try Self.registry(client) == before, "\(name): the registry changed")
            // The unbroken checkpoint restores.
            #expect(try client.post(Self.path, json: ["checkpoint": checkpoint]).status == 201)
        }
    }

    @Test func restoreWithSpecMembersBesideTheCheckpointIsRejected() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.adam)
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let before = try Self.registry(client)
            expectProblem(
                try client.post(Self.path, json: ["checkpoint": checkpoint, "optimizer": ["type": "sgd"]]), status: 422,
                code: "invalid_field", mentions: ["optimizer"])
            #expect(try Self.registry(client) == before)
        }
    }
}
