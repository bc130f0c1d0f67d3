extension ScheduleKind {
    /// Every argument of this schedule with default (or required), rule and doc.
    public var arguments: [ScheduleArgumentInfo] {
        typealias A = ScheduleArgumentInfo
        func req(_ name: String, _ rule: String, _ doc: String) -> A {
            A(name: name, required: true, defaultValue: nil, rule: rule, doc: doc)
        }
        func opt(_ name: String, _ value: ConfigValue, _ rule: String, _ doc: String) -> A {
            A(name: name, required: false, defaultValue: value, rule: rule, doc: doc)
        }
        switch self {
        case .step:
            return [
                req("step_size", "integer >= 1", "period of learning-rate decay, in steps"),
                opt("gamma", .number(0.1), "any finite number", "multiplicative factor of decay"),
            ]
        case .multiStep:
            return [
                req("milestones", "array of integers >= 0", "steps at which the lr is multiplied by gamma"),
                opt("gamma", .number(0.1), "any finite number", "multiplicative factor of decay"),
            ]
        case .exponential:
            return [req("gamma", "any finite number", "multiplicative factor of decay per step")]
        case .cosineAnnealing:
            return [
                req("t_max", "integer >= 1", "half period of the cosine, in steps"),
                opt("eta_min", .number(0), "any finite number", "minimum learning rate"),
            ]
        case .cosineAnnealingWarmRestarts:
            return [
                req("t_0", "integer >= 1", "steps until the first restart"),
                opt("t_mult", .number(1), "integer >= 1", "factor by which the period grows after a restart"),
                opt("eta_min", .number(0), "any finite number", "minimum learning rate"),
            ]
        case .linear:
            return [
                opt("start_factor", .number(1.0 / 3), "in (0, 1]", "factor at step 0"),
                opt("end_factor", .number(1.0), "in [0, 1]", "factor from total_iters on"),
                opt("total_iters", .number(5), "integer >= 1", "steps over which the factor moves"),
            ]
        case .polynomial:
            return [
                opt("total_iters", .number(5), "integer >= 1", "steps until the lr reaches 0"),
                opt("power", .number(1.0), "any finite number", "power of the polynomial"),
            ]
        case .oneCycle:
            return [
                req("max_lr", "finite number >= 0", "peak learning rate (replaces the optimizer's lr)"),
                A(
                    name: "total_steps", required: false, defaultValue: nil, rule: "integer >= 1",
                    doc: "steps in the cycle; required unless epochs and steps_per_epoch are given; "
                        + "a step past total_steps is an error"),
                A(
                    name: "epochs", required: false, defaultValue: nil, rule: "integer >= 1",
                    doc: "with steps_per_epoch, total_steps = epochs * steps_per_epoch"),
                A(
                    name: "steps_per_epoch", required: false, defaultValue: nil, rule: "integer >= 1",
                    doc: "with epochs, total_steps = epochs * steps_per_epoch"),
                opt("pct_start", .number(0.3), "in [0, 1]", "fraction of the cycle spent increasing the lr"),
                opt("anneal_strategy", .string("cos"), "\"cos\" or \"linear\"", "annealing curve"),
                opt(
                    "cycle_momentum", .bool(true), "true or false",
                    "cycle momentum (or betas[0]) inversely to the lr; needs an optimizer with momentum or betas"),
                opt("base_momentum", .number(0.85), "any finite number", "lower momentum boundary"),
                opt("max_momentum", .number(0.95), "any finite number", "upper momentum boundary"),
                opt("div_factor", .number(25), "finite number > 0", "initial lr = max_lr / div_factor"),
                opt(
                    "final_div_factor", .number(1e4), "finite number > 0",
                    "minimum lr = initial lr / final_div_factor"),
                opt(
                    "three_phase", .bool(false), "true or false",
                    "anneal back to the initial lr before annealing to the minimum"),
            ]
        case .constant:
            return [
                opt("factor", .number(1.0 / 3), "in [0, 1]", "factor applied until total_iters"),
                opt("total_iters", .number(5), "integer >= 0", "steps during which the factor applies"),
            ]
        case .sequential:
            return [
                req(
                    "schedulers", "array of >= 1 schedule objects (not one_cycle or sequential)",
                    "schedules run one after another, each restarting at its step 0"),
                req(
                    "milestones", "strictly increasing integers >= 1, one fewer than schedulers",
                    "steps at which the next schedule takes over"),
            ]
        }
    }
}

extension ScheduleKind {
    /// A one-line description (PyTorch class and formula) for the catalogue.
    public var summary: String {
        switch self {
        case .step: "StepLR: lr = base * gamma^floor(k / step_size)"
        case .multiStep: "MultiStepLR: lr = base * gamma^(milestones <= k)"
        case .exponential: "ExponentialLR: lr = base * gamma^k"
        case .cosineAnnealing: "CosineAnnealingLR: lr = eta_min + (base - eta_min)(1 + cos(pi k / t_max)) / 2, periodic"
        case .cosineAnnealingWarmRestarts:
            "CosineAnnealingWarmRestarts: cosine annealing restarted after t_0 * t_mult^i steps"
        case .linear:
            "LinearLR: lr = base * (start_factor + (end_factor - start_factor) * min(k, total_iters) / total_iters)"
        case .polynomial: "PolynomialLR: lr = base * (1 - min(k, total_iters) / total_iters)^power"
        case .oneCycle:
            "OneCycleLR: warm-up to max_lr then anneal; cycles momentum / betas[0]; at most total_steps steps"
        case .constant: "ConstantLR: lr = base * factor for k < total_iters, then base"
        case .sequential: "SequentialLR: schedulers[i] from milestones[i-1] on, each restarting at its step 0"
        }
    }
}
