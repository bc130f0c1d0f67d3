import Foundation
import OptimizerCore
import Testing

@Suite struct ScheduleSpecTests {
    static func schedule(_ members: [(String, ConfigValue)]) throws(OptimizerError) -> ScheduleSpec {
        try ScheduleSpec(.object(members.map { (key: $0.0, value: $0.1) }))
    }

    @Test func closedFormsFollowTorchFormulas() throws {
        let base = 0.1
        let step = try Self.schedule([("type", .string("step")), ("step_size", .number(10)), ("gamma", .number(0.5))])
        #expect(step.learningRate(base: base, step: 9) == 0.1)
        #expect(step.learningRate(base: base, step: 25) == 0.1 * 0.25)
        let multi = try Self.schedule([
            ("type", .string("multi_step")), ("milestones", .array([.number(5), .number(5), .number(8)])),
        ])
        #expect(abs(multi.learningRate(base: 1, step: 5) - 0.01) < 1e-17)  // duplicates count twice
        #expect(abs(multi.learningRate(base: 1, step: 8) - 0.001) < 1e-18)
        let exp = try Self.schedule([("type", .string("exponential")), ("gamma", .number(0.9))])
        #expect(abs(exp.learningRate(base: 2, step: 3) - 2 * 0.729) < 1e-15)
        let cos = try Self.schedule([
            ("type", .string("cosine_annealing")), ("t_max", .number(10)), ("eta_min", .number(0.01)),
        ])
        #expect(abs(cos.learningRate(base: base, step: 5) - (0.01 + 0.09 * 0.5)) < 1e-15)
        #expect(abs(cos.learningRate(base: base, step: 10) - 0.01) < 1e-15)
        #expect(abs(cos.learningRate(base: base, step: 20) - base) < 1e-15)  // periodic past t_max
        let linear = try Self.schedule([
            ("type", .string("linear")), ("start_factor", .number(0.5)), ("total_iters", .number(4)),
        ])
        #expect(linear.learningRate(base: 1, step: 0) == 0.5)
        #expect(linear.learningRate(base: 1, step: 2) == 0.75)
        #expect(linear.learningRate(base: 1, step: 100) == 1)
        let poly = try Self.schedule([
            ("type", .string("polynomial")), ("total_iters", .number(4)), ("power", .number(2)),
        ])
        #expect(poly.learningRate(base: 1, step: 2) == 0.25)
        #expect(poly.learningRate(base: 1, step: 9) == 0)
        let constant = try Self.schedule([
            ("type", .string("constant")), ("factor", .number(0.5)), ("total_iters", .number(3)),
        ])
        #expect(constant.learningRate(base: 1, step: 2) == 0.5)
        #expect(constant.learningRate(base: 1, step: 3) == 1)
    }

    @Test func warmRestartsRestartAfterGrowingPeriods() throws {
        let s = try Self.schedule([
            ("type", .string("cosine_annealing_warm_restarts")), ("t_0", .number(2)), ("t_mult", .number(2)),
        ])
        // Periods 2, 4, 8: restarts at steps 2 and 6.
        #expect(s.learningRate(base: 1, step: 0) == 1)
        #expect(s.learningRate(base: 1, step: 2) == 1)
        #expect(s.learningRate(base: 1, step: 6) == 1)
        #expect(abs(s.learningRate(base: 1, step: 4) - 0.5) < 1e-15)  // T_cur 2 of T_i 4
    }

    @Test func oneCycleWarmsUpAnnealsAndCyclesMomentum() throws {
        let s = try Self.schedule([
            ("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(100)),
        ])
        #expect(abs(s.learningRate(base: 123, step: 0) - 1.0 / 25) < 1e-15)  // base ignored
        #expect(abs(s.learningRate(base: 0, step: 29) - 1) < 1e-15)  // end of phase 1 at 0.3*100 - 1
        #expect(abs(s.learningRate(base: 0, step: 99) - 1.0 / 25 / 1e4) < 1e-15)
        #expect(abs((s.momentum(step: 0) ?? 0) - 0.95) < 1e-15)
        #expect(abs((s.momentum(step: 29) ?? 0) - 0.85) < 1e-15)
        #expect(s.totalSteps == 100)
        #expect(s.cyclesMomentum)
        let off = try Self.schedule([
            ("type", .string("one_cycle")), ("max_lr", .number(1)), ("epochs", .number(4)),
            ("steps_per_epoch", .number(5)), ("cycle_momentum", .bool(false)),
        ])
        #expect(off.totalSteps == 20)
        #expect(off.momentum(step: 3) == nil)
    }

    @Test func sequentialRestartsEachSchedulerAtItsMilestone() throws {
        let s = try Self.schedule([
            ("type", .string("sequential")),
            (
                "schedulers",
                .array([
                    .object([("type", .string("linear")), ("start_factor", .number(0.5)), ("total_iters", .number(2))]),
                    .object([("type", .string("exponential")), ("gamma", .number(0.5))]),
                ])
            ),
            ("milestones", .array([.number(3)])),
        ])
        #expect(s.learningRate(base: 1, step: 0) == 0.5)
        #expect(s.learningRate(base: 1, step: 2) == 1)
        #expect(s.learningRate(base: 1, step: 3) == 1)  // exponential at its epoch 0
        #expect(s.learningRate(base: 1, step: 5) == 0.25)
    }

    @Test func configListsEveryArgumentWithDefaults() throws {
        let s = try Self.schedule([("type", .string("cosine_annealing")), ("t_max", .number(10))])
        #expect(
            s.config()
                == .object([("type", .string("cosine_annealing")), ("t_max", .number(10)), ("eta_min", .number(0))]))
        #expect(try ScheduleSpec(s.config()) == s)
        for kind in ScheduleKind.allCases {
            #expect(!kind.arguments.isEmpty)
        }
    }

