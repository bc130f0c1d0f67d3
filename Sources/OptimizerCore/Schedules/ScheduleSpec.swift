/// A validated learning-rate schedule: PyTorch's `lr_scheduler` classes as closed forms.
///
/// The lr a group uses in session step `k` (k = steps already taken, 0 for the first) is PyTorch's
/// `group["lr"]` after `k` calls of `scheduler.step()`, computed from the group's own base lr. The engine
/// follows PyTorch's recursive `get_lr()` bit for bit; `learningRate(base:step:)` is the closed form
/// (`_get_closed_form_lr`), which agrees to ≤ 1e-15 relative (docs/optimizer-math.md §2).
public struct ScheduleSpec: Sendable, Equatable {
    /// The schedule class.
    public var kind: ScheduleKind { form.kind }
    /// The validated arguments.
    let form: Form

    /// `one_cycle`'s arguments.
    struct OneCycle: Sendable, Equatable {
        var maxLR: Double
        var totalSteps: Int
        var epochs: Int?
        var stepsPerEpoch: Int?
        var pctStart: Double
        var linearAnneal: Bool
        var cycleMomentum: Bool
        var baseMomentum: Double
        var maxMomentum: Double
        var divFactor: Double
        var finalDivFactor: Double
        var threePhase: Bool
    }

    /// The validated arguments of each schedule class.
    enum Form: Sendable, Equatable {
        case step(stepSize: Int, gamma: Double)
        case multiStep(milestones: [Int], gamma: Double)
        case exponential(gamma: Double)
        case cosineAnnealing(tMax: Int, etaMin: Double)
        case cosineAnnealingWarmRestarts(t0: Int, tMult: Int, etaMin: Double)
        case linear(startFactor: Double, endFactor: Double, totalIters: Int)
        case polynomial(totalIters: Int, power: Double)
        case oneCycle(OneCycle)
        case constant(factor: Double, totalIters: Int)
        case sequential(schedulers: [ScheduleSpec], milestones: [Int])

        var kind: ScheduleKind {
            switch self {
            case .step: .step
            case .multiStep: .multiStep
            case .exponential: .exponential
            case .cosineAnnealing: .cosineAnnealing
            case .cosineAnnealingWarmRestarts: .cosineAnnealingWarmRestarts
            case .linear: .linear
            case .polynomial: .polynomial
            case .oneCycle: .oneCycle
            case .constant: .constant
            case .sequential: .sequential
            }
        }
    }

    init(form: Form) { self.form = form }

    /// Parses and validates a schedule object such as `{"type": "cosine_annealing", "t_max": 1000}`.
    ///
    /// - Throws: `unknownSchedule` for a missing or unknown `type`, `unknownHyperparameter` for an unknown
    ///   argument, `invalidHyperparameter` for a missing required argument or a value that breaks its rule.
    ///   Error names are paths such as `schedule.t_max`.
    public init(_ config: ConfigValue) throws(OptimizerError) {
        try self.init(config, path: "schedule")
    }

