import OptimizerCore
import Testing

@Suite struct OptimizerEngineTests {
    static func engine<S: EngineScalar>(
        _ optimizer: ConfigValue, _ extra: [(String, ConfigValue)] = [],
        shapes: [(String, [Int])] = [("w", [3]), ("b", [2])],
        values: [S]? = nil, as _: S.Type
    ) throws -> OptimizerEngine<S> {
        let spec = try TrainingSpec(
            .object([(key: "optimizer", value: optimizer)] + extra.map { (key: $0.0, value: $0.1) }))
        let layout = try ParameterLayout(shapes)
        return try OptimizerEngine<S>(
            spec: spec, layout: layout,
            initialValues: values ?? (0..<layout.totalCount).map { S($0) * S(0.25) - 1 })
    }

    static func engine(
        _ optimizer: ConfigValue, _ extra: [(String, ConfigValue)] = [],
        shapes: [(String, [Int])] = [("w", [3]), ("b", [2])],
        values: [Float]? = nil
    ) throws -> OptimizerEngine<Float> {
        try engine(optimizer, extra, shapes: shapes, values: values, as: Float.self)
    }

    static func opt(_ type: String, _ members: [(String, ConfigValue)] = []) -> ConfigValue {
        .object([(key: "type", value: .string(type))] + members.map { (key: $0.0, value: $0.1) })
    }

    @Test func firstAdamStepMovesEachParameterByLrTimesSign() throws {
        var e = try Self.engine(Self.opt("adam", [("lr", .number(0.01))]), as: Double.self)
        let before = e.parameters
        let g: [Double] = [0.5, -2, 1e-3, -7, 3]
        let report = try e.step(gradients: g, present: [true, true])
        #expect(report.step == 1)
        #expect(report.lr == 0.01)
        for i in g.indices {
            // m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g).
            let expected = before[i] - 0.01 * g[i] / (abs(g[i]) + 1e-8)
            #expect(abs(e.parameters[i] - expected) < 1e-15)
        }
        #expect(abs(report.gradNorm - (g.map { $0 * $0 }.reduce(0, +)).squareRoot()) < 1e-12)
    }

    @Test func plainSGDStepIsLrTimesGradient() throws {
        var e = try Self.engine(Self.opt("sgd", [("lr", .number(0.5))]), as: Double.self)
        let before = e.parameters
        _ = try e.step(gradients: [1, 2, 3, 4, 5], present: [true, true])
        #expect(e.parameters == zip(before, [1.0, 2, 3, 4, 5]).map { $0 - 0.5 * $1 })
    }

