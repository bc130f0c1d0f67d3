import Foundation
import OptimizerCore
import Testing
import TestSupport

/// Torch golden trajectories replayed through HTTP: the session is created from the fixture's spec, every
/// step's gradients are posted (JSON, or binary where a step has every gradient), patches go through
/// PATCH, and every answer is compared with an `OptimizerEngine` run in-process on the same inputs
/// (bit-identical: parameters, lr, grad_norm, final checkpoint state) and with torch (float64 relative
/// 1e-10; float32 within the core's parity bound of 4 ULP, measured at unit scale: |mine − torch| ≤
/// 4 · ulp(max(1, |torch|)). Elementwise ULP is the wrong unit for values that cancel to near zero
/// (0.0013 = 0.4 − 0.3987 carries the operands' absolute error, hundreds of its own ULP); the strict
/// elementwise torch check belongs to the core's FixtureParityTests, and the HTTP path is held to bit
/// equality with the core).
@Suite struct NumericParityLiveTests {
    static let float32ULPBound = 4
    static let float64Relative = 1e-10

    /// Cases the replay must include (all fixtures are replayed): a float64 case per optimizer, float32
    /// cases, clipping, param groups, schedules and patches.
    static let requiredCases = [
        "sgd_nesterov_float64", "adam_amsgrad_float64", "adamw_default_float64", "adagrad_lr_decay_float64",
        "rmsprop_centered_momentum_weight_decay_float64", "adadelta_default_float64", "adamax_default_float64",
        "nadam_decoupled_weight_decay_float64", "radam_default_float64", "rprop_custom_float64",
        "lion_weight_decay_float64",
        "adam_default_float32", "sgd_momentum_dampening_float32", "lion_maximize_float32",
        "nadam_momentum_decay_float32",
        "rmsprop_centered_float32", "adagrad_initial_accumulator_value_float32", "adadelta_weight_decay_float32",
        "adamax_maximize_float32", "radam_decoupled_weight_decay_float32", "rprop_maximize_float32",
        "clip_norm2_adam_float32", "clip_norm_inf_adamw_float64", "clip_norm1_sgd_float32", "clip_value_sgd_float64",
        "param_groups_adamw_float32", "param_groups_all_named_adam_float64", "param_groups_sgd_float32",
        "schedule_one_cycle_adam_float32", "schedule_one_cycle_three_phase_sgd_float64",
        "schedule_sequential_adam_float32",
        "schedule_cosine_annealing_warm_restarts_t_mult2_adam_float64",
        "schedule_cosine_annealing_param_groups_adam_float32",
        "schedule_step_sgd_float32", "schedule_polynomial_sgd_float64", "schedule_linear_adam_float32",
        "schedule_exponential_sgd_float64", "schedule_multi_step_adam_float32", "schedule_constant_adam_float64",
        "patch_adam_float32", "patch_rmsprop_float32", "patch_sgd_momentum_float32", "patch_adam_float64",
    ]

    /// How a replay sends its steps.
    enum Mode: Sendable {
        /// Every step as JSON.
        case json
        /// Steps with every gradient as binary (`Accept: application/octet-stream`), the others as JSON.
        case binaryWherePossible
        /// JSON, and the session is replaced by a restore of its checkpoint after this many steps.
        case restoreAfter(Int)
    }