    init(_ config: ConfigValue, path: String) throws(OptimizerError) {
        var reader = try ArgumentReader(config, path: path)
        let form: Form
        switch reader.kind {
        case .step:
            form = .step(
                stepSize: try reader.integer("step_size", minimum: 1),
                gamma: try reader.number("gamma", default: 0.1))
        case .multiStep:
            form = .multiStep(
                milestones: try reader.integers("milestones", minimum: 0),
                gamma: try reader.number("gamma", default: 0.1))
        case .exponential:
            form = .exponential(gamma: try reader.number("gamma"))
        case .cosineAnnealing:
            form = .cosineAnnealing(
                tMax: try reader.integer("t_max", minimum: 1),
                etaMin: try reader.number("eta_min", default: 0))
        case .cosineAnnealingWarmRestarts:
            form = .cosineAnnealingWarmRestarts(
                t0: try reader.integer("t_0", minimum: 1), tMult: try reader.integer("t_mult", minimum: 1, default: 1),
                etaMin: try reader.number("eta_min", default: 0))
        case .linear:
            let start = try reader.number("start_factor", default: 1.0 / 3)
            if !(start > 0 && start <= 1) { throw reader.invalid("start_factor", start, "must be in (0, 1]") }
            let end = try reader.number("end_factor", default: 1.0)
            if !(end >= 0 && end <= 1) { throw reader.invalid("end_factor", end, "must be in [0, 1]") }
            form = .linear(
                startFactor: start, endFactor: end,
                totalIters: try reader.integer("total_iters", minimum: 1, default: 5))
        case .polynomial:
            form = .polynomial(
                totalIters: try reader.integer("total_iters", minimum: 1, default: 5),
                power: try reader.number("power", default: 1.0))
        case .constant:
            let factor = try reader.number("factor", default: 1.0 / 3)
            if !(factor >= 0 && factor <= 1) { throw reader.invalid("factor", factor, "must be in [0, 1]") }
            form = .constant(factor: factor, totalIters: try reader.integer("total_iters", minimum: 0, default: 5))
        case .oneCycle:
            form = .oneCycle(try reader.oneCycle())
        case .sequential:
            guard let list = reader.take("schedulers") else { throw reader.missing("schedulers") }
            guard case .array(let items) = list, !items.isEmpty else {
                throw .invalidHyperparameter(
                    name: "\(path).schedulers", value: list.description,
                    rule: "must be a non-empty array of schedule objects")
            }
            var schedulers: [ScheduleSpec] = []
            for (i, item) in items.enumerated() {
                let child = try ScheduleSpec(item, path: "\(path).schedulers[\(i)]")
                if child.kind == .oneCycle || child.kind == .sequential {
                    throw .invalidHyperparameter(
                        name: "\(path).schedulers[\(i)].type",
                        value: "\"\(child.kind.rawValue)\"", rule: "cannot run inside sequential")
                }
                schedulers.append(child)
            }
            let milestones = try reader.integers("milestones", minimum: 1)
            if milestones.count != schedulers.count - 1 {
                throw .invalidHyperparameter(
                    name: "\(path).milestones",
                    value: ConfigValue.array(milestones.map { .number(Double($0)) }).description,
                    rule: "must have \(schedulers.count - 1) element(s), one fewer than schedulers")
            }
            for i in milestones.indices.dropFirst() where milestones[i] <= milestones[i - 1] {
                throw .invalidHyperparameter(
                    name: "\(path).milestones[\(i)]", value: String(milestones[i]),
                    rule: "must be greater than milestones[\(i - 1)] = \(milestones[i - 1])")
            }
            form = .sequential(schedulers: schedulers, milestones: milestones)
        }
        try reader.finish()
        self.form = form
    }

    /// Every argument including defaults, `type` first.
    public func config() -> ConfigValue {
        func n(_ x: Double) -> ConfigValue { .number(x) }
        func i(_ x: Int) -> ConfigValue { .number(Double(x)) }
        var m: [(key: String, value: ConfigValue)] = [("type", .string(kind.rawValue))]
        switch form {
        case .step(let stepSize, let gamma): m += [("step_size", i(stepSize)), ("gamma", n(gamma))]
        case .multiStep(let milestones, let gamma):
            m += [("milestones", .array(milestones.map(i))), ("gamma", n(gamma))]
        case .exponential(let gamma): m += [("gamma", n(gamma))]
        case .cosineAnnealing(let tMax, let etaMin): m += [("t_max", i(tMax)), ("eta_min", n(etaMin))]
        case .cosineAnnealingWarmRestarts(let t0, let tMult, let etaMin):
            m += [("t_0", i(t0)), ("t_mult", i(tMult)), ("eta_min", n(etaMin))]
        case .linear(let s, let e, let t): m += [("start_factor", n(s)), ("end_factor", n(e)), ("total_iters", i(t))]
        case .polynomial(let t, let p): m += [("total_iters", i(t)), ("power", n(p))]
        case .constant(let f, let t): m += [("factor", n(f)), ("total_iters", i(t))]
        case .oneCycle(let c):
            m += [("max_lr", n(c.maxLR)), ("total_steps", i(c.totalSteps))]
            if let epochs = c.epochs, let steps = c.stepsPerEpoch {
                m += [("epochs", i(epochs)), ("steps_per_epoch", i(steps))]
            }
            m += [
                ("pct_start", n(c.pctStart)), ("anneal_strategy", .string(c.linearAnneal ? "linear" : "cos")),
                ("cycle_momentum", .bool(c.cycleMomentum)), ("base_momentum", n(c.baseMomentum)),
                ("max_momentum", n(c.maxMomentum)), ("div_factor", n(c.divFactor)),
                ("final_div_factor", n(c.finalDivFactor)), ("three_phase", .bool(c.threePhase)),
            ]
        case .sequential(let schedulers, let milestones):
            m += [("schedulers", .array(schedulers.map { $0.config() })), ("milestones", .array(milestones.map(i)))]
        }
        return .object(m)
    }

