import Foundation
import OptimizerService
import Testing
import TestSupport

/// Regression tests for the hardening findings: requests that crashed, hung or outgrew optd, and
/// acknowledgements that were untrue (docs/limits.md). Each failed before its fix.
@Suite struct HardeningLiveTests {
    static let sgd: JSON = ["type": "sgd", "lr": 0.1]

    /// `[1, 1, …]` of `rank` ones.
    static func ones(_ rank: Int) -> JSON { .array([JSON](repeating: .int(1), count: rank)) }

    /// `value` nested `depth` arrays deep: `[[[value]]]`.
    static func nested(_ value: JSON, depth: Int) -> JSON {
        var out = value
        for _ in 0..<depth { out = .array([out]) }
        return out
    }

    // MARK: 1. Deep shapes

    /// A 70,000-dimension shape crashed the JSON writer (stack overflow) on the next GET; now every
    /// way in refuses more than 32 dimensions, and 32 round-trip through every JSON route.
    @Test func shapesOfMoreThan32DimensionsAreRefusedAndThe32DimensionOnesRoundTrip() throws {
        try withClient { client, _ in
            let create = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": Self.sgd, "parameters": ["w": ["shape": Self.ones(70_000)]],
                ])
            expectProblem(create, status: 422, code: "invalid_parameters", mentions: ["70000", "32"])
            let restore = try client.post(
                "/v1/sessions",
                json: [
                    "checkpoint": [
                        "format": "optd-checkpoint/1", "step": 0, "optimizer": Self.sgd,
                        "parameters": [["name": "w", "shape": Self.ones(33), "data": [0.5]]],
                    ]
                ])
            expectProblem(restore, status: 422, code: "invalid_parameters", mentions: ["33", "32"])
            #expect(try client.sessionIDs().isEmpty)

