import OptimizerCore
import TestSupport
import Testing

@Suite struct EngineCheckpointTests {
    /// Export after 25 steps, restore, continue: every later parameter value and the final state are
    /// bit-identical to the uninterrupted run, for every fixture (every algorithm, schedule, clipping, group
    /// and patch case).
    @Test(arguments: TorchFixture.names())
    func restoredEngineContinuesBitIdentically(_ name: String) throws {
        let f = try TorchFixture.load(name)
        if f.dtype == "float32" {
            try check(f, Float.self)
        } else {
            try check(f, Double.self)
        }
    }

    func check<S: EngineScalar>(_ f: TorchFixture, _: S.Type) throws {
        var straight = try FixtureReplay.engine(f, S.self)
        var resumed = straight
        for (k, step) in f.steps.enumerated() {
            if k == 25 { resumed = try OptimizerEngine<S>(checkpoint: resumed.checkpoint()) }
            let named = step.gradientValues.map { ($0.key, $0.value.map { S($0) }) }
            if let patch = step.patch {
                try straight.update(optimizer: patch.config)
                try resumed.update(optimizer: patch.config)
            }
            let a = try straight.step(named: named)
            let b = try resumed.step(named: named)
            #expect(a == b)
            #expect(straight.parameters == resumed.parameters, "step \(k)")
        }
        #expect(straight.checkpoint() == resumed.checkpoint())
    }

    static func engine() throws -> OptimizerEngine<Float> {
        let spec = try TrainingSpec(.object([("optimizer", .object([("type", .string("nadam"))]))]))
        var e = try OptimizerEngine<Float>(
            spec: spec, layout: try ParameterLayout([("w", [2]), ("b", [1])]), initialValues: [1, 2, 3])
        _ = try e.step(gradients: [0.1, 0.2, 0.3], present: [true, false])
        return e
    }

    @Test func checkpointUsesTorchNamesAndOrder() throws {
        let c = try Self.engine().checkpoint()
        #expect(c.states.count == 1)
        #expect(c.states[0].name == "w")
        #expect(c.states[0].entries.map(\.name) == ["step", "mu_product", "exp_avg", "exp_avg_sq"])
        #expect(c.states[0]["step"] == .count(1))
        #expect(c.stepCount == 1)
    }

    @Test func invalidCheckpointsAreRejectedWithAReason() throws {
        let good = try Self.engine().checkpoint()
        func expectInvalid(_ change: (inout EngineCheckpoint<Float>) -> Void) {
            var c = good
            change(&c)
            #expect(throws: OptimizerError.self) { try OptimizerEngine<Float>(checkpoint: c) }
        }
        expectInvalid { $0.parameters.removeLast() }
        expectInvalid { $0.stepCount = -1 }
        expectInvalid { $0.states[0].name = "nope" }
        expectInvalid { $0.states.append($0.states[0]) }
        expectInvalid { $0.states[0].entries.removeFirst() }  // no step
        expectInvalid { $0.states[0].entries.remove(at: 1) }  // no mu_product
        expectInvalid { $0.states[0].entries[2] = StateEntry(name: "exp_avg", value: .tensor([1])) }
        expectInvalid { $0.states[0].entries[2] = StateEntry(name: "momentum_buffer", value: .tensor([1, 2])) }
        expectInvalid { $0.states[0].entries[0] = StateEntry(name: "step", value: .count(-3)) }
        expectInvalid { $0.states[0].entries.removeLast() }  // exp_avg_sq is required
        #expect(try OptimizerEngine<Float>(checkpoint: good).checkpoint() == good)
    }
}