    /// `total_steps` of a `one_cycle` schedule: steps with index `k >= totalSteps` are refused.
    public var totalSteps: Int? {
        if case .oneCycle(let c) = form { return c.totalSteps }
        return nil
    }

    /// Whether this schedule overwrites momentum / betas[0] (`one_cycle` with `cycle_momentum`).
    public var cyclesMomentum: Bool {
        if case .oneCycle(let c) = form { return c.cycleMomentum }
        return false
    }
}

/// Reads and validates the members of one schedule object, tracking which ones were used.
private struct ArgumentReader {
    let kind: ScheduleKind
    let path: String
    var members: [(key: String, value: ConfigValue)]

    init(_ config: ConfigValue, path: String) throws(OptimizerError) {
        guard let members = config.objectValue else {
            throw .invalidHyperparameter(name: path, value: config.description, rule: "must be an object")
        }
        guard let typeValue = members.first(where: { $0.key == "type" })?.value else {
            throw .invalidHyperparameter(name: "\(path).type", value: "null", rule: "is required")
        }
        guard case .string(let name) = typeValue else {
            throw .invalidHyperparameter(name: "\(path).type", value: typeValue.description, rule: "must be a string")
        }
        guard let kind = ScheduleKind(rawValue: name) else {
            throw .unknownSchedule(
                name, suggestion: EditDistance.suggestion(for: name, among: ScheduleKind.allCases.map(\.rawValue)))
        }
        self.kind = kind
        self.path = path
        self.members = members.filter { $0.key != "type" }
    }

    mutating func take(_ name: String) -> ConfigValue? {
        guard let index = members.firstIndex(where: { $0.key == name }) else { return nil }
        return members.remove(at: index).value
    }

    func invalid(_ name: String, _ value: Double, _ rule: String) -> OptimizerError {
        .invalidHyperparameter(name: "\(path).\(name)", value: ConfigValue.format(value), rule: rule)
    }

    func missing(_ name: String) -> OptimizerError {
        .invalidHyperparameter(name: "\(path).\(name)", value: "null", rule: "is required for \(kind.rawValue)")
    }

    mutating func number(_ name: String, default value: Double? = nil) throws(OptimizerError) -> Double {
        guard let given = take(name) else {
            guard let value else { throw missing(name) }
            return value
        }
        guard case .number(let x) = given else {
            throw .invalidHyperparameter(name: "\(path).\(name)", value: given.description, rule: "must be a number")
        }
        guard x.isFinite else { throw invalid(name, x, "must be a finite number") }
        return x
    }

    static func integerValue(_ value: ConfigValue) -> Int? {
        guard case .number(let x) = value, x.isFinite, x == x.rounded(), abs(x) <= 9_007_199_254_740_992 else {
            return nil
        }
        return Int(x)
    }

    mutating func integer(_ name: String, minimum: Int, default value: Int? = nil) throws(OptimizerError) -> Int {
        guard let given = take(name) else {
            guard let value else { throw missing(name) }
            return value
        }
        guard let n = ArgumentReader.integerValue(given) else {
            throw .invalidHyperparameter(name: "\(path).\(name)", value: given.description, rule: "must be an integer")
        }
        guard n >= minimum else {
            throw .invalidHyperparameter(name: "\(path).\(name)", value: String(n), rule: "must be >= \(minimum)")
        }
        return n
    }

    mutating func optionalInteger(_ name: String, minimum: Int) throws(OptimizerError) -> Int? {
        guard members.contains(where: { $0.key == name }) else { return nil }
        return try integer(name, minimum: minimum)
    }

