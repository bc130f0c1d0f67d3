/// The state tensors of each optimizer under PyTorch's names, and which of them a configuration needs.
///
/// Slot `i` of an engine is one flat buffer of `totalCount` elements laid out like the parameters.
struct StateSlots: Sendable {
    /// PyTorch's state names per slot index.
    static func names(_ kind: OptimizerKind) -> [String] {
        switch kind {
        case .sgd: ["momentum_buffer"]
        case .adam, .adamw: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
        case .adagrad: ["sum"]
        case .rmsprop: ["square_avg", "momentum_buffer", "grad_avg"]
        case .adadelta: ["square_avg", "acc_delta"]
        case .adamax: ["exp_avg", "exp_inf"]
        case .nadam, .radam: ["exp_avg", "exp_avg_sq"]
        case .rprop: ["prev", "step_size"]
        case .lion: ["exp_avg"]
        }
    }

    /// The number of state slots of `kind` (without building the name list).
    static func count(_ kind: OptimizerKind) -> Int {
        switch kind {
        case .sgd, .adagrad, .lion: 1
        case .adadelta, .adamax, .nadam, .radam, .rprop: 2
        case .adam, .adamw, .rmsprop: 3
        }
    }

    /// Whether a group with hyperparameters `h` uses slot `slot` in a step (`cycled` = momentum is set by a
    /// one_cycle schedule, so it is non-zero).
    static func uses(_ kind: OptimizerKind, slot: Int, _ h: Hyperparameters, cycled: Bool) -> Bool {
        switch kind {
        case .sgd: return h.momentum != 0 || cycled
        case .adam, .adamw: return slot < 2 || h.amsgrad
        case .rmsprop:
            switch slot {
            case 0: return true
            case 1: return h.momentum > 0 || cycled
            default: return h.centered
            }
        default: return true
        }
    }

    /// Whether PyTorch always creates slot `slot` with the parameter's state (the others depend on
    /// amsgrad, momentum or centered).
    static func isMandatory(_ kind: OptimizerKind, slot: Int) -> Bool {
        switch kind {
        case .sgd: false
        case .adam, .adamw: slot < 2
        case .rmsprop: slot == 0
        default: true
        }
    }

    /// Whether a torch state entry exists for the optimizer without any slot (SGD without momentum has no
    /// state at all; Lion keeps only `exp_avg`, as lion-pytorch; every other optimizer keeps `step`).
    static func hasStepCounter(_ kind: OptimizerKind) -> Bool { kind != .sgd && kind != .lion }

    /// Slot indices any group of `spec` uses.
    static func required(for spec: TrainingSpec) -> [Int] {
        let kind = spec.optimizer.kind
        let cycled = spec.schedule?.cyclesMomentum ?? false
        return names(kind).indices.filter { slot in
            spec.groupHyperparameters.contains { uses(kind, slot: slot, $0, cycled: cycled) }
        }
    }
}