    /// Guards against a replay over no fixture at all (a wrong path gives zero test cases, not a failure).
    @Test func everyFixtureIsFoundAndTheRequiredCasesAreAmongThem() {
        let names = Set(TorchFixture.names())
        #expect(names.count >= 100, "fixtures not found at \(TorchFixture.directory?.path ?? "no bundle")")
        #expect(
            names.isSuperset(of: Self.requiredCases), "missing: \(Set(Self.requiredCases).subtracting(names).sorted())")
        for optimizer in CatalogueRouteTests.optimizerTypes {
            #expect(
                names.contains { $0.hasPrefix(optimizer + "_") && $0.hasSuffix("_float64") },
                "no float64 case for \(optimizer)")
        }
    }

    @Test(arguments: TorchFixture.names()) func jsonStepsMatchTheCoreBitForBitAndTorch(_ name: String) throws {
        let f = try TorchFixture.load(name)
        if f.dtype == "float64" {
            try Self.replay(f, Double.self, mode: .json)
        } else {
            try Self.replay(f, Float.self, mode: .json)
        }
    }

    @Test(arguments: [
        "adam_default_float32", "rprop_default_float64", "clip_norm2_adam_float64", "lion_default_float32",
    ])
    func binaryStepsMatchTheCoreBitForBit(_ name: String) throws {
        let f = try TorchFixture.load(name)
        if f.dtype == "float64" {
            try Self.replay(f, Double.self, mode: .binaryWherePossible)
        } else {
            try Self.replay(f, Float.self, mode: .binaryWherePossible)
        }
    }

    @Test(arguments: [
        "nadam_default_float64", "rprop_default_float32", "adam_amsgrad_float32", "adadelta_default_float64",
        "schedule_one_cycle_sgd_float32", "schedule_sequential_adam_float64", "patch_adam_float64",
    ])
    func aRestoredSessionContinuesBitForBit(_ name: String) throws {
        let f = try TorchFixture.load(name)
        if f.dtype == "float64" {
            try Self.replay(f, Double.self, mode: .restoreAfter(29))
        } else {
            try Self.replay(f, Float.self, mode: .restoreAfter(29))
        }
    }

    /// Replays `f` through a live service and the in-process engine side by side.
    static func replay<S: EngineScalar & LosslessStringConvertible>(_ f: TorchFixture, _: S.Type, mode: Mode) throws {
        try withClient { client, _ in
            var engine = try OptimizerEngine<S>(
                spec: TrainingSpec(f.spec.config),
                layout: ParameterLayout(
                    (f.parameters.array ?? []).map { p in
                        (name: p["name"]?.string ?? "", shape: p["shape"]?.array?.compactMap(\.int) ?? [])
                    }),
                initialValues: (f.parameters.array ?? []).flatMap { ($0["data"]?.flatDoubles ?? []).map { S($0) } })
            let create = try client.post("/v1/sessions", json: f.createBody)
            #expect(create.status == 201, "\(f.name): \(create)")
            var id = try create.json()["id"]?.string ?? ""
            let names = f.parameterNames
            var worstTorch = 0.0
            for (k, step) in f.steps.enumerated() {
                if case .restoreAfter(let n) = mode, k == n {
                    let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint")
                    let restored = try client.post("/v1/sessions", json: ["checkpoint": try checkpoint.json()])
                    #expect(restored.status == 201, "\(f.name): \(restored)")
                    #expect(try restored.json()["step"]?.int == k)
                    _ = try client.request("DELETE", "/v1/sessions/\(id)")
                    id = try restored.json()["id"]?.string ?? ""
                }
                if let patch = step.patch {
                    try engine.update(optimizer: patch.config)
                    let r = try client.request("PATCH", "/v1/sessions/\(id)", json: ["optimizer": patch])
                    #expect(r.status == 200, "\(f.name) step \(k) patch: \(r)")
                }
                // The summary's lr is the one the next step will use.
                if f.name.hasPrefix("schedule_") || f.name.hasPrefix("patch_") || f.name.hasPrefix("param_groups_") {
                    let summary = try client.get("/v1/sessions/\(id)").json()
                    #expect(
                        summary["lr"]?.double == step.lr,
                        "\(f.name) before step \(k): summary lr \(String(describing: summary["lr"]))")
                    #expect(summary["step"]?.int == k)
                }
                let given = step.gradients.members ?? []
                let report = try engine.step(
                    named: given.map { (name: $0.key, values: ($0.value.flatDoubles ?? []).map { S($0) }) })
                let expected = engine.parameters
                var actual: [S] = []
                var lr: Double?
                var gradNorm: Double?
                if case .binaryWherePossible = mode, Set(given.map(\.key)) == Set(names) {
                    var flat: [Double] = []
                    for name in names { flat += step.gradients[name]?.flatDoubles ?? [] }
                    let body =
                        S.self == Float.self ? LittleEndian.bytes(flat.map { Float($0) }) : LittleEndian.bytes(flat)
                    let r = try client.request(
                        "POST", "/v1/sessions/\(id)/step",
                        headers: [
                            ("Content-Type", "application/octet-stream"), ("Accept", "application/octet-stream"),
                        ], body: body)
                    #expect(r.status == 200 && r.contentType == "application/octet-stream", "\(f.name) step \(k): \(r)")
                    #expect(r.header("Optd-Step") == String(k + 1))
                    actual =
                        S.self == Float.self
                        ? LittleEndian.floats(r.body).map { S(Double($0)) } : LittleEndian.doubles(r.body).map { S($0) }
                    lr = r.header("Optd-Lr").flatMap(Double.init)
                    gradNorm = r.header("Optd-Grad-Norm").flatMap(Double.init)
                } else {
                    let r = try client.post("/v1/sessions/\(id)/step", json: ["gradients": step.gradients])
                    #expect(r.status == 200, "\(f.name) step \(k): \(r)")
                    let body = try r.json()
                    #expect(body["step"]?.int == k + 1)
                    for name in names {
                        actual += (body["parameters"]?[name]?.flatTexts ?? []).compactMap { S($0) }
                    }
                    lr = body["lr"]?.double
                    gradNorm = body["grad_norm"]?.double
                }
                // Bit-identical with the core: the HTTP path adds nothing and loses nothing.
                #expect(actual.count == expected.count, "\(f.name) step \(k): \(actual.count) values")
                let differing = zip(actual, expected).filter { !bitEqual($0, $1) }.count
                #expect(
                    differing == 0, "\(f.name) step \(k): \(differing) parameters differ from the in-process engine")
                #expect(lr == report.lr, "\(f.name) step \(k): lr \(String(describing: lr)) vs core \(report.lr)")
                #expect(
                    gradNorm == report.gradNorm,
                    "\(f.name) step \(k): grad_norm \(String(describing: gradNorm)) vs \(report.gradNorm)")
                // And close to torch: the same lr, the pre-clip norm within the fixture's float32 reduction
                // noise (README: 1-2 ULP) or 1e-12 relative in float64.
                #expect(lr == step.lr, "\(f.name) step \(k): lr \(String(describing: lr)) vs torch \(step.lr)")
                if let gradNorm {
                    if S.self == Float.self {
                        #expect(
                            ulpDistance(Float(gradNorm), Float(step.gradNorm)) <= 2,
                            "\(f.name) step \(k): grad_norm \(gradNorm) vs torch \(step.gradNorm)")
                    } else {
                        #expect(
                            relativeError(gradNorm, step.gradNorm) <= 1e-12,
                            "\(f.name) step \(k): grad_norm \(gradNorm) vs torch \(step.gradNorm)")
                    }
                }
                var offset = 0
                for name in names {
                    let torch = (step.parameters[name]?.flatDoubles ?? []).map { S($0) }
                    let mine = Array(actual[min(offset, actual.count)..<min(offset + torch.count, actual.count)])
                    worstTorch = max(worstTorch, tensorDistance(mine, torch))
                    offset += torch.count
                }
            }
            if S.self == Float.self {
                #expect(
                    worstTorch <= Double(float32ULPBound),
                    "\(f.name): \(worstTorch) ULP (of the tensor's scale) from torch")
            } else {
                #expect(worstTorch <= float64Relative, "\(f.name): relative error \(worstTorch) from torch")
            }
            try compareFinalState(f, client: client, id: id, engine: engine)
        }
    }

    /// The checkpoint's state equals the engine's bit for bit, and torch's within the tolerance.
    static func compareFinalState<S: EngineScalar & LosslessStringConvertible>(
        _ f: TorchFixture, client: HTTPClient, id: String, engine: OptimizerEngine<S>
    ) throws {
        let checkpoint = try client.get("/v1/sessions/\(id)/checkpoint").json()
        #expect(checkpoint["step"]?.int == f.steps.count)
        let state = checkpoint["state"] ?? [:]
        let core = engine.checkpoint().states
        #expect(state.keys == core.map(\.name), "\(f.name): state parameters \(state.keys)")
        #expect(Set(state.keys) == Set(f.finalState.keys), "\(f.name): torch has state for \(f.finalState.keys)")
        for parameter in core {
            let mine = state[parameter.name] ?? [:]
            #expect(mine.keys == parameter.entries.map(\.name), "\(f.name).\(parameter.name): \(mine.keys)")
            #expect(
                Set(mine.keys) == Set(f.finalState[parameter.name]?.keys ?? []),
                "\(f.name).\(parameter.name) torch names")
            for entry in parameter.entries {
                let texts = mine[entry.name]?.flatTexts ?? []
                let values = texts.compactMap { S($0) }
                switch entry.value {
                case .count(let n): #expect(mine[entry.name]?.int == n, "\(f.name).\(parameter.name).\(entry.name)")
                case .scalar(let x):
                    #expect(values.count == 1 && bitEqual(values[0], x), "\(f.name).\(parameter.name).\(entry.name)")
                case .tensor(let xs):
                    #expect(
                        values.count == xs.count && zip(values, xs).allSatisfy { bitEqual($0, $1) },
                        "\(f.name).\(parameter.name).\(entry.name) differs from the in-process engine")
                }
                let torch = (f.finalState[parameter.name]?[entry.name]?.flatDoubles ?? []).map { S($0) }
                #expect(torch.count == values.count, "\(f.name).\(parameter.name).\(entry.name) count")
                let worst = tensorDistance(values, torch)
                #expect(
                    worst <= (S.self == Float.self ? Double(float32ULPBound) : float64Relative),
                    "\(f.name).\(parameter.name).\(entry.name): \(worst) from torch")
            }
        }
    }

    static func bitEqual<S: EngineScalar>(_ a: S, _ b: S) -> Bool {
        if let x = a as? Float, let y = b as? Float { return x.bitPattern == y.bitPattern }
        if let x = a as? Double, let y = b as? Double { return x.bitPattern == y.bitPattern }
        return false
    }

    /// float64: the worst elementwise relative error. float32: the worst `worstScaledULP`.
    static func tensorDistance<S: EngineScalar>(_ mine: [S], _ torch: [S]) -> Double {
        guard mine.count == torch.count else { return .infinity }
        if let a = mine as? [Float], let b = torch as? [Float] { return worstScaledULP(a, b) }
        if let a = mine as? [Double], let b = torch as? [Double] { return zip(a, b).map(relativeError).max() ?? 0 }
        return .infinity
    }

    /// The worst |mine − torch| in units of ulp(max(1, |torch|)).
    static func worstScaledULP(_ mine: [Float], _ torch: [Float]) -> Double {
        zip(mine, torch).map { m, t in
            m.isFinite && t.isFinite ? abs(Double(m) - Double(t)) / Double(max(1, abs(t)).ulp) : .infinity
        }.max() ?? 0
    }
}