    mutating func integers(_ name: String, minimum: Int) throws(OptimizerError) -> [Int] {
        guard let given = take(name) else { throw missing(name) }
        guard case .array(let items) = given else {
            throw .invalidHyperparameter(
                name: "\(path).\(name)", value: given.description,
                rule: "must be an array of integers")
        }
        var result: [Int] = []
        for (i, item) in items.enumerated() {
            guard let n = ArgumentReader.integerValue(item) else {
                throw .invalidHyperparameter(
                    name: "\(path).\(name)[\(i)]", value: item.description,
                    rule: "must be an integer")
            }
            guard n >= minimum else {
                throw .invalidHyperparameter(
                    name: "\(path).\(name)[\(i)]", value: String(n),
                    rule: "must be >= \(minimum)")
            }
            result.append(n)
        }
        return result
    }

    mutating func bool(_ name: String, default value: Bool) throws(OptimizerError) -> Bool {
        guard let given = take(name) else { return value }
        guard case .bool(let b) = given else {
            throw .invalidHyperparameter(
                name: "\(path).\(name)", value: given.description, rule: "must be true or false")
        }
        return b
    }

    mutating func oneCycle() throws(OptimizerError) -> ScheduleSpec.OneCycle {
        let maxLR = try number("max_lr")
        if maxLR < 0 { throw invalid("max_lr", maxLR, "must be >= 0") }
        let total = try optionalInteger("total_steps", minimum: 1)
        let epochs = try optionalInteger("epochs", minimum: 1)
        let stepsPerEpoch = try optionalInteger("steps_per_epoch", minimum: 1)
        let totalSteps: Int
        if let total {
            totalSteps = total
        } else if let epochs, let stepsPerEpoch {
            let (product, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
            // Like every integer of a spec, at most 2^53: JSON numbers are exact up to there.
            if overflow || product > 9_007_199_254_740_992 {
                throw invalid("epochs", Double(epochs), "times steps_per_epoch must be at most 2^53")
            }
            totalSteps = product
        } else {
            throw .invalidHyperparameter(
                name: "\(path).total_steps", value: "null",
                rule: "is required unless both epochs and steps_per_epoch are given")
        }
        let pct = try number("pct_start", default: 0.3)
        if !(pct >= 0 && pct <= 1) { throw invalid("pct_start", pct, "must be in [0, 1]") }
        var linear = false
        if let strategy = take("anneal_strategy") {
            switch strategy {
            case .string("cos"): linear = false
            case .string("linear"): linear = true
            default:
                throw .invalidHyperparameter(
                    name: "\(path).anneal_strategy", value: strategy.description,
                    rule: "must be \"cos\" or \"linear\"")
            }
        }
        let cycle = try bool("cycle_momentum", default: true)
        let base = try number("base_momentum", default: 0.85)
        let maxM = try number("max_momentum", default: 0.95)
        let div = try number("div_factor", default: 25)
        if !(div > 0) { throw invalid("div_factor", div, "must be > 0") }
        let finalDiv = try number("final_div_factor", default: 1e4)
        if !(finalDiv > 0) { throw invalid("final_div_factor", finalDiv, "must be > 0") }
        let three = try bool("three_phase", default: false)
        let cycleSpec = ScheduleSpec.OneCycle(
            maxLR: maxLR, totalSteps: totalSteps, epochs: total == nil ? epochs : nil,
            stepsPerEpoch: total == nil ? stepsPerEpoch : nil, pctStart: pct, linearAnneal: linear,
            cycleMomentum: cycle, baseMomentum: base, maxMomentum: maxM, divFactor: div,
            finalDivFactor: finalDiv, threePhase: three)
        // torch divides by each phase's length when it reaches it (ZeroDivisionError); a phase of
        // length 0 would give every parameter NaN here.
        if let phase = cycleSpec.emptyPhase {
            throw .invalidHyperparameter(
                name: "\(path).pct_start", value: String(pct),
                rule: "gives phase \(phase + 1) of \(three ? 3 : 2) no steps with total_steps = \(totalSteps) "
                    + "(torch divides by the phase's length); choose pct_start so that every phase has steps")
        }
        return cycleSpec
    }

    func finish() throws(OptimizerError) {
        guard let (key, _) = members.first else { return }
        let names = kind.arguments.map(\.name)
        throw .unknownHyperparameter(
            name: "\(path).\(key)", suggestion: EditDistance.suggestion(for: key, among: names),
            reason: "\(kind.rawValue) takes " + names.joined(separator: ", "))
    }
}
