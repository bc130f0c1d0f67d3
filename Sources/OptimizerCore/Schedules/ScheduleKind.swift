/// PyTorch's `torch.optim.lr_scheduler` classes that optd offers, in snake_case; the raw value is the
/// API's schedule `type`.
public enum ScheduleKind: String, CaseIterable, Sendable, Hashable {
    /// `StepLR`: lr = base · gamma^⌊k / step_size⌋.
    case step
    /// `MultiStepLR`: lr = base · gamma^(number of milestones <= k).
    case multiStep = "multi_step"
    /// `ExponentialLR`: lr = base · gamma^k.
    case exponential
    /// `CosineAnnealingLR`: lr = eta_min + (base − eta_min)(1 + cos(π k / t_max)) / 2 (periodic past t_max).
    case cosineAnnealing = "cosine_annealing"
    /// `CosineAnnealingWarmRestarts`: cosine annealing restarted after t_0, t_0·t_mult, … steps.
    case cosineAnnealingWarmRestarts = "cosine_annealing_warm_restarts"
    /// `LinearLR`: lr = base · (start + (end − start) · min(k, total_iters) / total_iters).
    case linear
    /// `PolynomialLR`: lr = base · (1 − min(k, total_iters) / total_iters)^power.
    case polynomial
    /// `OneCycleLR`: warm up to max_lr and anneal to max_lr / (div_factor · final_div_factor); cycles
    /// momentum (or betas[0]) in the opposite direction unless cycle_momentum is false.
    case oneCycle = "one_cycle"
    /// `ConstantLR`: lr = base · factor for k < total_iters, then base.
    case constant
    /// `SequentialLR`: schedulers[i] runs on [milestones[i−1], milestones[i]), restarting at its epoch 0.
    case sequential
}