    static let invalid: [([(String, ConfigValue)], String)] = [
        ([("type", .string("step"))], "schedule.step_size"),
        ([("type", .string("step")), ("step_size", .number(0))], "schedule.step_size"),
        ([("type", .string("step")), ("step_size", .number(1.5))], "schedule.step_size"),
        ([("type", .string("multi_step")), ("milestones", .array([.number(-1)]))], "schedule.milestones[0]"),
        ([("type", .string("exponential"))], "schedule.gamma"),
        ([("type", .string("cosine_annealing")), ("t_max", .number(0))], "schedule.t_max"),
        ([("type", .string("cosine_annealing_warm_restarts")), ("t_0", .number(0))], "schedule.t_0"),
        (
            [("type", .string("cosine_annealing_warm_restarts")), ("t_0", .number(2)), ("t_mult", .number(0))],
            "schedule.t_mult"
        ),
        ([("type", .string("linear")), ("start_factor", .number(0))], "schedule.start_factor"),
        ([("type", .string("linear")), ("end_factor", .number(1.5))], "schedule.end_factor"),
        ([("type", .string("linear")), ("total_iters", .number(0))], "schedule.total_iters"),
        ([("type", .string("polynomial")), ("total_iters", .number(0))], "schedule.total_iters"),
        ([("type", .string("constant")), ("factor", .number(1.5))], "schedule.factor"),
        ([("type", .string("one_cycle")), ("total_steps", .number(10))], "schedule.max_lr"),
        ([("type", .string("one_cycle")), ("max_lr", .number(1))], "schedule.total_steps"),
        (
            [
                ("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(10)),
                ("pct_start", .number(1.5)),
            ], "schedule.pct_start"
        ),
        (
            [
                ("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(10)),
                ("anneal_strategy", .string("step")),
            ], "schedule.anneal_strategy"
        ),
        (
            [
                ("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(10)),
                ("div_factor", .number(0)),
            ], "schedule.div_factor"
        ),
        (
            [
                ("type", .string("sequential")),
                ("schedulers", .array([.object([("type", .string("exponential")), ("gamma", .number(0.9))])])),
                ("milestones", .array([.number(3)])),
            ], "schedule.milestones"
        ),
        (
            [
                ("type", .string("sequential")),
                (
                    "schedulers",
                    .array([
                        .object([("type", .string("exponential")), ("gamma", .number(0.9))]),
                        .object([("type", .string("exponential")), ("gamma", .number(0.9))]),
                        .object([("type", .string("exponential")), ("gamma", .number(0.9))]),
                    ])
                ),
                ("milestones", .array([.number(5), .number(5)])),
            ], "schedule.milestones[1]"
        ),
        (
            [
                ("type", .string("sequential")),
                (
                    "schedulers",
                    .array([
                        .object([("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(10))])
                    ])
                ),
                ("milestones", .array([])),
            ], "schedule.schedulers[0].type"
        ),
        (
            [
                ("type", .string("sequential")),
                (
                    "schedulers",
                    .array([
                        .object([("type", .string("exponential"))])
                    ])
                ), ("milestones", .array([])),
            ], "schedule.schedulers[0].gamma"
        ),
    ]

    @Test(arguments: invalid.indices)
    func invalidArgumentsNameTheirPath(_ row: Int) {
        let (members, name) = Self.invalid[row]
        #expect {
            try Self.schedule(members)
        } throws: { error in
            guard case .invalidHyperparameter(let n, _, _) = error as? OptimizerError else { return false }
            return n == name
        }
    }

    @Test func unknownScheduleAndArgumentSuggestNames() {
        #expect(throws: OptimizerError.unknownSchedule("cosine", suggestion: nil)) {
            try Self.schedule([("type", .string("cosine"))])
        }
        #expect(throws: OptimizerError.unknownSchedule("stepp", suggestion: "step")) {
            try Self.schedule([("type", .string("stepp"))])
        }
        #expect {
            try Self.schedule([("type", .string("cosine_annealing")), ("t_max", .number(3)), ("T_max", .number(3))])
        } throws: { error in
            guard case .unknownHyperparameter(let n, let s, _) = error as? OptimizerError else { return false }
            return n == "schedule.T_max" && s == "t_max"
        }
    }
    /// `epochs × steps_per_epoch` is an integer of the spec like any other: at most 2^53, so that the
    /// summary writes it exactly (schemathesis found 8.2e16 echoed as a double).
    @Test func oneCycleTotalStepsFromEpochsAreAtMost2To53() throws {
        #expect(throws: OptimizerError.self) {
            try Self.schedule([
                ("type", .string("one_cycle")), ("max_lr", .number(1)), ("epochs", .number(243_741_410_359)),
                ("steps_per_epoch", .number(334_989)),
            ])
        }
        let fits = try Self.schedule([
            ("type", .string("one_cycle")), ("max_lr", .number(1)), ("epochs", .number(67_108_864)),
            ("steps_per_epoch", .number(134_217_728)),
        ])
        #expect(fits.totalSteps == 9_007_199_254_740_992)
    }
}