    /// Minimizes f(x) = ½ Σ cᵢ (xᵢ − tᵢ)² from x = 0 (optax's parabola check), for every optimizer.
    @Test(arguments: OptimizerKind.allCases)
    func convergesOnAQuadratic(_ kind: OptimizerKind) throws {
        let settings: [OptimizerKind: [(String, ConfigValue)]] = [
            .sgd: [("lr", .number(0.1)), ("momentum", .number(0.9))],
            .adam: [("lr", .number(0.05))], .adamw: [("lr", .number(0.05)), ("weight_decay", .number(0))],
            .adagrad: [("lr", .number(0.5))], .rmsprop: [("lr", .number(0.01))], .adadelta: [("lr", .number(10))],
            .adamax: [("lr", .number(0.05))], .nadam: [("lr", .number(0.05))], .radam: [("lr", .number(0.05))],
            .rprop: [("lr", .number(0.01))], .lion: [("lr", .number(0.003)), ("weight_decay", .number(0))],
        ]
        let target: [Double] = [1.0, -2.0, 0.5]
        let curvature: [Double] = [1.0, 3.0, 0.5]
        var e = try Self.engine(
            Self.opt(kind.rawValue, settings[kind] ?? []), shapes: [("x", [3])], values: [0, 0, 0], as: Double.self)
        for _ in 0..<2000 {
            let g = (0..<3).map { curvature[$0] * (e.parameters[$0] - target[$0]) }
            _ = try e.step(gradients: g, present: [true])
        }
        for i in 0..<3 { #expect(abs(e.parameters[i] - target[i]) < 0.02, "\(kind) x[\(i)] = \(e.parameters[i])") }
    }

    @Test func parameterWithoutGradientIsSkippedEntirely() throws {
        var e = try Self.engine(Self.opt("adam"))
        _ = try e.step(gradients: [1, 1, 1, 1, 1], present: [true, false])
        let snapshot = e.checkpoint()
        #expect(snapshot.states.map(\.name) == ["w"])
        #expect(Array(e.parameters[3...]) == [-0.25, 0])
        _ = try e.step(gradients: [1, 1, 1, 9, 9], present: [true, false])
        #expect(Array(e.parameters[3...]) == [-0.25, 0])
        _ = try e.step(gradients: [0, 0, 0, 1, 1], present: [false, true])
        let states = e.checkpoint().states
        #expect(states.first { $0.name == "w" }?["step"] == .count(2))
        #expect(states.first { $0.name == "b" }?["step"] == .count(1))
        #expect(e.stepCount == 3)
    }

    @Test func invalidStepsChangeNothing() throws {
        var e = try Self.engine(Self.opt("adam"), [("clip_grad_norm", .object([("max_norm", .number(0.1))]))])
        _ = try e.step(gradients: [1, 2, 3, 4, 5], present: [true, true])
        let before = e.checkpoint()
        #expect(throws: OptimizerError.emptyStep) { try e.step(gradients: [1, 2, 3, 4, 5], present: [false, false]) }
        #expect(throws: OptimizerError.nonFiniteGradient(parameter: "b", index: 1)) {
            try e.step(gradients: [1, 2, 3, 4, .nan], present: [true, true])
        }
        #expect(throws: OptimizerError.nonFiniteGradient(parameter: "w", index: 2)) {
            try e.step(gradients: [1, 2, .infinity, 4, 5], present: [true, true])
        }
        #expect(throws: OptimizerError.shapeMismatch(parameter: "gradients", expected: 5, actual: 4)) {
            try e.step(gradients: [1, 2, 3, 4], present: [true, true])
        }
        #expect(throws: OptimizerError.shapeMismatch(parameter: "b", expected: 2, actual: 3)) {
            try e.step(named: [("b", [1, 2, 3])])
        }
        #expect(throws: OptimizerError.unknownParameter("c")) { try e.step(named: [("c", [1])]) }
        #expect(e.checkpoint() == before)
        // A NaN in a parameter without a gradient this step does not count.
        _ = try e.step(gradients: [1, 2, 3, .nan, 5], present: [true, false])
    }

    @Test func exhaustedOneCycleRefusesTheStep() throws {
        var e = try Self.engine(
            Self.opt("sgd"),
            [
                (
                    "schedule",
                    .object([
                        ("type", .string("one_cycle")), ("max_lr", .number(0.1)),
                        ("total_steps", .number(3)),
                    ])
                )
            ])
        for _ in 0..<3 { _ = try e.step(gradients: [1, 1, 1, 1, 1], present: [true, true]) }
        let before = e.checkpoint()
        #expect(throws: OptimizerError.scheduleExhausted(step: 4, totalSteps: 3)) {
            try e.step(gradients: [1, 1, 1, 1, 1], present: [true, true])
        }
        #expect(e.checkpoint() == before)
    }

    @Test func scheduleDrivesLrAndPatchSetsItsBase() throws {
        var e = try Self.engine(
            Self.opt("sgd", [("lr", .number(1))]),
            [
                (
                    "schedule",
                    .object([
                        ("type", .string("step")),
                        ("step_size", .number(2)), ("gamma", .number(0.5)),
                    ])
                )
            ])
        var lrs: [Double] = []
        for _ in 0..<4 { lrs.append(try e.step(gradients: [0, 0, 0, 0, 0], present: [true, true]).lr) }
        #expect(lrs == [1, 1, 0.5, 0.5])
        #expect(e.lr == 0.25)
        try e.update(optimizer: .object([("lr", .number(8))]))
        #expect(e.lr == 2)
        #expect(e.spec.optimizer.hyperparameters.lr == 8)
        #expect(throws: OptimizerError.self) { try e.update(optimizer: .object([("type", .string("adam"))])) }
    }

    @Test func clippingByNormScalesAllGradientsLikeTorch() throws {
        var e = try Self.engine(
            Self.opt("sgd", [("lr", .number(1))]), [("clip_grad_norm", .object([("max_norm", .number(1))]))],
            values: [0, 0, 0, 0, 0], as: Double.self)
        let report = try e.step(gradients: [3, 0, 0, 4, 0], present: [true, true])
        #expect(report.gradNorm == 5)
        let coefficient = (1 / (5 + 1e-6)) * 1.0
        #expect(e.parameters == [-3 * coefficient, 0, 0, -4 * coefficient, 0])
        // Below max_norm the gradients are still multiplied by max_norm / (total + 1e-6) when that is < 1.
        var f = try Self.engine(
            Self.opt("sgd", [("lr", .number(1))]), [("clip_grad_norm", .object([("max_norm", .number(5))]))],
            values: [0, 0, 0, 0, 0], as: Double.self)
        _ = try f.step(gradients: [3, 0, 0, 4, 0], present: [true, true])
        let belowMax: Double = (1 / (5 + 1e-6)) * 5
        #expect(f.parameters[0] == -3 * belowMax)
        #expect(f.parameters[0] != -3)
    }

    @Test func clippingByValueClampsElements() throws {
        var e = try Self.engine(
            Self.opt("sgd", [("lr", .number(1))]), [("clip_grad_value", .number(0.5))], values: [0, 0, 0, 0, 0],
            as: Double.self)
        _ = try e.step(gradients: [3, -0.25, -9, 0.5, 0], present: [true, true])
        #expect(e.parameters == [-0.5, 0.25, 0.5, -0.5, 0])
    }

    @Test func maximizeAscends() throws {
        var e = try Self.engine(
            Self.opt("sgd", [("lr", .number(1)), ("maximize", .bool(true))]), values: [0, 0, 0, 0, 0], as: Double.self)
        _ = try e.step(gradients: [1, 2, 3, 4, 5], present: [true, true])
        #expect(e.parameters == [1, 2, 3, 4, 5])
    }

    @Test func setParametersKeepsState() throws {
        var e = try Self.engine(
            Self.opt("sgd", [("lr", .number(1)), ("momentum", .number(0.5))]), values: [0, 0, 0, 0, 0], as: Double.self)
        _ = try e.step(gradients: [1, 1, 1, 1, 1], present: [true, true])
        try e.setParameters([10, 10, 10, 10, 10])
        _ = try e.step(gradients: [1, 1, 1, 1, 1], present: [true, true])
        #expect(e.parameters == [8.5, 8.5, 8.5, 8.5, 8.5])  // buffer 1 → 0.5·1 + 1 = 1.5
        #expect(throws: OptimizerError.self) { try e.setParameters([1]) }
    }

    @Test func groupsUseTheirOwnHyperparametersAndLrReportsTheDefaultGroup() throws {
        var e = try Self.engine(
            Self.opt("sgd", [("lr", .number(1))]),
            [("param_groups", .array([.object([("params", .array([.string("b")])), ("lr", .number(0.1))])]))],
            values: [0, 0, 0, 0, 0], as: Double.self)
        let report = try e.step(gradients: [1, 1, 1, 1, 1], present: [true, true])
        #expect(report.lr == 1)
        #expect(e.parameters == [-1, -1, -1, -0.1, -0.1])
        var all = try Self.engine(
            Self.opt("sgd", [("lr", .number(1))]),
            [
                (
                    "param_groups",
                    .array([.object([("params", .array([.string("b"), .string("w")])), ("lr", .number(0.1))])])
                )
            ],
            values: [0, 0, 0, 0, 0], as: Double.self)
        #expect(try all.step(gradients: [1, 1, 1, 1, 1], present: [true, true]).lr == 0.1)
    }

    @Test func largeTensorsGiveTheSameBitsOnAnyThreadCount() throws {
        let n = 300_007
        let values = (0..<n).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
        let g = (0..<n).map { Float(($0 * 104_729) % 997) / 997 - 0.5 }
        var one = try Self.engine(
            Self.opt("adam", [("lr", .number(0.01)), ("amsgrad", .bool(true))]), shapes: [("w", [n])], values: values)
        var two = one
        one.threadCount = 1
        two.threadCount = 4
        for _ in 0..<3 {
            _ = try one.step(gradients: g, present: [true])
            _ = try two.step(gradients: g, present: [true])
        }
        #expect(one.parameters == two.parameters)
        #expect(one.checkpoint() == two.checkpoint())
    }

    @Test func emptyTensorsAndZeroParameterLayoutsAreHandled() throws {
        var e = try Self.engine(Self.opt("adam"), shapes: [("e", [0]), ("w", [2])], values: [1, 2])
        _ = try e.step(gradients: [0.5, 0.5], present: [true, true])
        #expect(e.stepCount == 1)
        var none = try Self.engine(Self.opt("adam"), shapes: [], values: [])
        #expect(throws: OptimizerError.self) { try none.step(gradients: [], present: []) }
    }
}
