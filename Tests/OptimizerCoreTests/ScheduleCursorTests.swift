import OptimizerCore
import Testing

/// The engine's lr sequence at any step: exact where it was stepped or restored with `last_lr`, and
/// bounded work (replay up to a limit, else the closed form) where it must be rebuilt.
@Suite struct ScheduleCursorTests {
    static func engine(schedule: ConfigValue, lr: Double = 0.1) throws -> OptimizerEngine<Double> {
        let spec = try TrainingSpec(
            .object([
                ("optimizer", .object([("type", .string("sgd")), ("lr", .number(lr))])), ("schedule", schedule),
            ]))
        return try OptimizerEngine<Double>(
            spec: spec, layout: try ParameterLayout([("w", [2])]), initialValues: [1, 2])
    }

    static let cosine: ConfigValue = .object([
        ("type", .string("cosine_annealing")), ("t_max", .number(7)), ("eta_min", .number(0.001)),
    ])

    /// The lr the summary reports is the one the next step uses, and a checkpoint carries it.
    @Test func theLrIsTheNextStepsAndTheCheckpointCarriesIt() throws {
        var e = try Self.engine(schedule: Self.cosine)
        for _ in 0..<5 {
            let next = e.lr
            let report = try e.step(gradients: [0.1, 0.2], present: [true])
            #expect(report.lr == next)
        }
        let c = e.checkpoint()
        #expect(c.lastLR == [e.lr])
        var restored = try OptimizerEngine<Double>(checkpoint: c)
        #expect(restored.lr == e.lr)
        for _ in 0..<4 {
            #expect(
                try restored.step(gradients: [0.1, 0.2], present: [true])
                    == e.step(gradients: [0.1, 0.2], present: [true]))
        }
        #expect(restored.checkpoint() == e.checkpoint())
    }

    /// Without `last_lr`, a restore up to the replay limit rebuilds the recursive sequence exactly.
    @Test func aRestoreWithoutLastLrReplaysShortHistoriesExactly() throws {
        var e = try Self.engine(schedule: Self.cosine)
        for _ in 0..<20 { _ = try e.step(gradients: [0.1, 0.2], present: [true]) }
        var c = e.checkpoint()
        c.lastLR = nil
        #expect(try OptimizerEngine<Double>(checkpoint: c).lr == e.lr)
    }

    /// Far steps come from the closed form (equal up to rounding), in constant time: step 8e15 with a
    /// schedule used to replay from step 0 for ever.
    @Test(arguments: [
        ConfigValue.object([("type", .string("exponential")), ("gamma", .number(0.999))]),
        .object([("type", .string("step")), ("step_size", .number(3)), ("gamma", .number(0.5))]),
        .object([("type", .string("cosine_annealing")), ("t_max", .number(1000))]),
        .object([("type", .string("cosine_annealing_warm_restarts")), ("t_0", .number(10)), ("t_mult", .number(2))]),
        .object([("type", .string("linear")), ("start_factor", .number(0.5)), ("total_iters", .number(10))]),
    ])
    func aFarStepUsesTheClosedForm(schedule: ConfigValue) throws {
        let e = try Self.engine(schedule: schedule)
        let spec = try #require(e.spec.schedule)
        for step in [70_000, 2_000_000_000, 8_000_000_000_000_000] {
            var c = e.checkpoint()
            c.stepCount = step
            c.lastLR = nil
            var restored = try OptimizerEngine<Double>(checkpoint: c)
            #expect(restored.lr == spec.learningRate(base: 0.1, step: step))
            let report = try restored.step(gradients: [0.1, 0.2], present: [true])
            #expect(report.step == step + 1)
        }
    }

    /// A base-lr change repositions the sequence at the current step, not at step 0.
    @Test func aBaseLrChangeKeepsThePosition() throws {
        var e = try Self.engine(schedule: .object([("type", .string("exponential")), ("gamma", .number(0.5))]), lr: 1)
        for _ in 0..<3 { _ = try e.step(gradients: [0.1, 0.2], present: [true]) }
        #expect(e.lr == 0.125)
        try e.update(optimizer: .object([("lr", .number(2))]))
        #expect(e.lr == 0.25)
    }

    /// `last_lr` must hold one lr per group and needs a schedule.
    @Test func lastLrIsChecked() throws {
        let good = try Self.engine(schedule: Self.cosine).checkpoint()
        var twice = good
        twice.lastLR = [0.1, 0.1]
        #expect(throws: OptimizerError.self) { try OptimizerEngine<Double>(checkpoint: twice) }
        var unscheduled = try OptimizerEngine<Double>(
            spec: try TrainingSpec(.object([("optimizer", .object([("type", .string("sgd"))]))])),
            layout: try ParameterLayout([("w", [2])]), initialValues: [1, 2]
        ).checkpoint()
        #expect(unscheduled.lastLR == nil)
        unscheduled.lastLR = [0.1]
        #expect(throws: OptimizerError.self) { try OptimizerEngine<Double>(checkpoint: unscheduled) }
        // Non-finite values are what an overflowing schedule reaches; they restore as they are.
        var infinite = good
        infinite.lastLR = [.infinity]
        #expect(try OptimizerEngine<Double>(checkpoint: infinite).lr == .infinity)
    }

    /// torch divides by a one_cycle phase's length when it reaches the phase.
    @Test(arguments: [(2, 0.5, false), (4, 0.25, true), (10, 1.0, false), (1, 1.0, false)])
    func oneCycleRefusesAnEmptyPhase(total: Int, pct: Double, threePhase: Bool) throws {
        #expect(throws: OptimizerError.self) {
            try ScheduleSpec(
                .object([
                    ("type", .string("one_cycle")), ("max_lr", .number(0.1)), ("total_steps", .number(Double(total))),
                    ("pct_start", .number(pct)), ("three_phase", .bool(threePhase)),
                ]))
        }
        // The same schedule with room in every phase is fine.
        _ = try ScheduleSpec(
            .object([
                ("type", .string("one_cycle")), ("max_lr", .number(0.1)), ("total_steps", .number(Double(total * 10))),
                ("pct_start", .number(0.3)), ("three_phase", .bool(threePhase)),
            ]))
    }

    /// A shape has at most 32 dimensions.
    @Test func aShapeHasAtMost32Dimensions() throws {
        _ = try ParameterLayout([("w", [Int](repeating: 1, count: 32))])
        #expect(throws: OptimizerError.self) { try ParameterLayout([("w", [Int](repeating: 1, count: 33))]) }
        #expect(throws: OptimizerError.self) { try ParameterLayout([("w", [Int](repeating: 1, count: 70_000))]) }
    }
}
