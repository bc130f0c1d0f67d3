/// Everything needed to continue a session bit-identically: spec (with current hyperparameters), layout,
/// session step count (the schedule position), parameters and each parameter's optimizer state under
/// PyTorch's state names.
public struct EngineCheckpoint<Scalar: EngineScalar>: Sendable, Equatable {
    /// The training spec, including hyperparameter changes made since creation.
    public var spec: TrainingSpec
    /// Parameter names, shapes and offsets.
    public var layout: ParameterLayout
    /// Steps applied to the session; the schedule's position.
    public var stepCount: Int
    /// All parameters, flat in layout order.
    public var parameters: [Scalar]
    /// Optimizer state per parameter, keyed by name. Parameters without state (never stepped) have no
    /// entry, as in PyTorch's `state_dict`.
    public var states: [ParameterState<Scalar>]
    /// With a schedule: per parameter group (the default group first), the lr the next step uses, as
    /// PyTorch's recursive sequence reached it (torch's `scheduler.get_last_lr()`). Restoring it continues
    /// the sequence bit-identically in O(1); without it the sequence is rebuilt from the base lr
    /// (`ScheduleCursor`). Any double, non-finite included: an overflowing schedule is carried as it is.
    public var lastLR: [Double]?

    /// Creates a checkpoint (validated when an engine is restored from it).
    public init(
        spec: TrainingSpec, layout: ParameterLayout, stepCount: Int, parameters: [Scalar],
        states: [ParameterState<Scalar>], lastLR: [Double]? = nil
    ) {
        self.spec = spec
        self.layout = layout
        self.stepCount = stepCount
        self.parameters = parameters
        self.states = states
        self.lastLR = lastLR
    }
}

/// One parameter's optimizer state, its entries in PyTorch's order (e.g. `step`, `exp_avg`, `exp_avg_sq`).
public struct ParameterState<Scalar: EngineScalar>: Sendable, Equatable {
    /// The parameter's name.
    public var name: String
    /// The state entries.
    public var entries: [StateEntry<Scalar>]

    /// Creates a state.
    public init(name: String, entries: [StateEntry<Scalar>]) {
        self.name = name
        self.entries = entries
    }

    /// The entry named `name`, if present.
    public subscript(_ name: String) -> StateValue<Scalar>? {
        entries.first { $0.name == name }?.value
    }
}

/// One named state value.
public struct StateEntry<Scalar: EngineScalar>: Sendable, Equatable {
    /// PyTorch's state name: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
    /// `momentum_buffer`, `sum`, `square_avg`, `grad_avg`, `acc_delta`, `exp_inf`, `prev`, `step_size`.
    public var name: String
    /// The value.
    public var value: StateValue<Scalar>

    /// Creates an entry.
    public init(name: String, value: StateValue<Scalar>) {
        self.name = name
        self.value = value
    }
}

/// A state value: the per-parameter step count, a scalar in the session dtype (NAdam's `mu_product`) or
/// a tensor with the parameter's element count (flat, row-major).
public enum StateValue<Scalar: EngineScalar>: Sendable, Equatable {
    /// An integer count (`step`).
    case count(Int)
    /// A scalar (`mu_product`).
    case scalar(Scalar)
    /// A tensor.
    case tensor([Scalar])
}
