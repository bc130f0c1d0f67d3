/// The catalogue of `GET /v1/optimizers`: every optimizer with its hyperparameters and every schedule with
/// its arguments, as a `ConfigValue` the service can write as JSON.
public enum OptimizerCatalogue {
    /// `{"optimizers": [{"type", "summary", "hyperparameters": [{"name", "default", "rule", "doc"}]}],
    ///   "schedules": [{"type", "summary", "arguments": [{"name", "required", "default"?, "rule", "doc"}]}]}`,
    /// in `OptimizerKind.allCases` / `ScheduleKind.allCases` order.
    public static func config() -> ConfigValue {
        let optimizers: [ConfigValue] = OptimizerKind.allCases.map { kind in
            .object([
                ("type", .string(kind.rawValue)),
                ("summary", .string(kind.summary)),
                (
                    "hyperparameters",
                    .array(
                        kind.hyperparameters.map { info in
                            .object([
                                ("name", .string(info.name)), ("default", info.defaultValue),
                                ("rule", .string(info.rule)),
                                ("doc", .string(info.doc)),
                            ])
                        })
                ),
            ])
        }
        let schedules: [ConfigValue] = ScheduleKind.allCases.map { kind in
            .object([
                ("type", .string(kind.rawValue)),
                ("summary", .string(kind.summary)),
                (
                    "arguments",
                    .array(
                        kind.arguments.map { info in
                            var members: [(key: String, value: ConfigValue)] = [
                                ("name", .string(info.name)), ("required", .bool(info.required)),
                            ]
                            if let value = info.defaultValue { members.append(("default", value)) }
                            members += [("rule", .string(info.rule)), ("doc", .string(info.doc))]
                            return .object(members)
                        })
                ),
            ])
        }
        return .object([("optimizers", .array(optimizers)), ("schedules", .array(schedules))])
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
