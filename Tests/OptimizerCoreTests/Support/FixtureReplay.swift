import OptimizerCore
import TestSupport

/// The outcome of replaying one torch fixture through an `OptimizerEngine`.
struct ReplayResult {
    /// Worst distance of any parameter element after any step, in ULP of the fixture dtype.
    var worstParameterULP = 0
    /// Worst error of any parameter element in ULP of the largest parameter magnitude at that step
    /// (robust to elements that pass near zero, where one raw ULP is tiny).
    var worstScaledULP = 0.0
    var worstScaledAt: String?
    /// Worst relative error of any parameter element (for float64 tolerances).
    var worstParameterRelative = 0.0
    /// Worst distance of any final state element, in ULP.
    var worstStateULP = 0
    var worstStateRelative = 0.0
    /// Worst final-state error in ULP of the largest magnitude in that state tensor.
    var worstStateScaledULP = 0.0
    /// Worst distance of the reported lr from torch's, in ULP of Double.
    var worstLRULP = 0
    /// Worst distance of the reported grad_norm, in ULP of the fixture dtype.
    var worstGradNormULP = 0
    /// Elements compared, and how many differed at all.
    var elements = 0
    var differing = 0
    /// Problems that are not numerical (missing state, unexpected entries).
    var problems: [String] = []
    /// Where parameters first differed: "step k, name[i]: mine vs torch".
    var firstDifference: String?
    /// Differing elements per parameter name.
    var differingByParameter: [String: Int] = [:]
}

enum FixtureReplay {
    static func engine<S: EngineScalar>(_ f: TorchFixture, _: S.Type) throws -> OptimizerEngine<S> {
        let spec = try TrainingSpec(f.spec.config)
        let tensors = f.tensors
        let layout = try ParameterLayout(tensors.map { ($0.name, $0.shape) })
        return try OptimizerEngine<S>(
            spec: spec, layout: layout, initialValues: tensors.flatMap { $0.data.map { S($0) } })
    }

    static func distance<S: EngineScalar>(_ a: S, _ b: S) -> Int {
        if let x = a as? Float, let y = b as? Float { return ulpDistance(x, y) }
        if let x = a as? Double, let y = b as? Double { return ulpDistance(x, y) }
        return a == b ? 0 : Int.max
    }

    static func relative(_ a: Double, _ b: Double) -> Double {
        if a == b { return 0 }
        return abs(a - b) / max(abs(a), abs(b), 1e-300)
    }

    /// Replays every step; `interruptAt` exports a checkpoint after that many steps and continues on an
    /// engine restored from it.
    static func replay<S: EngineScalar>(
        _ f: TorchFixture, _ type: S.Type, interruptAt: Int? = nil
    ) throws -> ReplayResult {
        var engine = try engine(f, S.self)
        var result = ReplayResult()
        for (k, step) in f.steps.enumerated() {
            if k == interruptAt { engine = try OptimizerEngine<S>(checkpoint: engine.checkpoint()) }
            if let patch = step.patch { try engine.update(optimizer: patch.config) }
            let report = try engine.step(named: step.gradientValues.map { ($0.key, $0.value.map { S($0) }) })
            let expectedParameters = step.parameterValues
            result.worstLRULP = max(result.worstLRULP, ulpDistance(report.lr, step.lr))
            result.worstGradNormULP = max(result.worstGradNormULP, distance(S(report.gradNorm), S(step.gradNorm)))
            for entry in engine.layout.entries {
                guard let expected = expectedParameters[entry.name], expected.count == entry.count else {
                    result.problems.append("step \(k): no expected values for \(entry.name)")
                    continue
                }
                let scale = expectedParameters.values.reduce(0.0) { m, v in v.reduce(m) { max($0, abs($1)) } }
                let scaleULP = Double(S(scale).ulp)
                for i in 0..<entry.count {
                    let mine = engine.parameters[entry.offset + i]
                    let torch = S(expected[i])
                    let d = distance(mine, torch)
                    result.elements += 1
                    if d != 0 {
                        result.differing += 1
                        result.differingByParameter[entry.name, default: 0] += 1
                        if result.firstDifference == nil {
                            result.firstDifference = "step \(k), \(entry.name)[\(i)]: \(mine) vs torch \(torch)"
                        }
                    }
                    result.worstParameterULP = max(result.worstParameterULP, d)
                    if scaleULP > 0, abs(Double(mine) - Double(torch)) / scaleULP > result.worstScaledULP {
                        result.worstScaledULP = abs(Double(mine) - Double(torch)) / scaleULP
                        result.worstScaledAt = "step \(k), \(entry.name)[\(i)]: \(mine) vs torch \(torch)"
                    }
                    result.worstParameterRelative = max(
                        result.worstParameterRelative,
                        relative(Double(mine), Double(torch)))
                }
            }
        }
        let checkpoint = engine.checkpoint()
        let mine = Dictionary(uniqueKeysWithValues: checkpoint.states.map { ($0.name, $0) })
        let finalState = f.finalStateValues
        for (name, entries) in finalState {
            guard let state = mine[name] else {
                result.problems.append("no state for \(name)")
                continue
            }
            let myNames = state.entries.map(\.name)
            let torchNames = entries.map(\.key)
            if myNames != torchNames {
                result.problems.append("\(name): state names \(myNames) vs torch \(torchNames)")
            }
            for (key, value) in entries {
                switch (state[key], value) {
                case (.count(let n)?, .number(let x)):
                    if Double(n) != x { result.problems.append("\(name).\(key) = \(n), torch \(x)") }
                case (.scalar(let s)?, .number(let x)):
                    result.worstStateULP = max(result.worstStateULP, distance(s, S(x)))
                    result.worstStateRelative = max(result.worstStateRelative, relative(Double(s), x))
                case (.tensor(let values)?, .array(let items)):
                    let scale = items.reduce(0.0) { max($0, abs($1.numberValue ?? 0)) }
                    let scaleULP = Double(S(scale).ulp)
                    for (v, item) in zip(values, items) {
                        let x = item.numberValue ?? .nan
                        if scaleULP > 0 {
                            result.worstStateScaledULP = max(result.worstStateScaledULP, abs(Double(v) - x) / scaleULP)
                        }
                        result.worstStateULP = max(result.worstStateULP, distance(v, S(x)))
                        result.worstStateRelative = max(result.worstStateRelative, relative(Double(v), x))
                    }
                    if values.count != items.count { result.problems.append("\(name).\(key): count") }
                case (let v, let t):
                    result.problems.append("\(name).\(key): \(String(describing: v)) vs torch \(t)")
                }
            }
        }
        for state in checkpoint.states where finalState[state.name] == nil {
            result.problems.append("state for \(state.name), torch has none")
        }
        return result
    }
}