            let id = try client.createSession(["optimizer": Self.sgd, "parameters": ["w": ["shape": Self.ones(32)]]])
            let step = try client.step(id, ["w": Self.nested(.int(1), depth: 32)])
            #expect(step.status == 200, "\(step)")
            #expect(try step.json()["parameters"]?["w"] == Self.nested(.number(-0.1), depth: 32))
            let parameters = try client.get("/v1/sessions/\(id)/parameters")
            #expect(try parameters.json()["parameters"]?["w"] == Self.nested(.number(-0.1), depth: 32))
            let put = try client.request(
                "PUT", "/v1/sessions/\(id)/parameters",
                json: [
                    "parameters": ["w": Self.nested(.number(0.25), depth: 32)]
                ])
            #expect(put.status == 200, "\(put)")
        }
    }

    // MARK: 2. Huge steps

    /// Restoring step 8e15 with a schedule never returned (the lr was replayed from step 0); a summary at
    /// step 2e9 took seconds. Now the lr comes from the closed form and every request answers at once.
    @Test(
        arguments: [
            ["type": "exponential", "gamma": 0.999],
            ["type": "step", "step_size": 3, "gamma": 0.5],
            ["type": "cosine_annealing", "t_max": 1000],
            ["type": "multi_step", "milestones": [1, 5, 10], "gamma": 0.5],
            ["type": "cosine_annealing_warm_restarts", "t_0": 10, "t_mult": 2],
        ] as [JSON])
    func aCheckpointAtAHugeStepRestoresAndStepsAtOnce(schedule: JSON) throws {
        try withClient { client, _ in
            for step in ["2000000000", "8000000000000000"] {
                let r = try client.post(
                    "/v1/sessions",
                    json: [
                        "checkpoint": [
                            "format": "optd-checkpoint/1", "step": .number(step), "optimizer": Self.sgd,
                            "schedule": schedule,
                            "parameters": [["name": "w", "shape": [2], "data": [0.5, -0.5]]],
                        ]
                    ])
                #expect(r.status == 201, "\(r)")
                let id = try #require(try r.json()["id"]?.string)
                let summary = try client.get("/v1/sessions/\(id)")
                #expect(summary.status == 200)
                #expect(try summary.json()["step"]?.numberText == step)
                let stepped = try client.step(id, ["w": [1, 1]])
                #expect(stepped.status == 200, "\(stepped)")
            }
        }
    }

    /// A checkpoint carries the schedule's position (`last_lr`), so a restored session continues the
    /// recursive lr sequence bit for bit, without replaying it.
    @Test func aRestoredSessionContinuesTheLrSequenceExactly() throws {
        try withClient { client, _ in
            let spec: JSON = [
                "optimizer": ["type": "sgd", "lr": 0.1],
                "schedule": ["type": "cosine_annealing", "t_max": 7, "eta_min": 0.001],
                "parameters": ["w": [0.5, -0.5]],
            ]
            let id = try client.createSession(spec)
            for _ in 0..<5 { _ = try client.step(id, ["w": [0.1, 0.2]]) }
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
            let lastLR = try #require(checkpoint["last_lr"]?.array)
            #expect(lastLR.count == 1)
            #expect(lastLR.first == (try client.get("/v1/sessions/\(id)").json()["lr"]))
            let restored = try client.createSession(["checkpoint": checkpoint])
            for _ in 0..<3 {
                let a = try client.step(id, ["w": [0.1, 0.2]])
                let b = try client.step(restored, ["w": [0.1, 0.2]])
                #expect(a.header("Optd-Lr") == b.header("Optd-Lr"))
                #expect(try a.json()["parameters"] == (try b.json()["parameters"]))
            }
        }
    }

    /// The schedule's position is durable: a session restored at step 8e15 comes back from its data
    /// directory at once, with the same lr (the snapshot carries `last_lr`), and steps.
    @Test func aHugeStepSessionRestartsFromItsDataDirectoryAtOnce() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("optd-huge-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let (id, summary) = try withClient({ $0.dataDirectory = data.path }) { client, _ in
            let r = try client.post(
                "/v1/sessions",
                json: [
                    "checkpoint": [
                        "format": "optd-checkpoint/1", "step": .number("8000000000000000"), "optimizer": Self.sgd,
                        "schedule": ["type": "cosine_annealing", "t_max": 1000],
                        "parameters": [["name": "w", "shape": [2], "data": [0.5, -0.5]]],
                    ]
                ])
            let id = try #require(try r.json()["id"]?.string)
            #expect(try client.step(id, ["w": [1, 1]]).status == 200)
            return (id, try client.get("/v1/sessions/\(id)").json().removing("updated_at"))
        }
        try withClient({ $0.dataDirectory = data.path }) { (client, _) throws -> Void in
            #expect(try client.get("/v1/sessions/\(id)").json().removing("updated_at") == summary)
            #expect(try client.step(id, ["w": [1, 1]]).status == 200)
        }
    }

    // MARK: 4. Zero-size dimensions

    /// `[10000000, 0]` holds no element but its JSON is ten million empty arrays: the arrays count
    /// against `--max-parameters`, so no response outgrows what the limit allows.
    @Test func zeroSizeDimensionsCountTheirJSONArraysAgainstTheParameterLimit() throws {
        try withClient({ $0.maxParametersPerSession = 1000 }) { client, _ in
            let r = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": Self.sgd, "parameters": ["a": ["shape": [600, 0]], "b": ["shape": [600, 0]]],
                ])
            expectProblem(r, status: 422, code: "limit_exceeded", mentions: ["1202", "1000"])
            let id = try client.createSession(["optimizer": Self.sgd, "parameters": ["a": ["shape": [998, 0]]]])
            let parameters = try client.get("/v1/sessions/\(id)/parameters").json()
            #expect(parameters["parameters"]?["a"]?.array?.count == 998)
        }
    }

    // MARK: 5. What the memory budget counts

    /// The reserved bytes of one session created with `spec` in a fresh service.
    static func reservedBytes(
        _ spec: JSON, _ configure: (inout ServiceConfiguration) -> Void = { _ in }
    )
        throws -> Int
    {
        try withClient(configure) { client, _ in
            _ = try client.createSession(spec)
            return try Self.gauge(client, "optd_session_state_bytes")
        }
    }

    static func gauge(_ client: HTTPClient, _ name: String) throws -> Int {
        let line = try client.get("/metrics").text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
    }

    /// Empty tensors with long names cost memory (989 MiB of RSS for 0 reserved bytes before): each
    /// tensor, its name and the idempotency keys are counted.
    @Test func tensorsNamesAndIdempotencyKeysCountAgainstTheBudget() throws {
        let name = String(repeating: "n", count: 240)
        var parameters: [(key: String, value: JSON)] = []
        for i in 0..<2000 { parameters.append(("\(name)\(i)", ["shape": [0]])) }
        let spec: JSON = ["optimizer": Self.sgd, "parameters": .object(parameters)]
        let bytes = try Self.reservedBytes(spec) { $0.idempotencyKeysPerSession = 0 }
        #expect(bytes >= 2000 * (320 + 2 * 240), "\(bytes) bytes reserved for 2,000 named tensors")
        let withKeys = try Self.reservedBytes(spec) { $0.idempotencyKeysPerSession = 1000 }
        #expect(withKeys - bytes == 1000 * 400)
        try withClient({
            $0.memoryBudgetBytes = bytes - 1; $0.idempotencyKeysPerSession = 0
        }) { client, _ in
            let r = try client.post("/v1/sessions", json: spec)
            expectProblem(r, status: 507, code: "limit_exceeded")
            #expect(LimitLiveTests.limit(r) == "memory_budget")
        }
    }

    /// PATCH turning on RMSprop's momentum and centering adds two state tensors: counted before they
    /// are allocated, so a PATCH past the budget is a 507 that changes nothing.
    @Test func aPatchThatAddsStateIsCountedAndRefusedPastTheBudget() throws {
        let spec: JSON = [
            "optimizer": ["type": "rmsprop", "lr": 0.01],
            "parameters": ["w": ["shape": [100_000]]],
        ]
        let bytes = try Self.reservedBytes(spec)
        try withClient({ $0.memoryBudgetBytes = bytes + 500_000 }) { client, _ in
            let id = try client.createSession(spec)
            _ = try client.step(id, ["w": .numbers([Double](repeating: 0.5, count: 100_000))])
            let before = try client.snapshot(id, withCheckpoint: false)
            let r = try client.request(
                "PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["momentum": 0.9, "centered": true]])
            expectProblem(r, status: 507, code: "limit_exceeded", mentions: ["800000"])
            #expect(LimitLiveTests.limit(r) == "memory_budget")
            #expect(try client.snapshot(id, withCheckpoint: false) == before)
            // One tensor (400,000 bytes) fits.
            let momentum = try client.request("PATCH", "/v1/sessions/\(id)", json: ["optimizer": ["momentum": 0.9]])
            #expect(momentum.status == 200, "\(momentum)")
            #expect(try Self.gauge(client, "optd_session_state_bytes") == bytes + 400_000)
        }
    }

    /// A JSON response is counted before it is built; the same parameters in binary need no lease.
    @Test func aJSONResponseThatDoesNotFitIs507AndBinaryStillWorks() throws {
        let spec: JSON = ["optimizer": Self.sgd, "parameters": ["w": ["shape": [200_000]]]]
        let bytes = try Self.reservedBytes(spec)
        try withClient({ $0.memoryBudgetBytes = bytes + 1_000_000 }) { client, _ in
            let id = try client.createSession(spec)
            let json = try client.get("/v1/sessions/\(id)/parameters")
            expectProblem(json, status: 507, code: "limit_exceeded", mentions: ["octet-stream"])
            let binary = try client.get(
                "/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
            #expect(binary.status == 200)
            #expect(binary.body.count == 800_000)
            #expect(try Self.gauge(client, "optd_request_memory_bytes") == 0, "leases are given back")
        }
    }

    // MARK: 7. A DELETE that cannot remove the files

    static let canMakeImmutable: Bool = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("optd-chattr-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else {
            return false
        }
        defer {
            _ = try? run("/usr/bin/chattr", ["-i", dir.path])
            try? FileManager.default.removeItem(at: dir)
        }
        return (try? run("/usr/bin/chattr", ["+i", dir.path])) == 0
    }()

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// DELETE answered 204 although the files stayed (the session came back after a restart). Now a
    /// failure to remove them is a 500 that keeps the session, and it is still there after a restart.
    @Test(.enabled(if: canMakeImmutable, "needs chattr +i (root on ext4 or xfs), as CI has"))
    func aDeleteWhoseFilesCannotBeRemovedIs500AndTheSessionStays() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("optd-delete-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let id = try withClient({ $0.dataDirectory = data.path }) { client, _ in
            let id = try client.createSession(Specs.small())
            _ = try client.step(id, ["w": [1, 2, 3]])
            let before = try client.snapshot(id)
            let directory = data.appendingPathComponent("sessions/\(id)").path
            try Self.run("/usr/bin/chattr", ["+i", directory])
            defer { _ = try? Self.run("/usr/bin/chattr", ["-i", directory]) }
            let r = try client.request("DELETE", "/v1/sessions/\(id)")
            expectProblem(r, status: 500, code: "storage_failure", mentions: [id])
            #expect(try client.snapshot(id) == before)
            #expect(try client.step(id, ["w": [1, 2, 3]]).status == 200)
            return id
        }
        try withClient({ $0.dataDirectory = data.path }) { (client, _) throws -> Void in
            #expect(try client.sessionIDs() == [id])
            #expect(try client.request("DELETE", "/v1/sessions/\(id)").status == 204)
            #expect(try client.sessionIDs().isEmpty)
        }
    }

    // MARK: 8. Numerics a session can reach

    /// torch divides by a one_cycle phase's length; an empty phase made every parameter NaN.
    @Test(arguments: [(2, 0.5, false), (4, 0.25, true), (10, 1.0, false)])
    func aOneCycleScheduleWithAnEmptyPhaseIsRefused(total: Int, pct: Double, threePhase: Bool) throws {
        try withClient { client, _ in
            let r = try client.post(
                "/v1/sessions",
                json: [
                    "optimizer": Self.sgd, "parameters": ["w": [1, 2]],
                    "schedule": [
                        "type": "one_cycle", "max_lr": 0.1, "total_steps": .int(total), "pct_start": .number(pct),
                        "three_phase": .bool(threePhase),
                    ],
                ])
            expectProblem(r, status: 422, code: "invalid_hyperparameter", mentions: ["pct_start"])
        }
    }

    /// Sessions that overflow as torch would (NaN, infinities, negative running averages, an infinite
    /// lr) restore from their own checkpoints exactly.
    @Test(
        arguments: [
            ["optimizer": ["type": "sgd", "lr": 1e308], "parameters": ["w": [1, -2, 3]]],
            [
                "optimizer": ["type": "sgd", "lr": 0.1], "schedule": ["type": "exponential", "gamma": 1e308],
                "parameters": ["w": [1, -2, 3]],
            ],
            ["optimizer": ["type": "adam", "lr": 0.1, "eps": 0], "parameters": ["w": [1, -2, 3]]],
            ["optimizer": ["type": "rmsprop", "lr": 0.01, "alpha": 2], "parameters": ["w": [1, -2, 3]]],
            ["optimizer": ["type": "rprop", "lr": 0.01, "step_sizes": [5, -5]], "parameters": ["w": [1, -2, 3]]],
        ] as [JSON])
    func everyCheckpointASessionCanReachRestoresExactly(spec: JSON) throws {
        try withClient { client, _ in
            let id = try client.createSession(spec)
            for gradient: JSON in [[0, 0, 0], [1, 2, 3], [0, 0, 0], [-3, 1, 2]] {
                #expect(try client.step(id, ["w": gradient]).status == 200)
            }
            let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint")
            let restored = try client.post("/v1/sessions", json: ["checkpoint": try checkpoint.json()])
            #expect(restored.status == 201, "\(restored)")
            let copy = try #require(try restored.json()["id"]?.string)
            #expect(try client.get("/v1/sessions/\(copy)/checkpoint").body == checkpoint.body)
            // Equal values; a NaN restores as NaN (its sign and payload bits are not kept).
            let binary: [(String, String)] = [("Accept", "application/octet-stream")]
            let a = LittleEndian.floats(try client.get("/v1/sessions/\(copy)/parameters", headers: binary).body)
            let b = LittleEndian.floats(try client.get("/v1/sessions/\(id)/parameters", headers: binary).body)
            #expect(a.count == b.count)
            #expect(zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(a) \(b)")
        }
    }
}
