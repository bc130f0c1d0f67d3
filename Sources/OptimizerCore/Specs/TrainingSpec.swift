/// Everything that defines how a session trains: optimizer, optional schedule, optional clipping and
/// parameter groups, validated together.
///
/// Group 0 is the default group (parameters named in no `param_groups` entry); group `i + 1` is
/// `paramGroups[i]`. A group's hyperparameters are the optimizer spec's with the group's overrides applied.
public struct TrainingSpec: Sendable, Equatable {
    /// The optimizer and its (default-group) hyperparameters.
    public private(set) var optimizer: OptimizerSpec
    /// The learning-rate schedule, if any.
    public let schedule: ScheduleSpec?
    /// Gradient clipping, if any.
    public let clipping: Clipping?
    /// Parameter groups with overrides, in order.
    public let paramGroups: [ParamGroupSpec]
    /// Resolved hyperparameters: index 0 the default group, then one per `paramGroups` entry.
    public private(set) var groupHyperparameters: [Hyperparameters]

    /// Validates the combination.
    ///
    /// - Throws: `unknownHyperparameter` / `invalidHyperparameter` for a bad group override (named
    ///   `param_groups[i].name`), a group without parameters, or a `one_cycle` schedule that cycles momentum
    ///   for an optimizer without momentum or betas (PyTorch's rule).
    public init(
        optimizer: OptimizerSpec, schedule: ScheduleSpec? = nil, clipping: Clipping? = nil,
        paramGroups: [ParamGroupSpec] = []
    ) throws(OptimizerError) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.clipping = clipping
        self.paramGroups = paramGroups
        self.groupHyperparameters = try TrainingSpec.resolve(optimizer, paramGroups)
        if let schedule, schedule.cyclesMomentum, optimizer.kind.cyclesMomentumThroughBetas == nil {
            throw .invalidHyperparameter(
                name: "schedule.cycle_momentum", value: "true",
                rule: "needs an optimizer with momentum or betas (\(optimizer.kind.rawValue) has neither); "
                    + "set cycle_momentum to false")
        }
    }

    /// The names of the members a spec is written as (``init(_:)``, ``config()``), in order.
    public static let memberNames = ["optimizer", "schedule", "clip_grad_norm", "clip_grad_value", "param_groups"]

    /// Parses the training members of a create body: `optimizer` (required), `schedule`, `clip_grad_norm`,
    /// `clip_grad_value` and `param_groups`. Other members (`name`, `dtype`, `parameters`, ...) are ignored.
    public init(_ config: ConfigValue) throws(OptimizerError) {
        guard let optimizerConfig = config["optimizer"] else {
            throw .invalidHyperparameter(name: "optimizer", value: "null", rule: "is required")
        }
        let optimizer = try OptimizerSpec(optimizerConfig)
        var schedule: ScheduleSpec?
        if let s = config["schedule"], s != .null { schedule = try ScheduleSpec(s) }
        let clipping = try Clipping.parse(
            clipGradNorm: config["clip_grad_norm"], clipGradValue: config["clip_grad_value"])
        var groups: [ParamGroupSpec] = []
        if let g = config["param_groups"], g != .null {
            guard case .array(let items) = g else {
                throw .invalidHyperparameter(name: "param_groups", value: g.description, rule: "must be an array")
            }
            for (i, item) in items.enumerated() { groups.append(try ParamGroupSpec(item, index: i)) }
        }
        try self.init(optimizer: optimizer, schedule: schedule, clipping: clipping, paramGroups: groups)
    }

    /// The spec as API members in order: `optimizer`, then `schedule`, the clipping member and
    /// `param_groups` when present.
    public func config() -> ConfigValue {
        var members: [(key: String, value: ConfigValue)] = [("optimizer", optimizer.config())]
        if let schedule { members.append(("schedule", schedule.config())) }
        if let clipping { members.append(clipping.config) }
        if !paramGroups.isEmpty { members.append(("param_groups", .array(paramGroups.map { $0.config() }))) }
        return .object(members)
    }

    /// This spec with the optimizer's hyperparameters patched (for `PATCH`); groups keep their overrides.
    public func updatingOptimizer(_ patch: ConfigValue) throws(OptimizerError) -> TrainingSpec {
        var copy = self
        copy.optimizer = try optimizer.merging(patch)
        copy.groupHyperparameters = try TrainingSpec.resolve(copy.optimizer, paramGroups)
        return copy
    }

    /// The group of each parameter of `layout` (0 = default group).
    ///
    /// - Throws: `unknownParameter` for a group naming a parameter the layout lacks, `invalidHyperparameter`
    ///   for a parameter named in two groups (or twice in one).
    public func groupIndices(for layout: ParameterLayout) throws(OptimizerError) -> [Int] {
        var group = [Int](repeating: 0, count: layout.count)
        for (g, spec) in paramGroups.enumerated() {
            for (i, name) in spec.params.enumerated() {
                guard let p = layout.index(of: name) else { throw .unknownParameter(name) }
                if group[p] != 0 {
                    throw .invalidHyperparameter(
                        name: "param_groups[\(g)].params[\(i)]", value: "\"\(name)\"",
                        rule: "is already in param_groups[\(group[p] - 1)]; a parameter belongs to one group")
                }
                group[p] = g + 1
            }
        }
        return group
    }

    /// Bytes a session needs for parameters and optimizer state tensors: (1 + state tensors) ×
    /// `parameterCount` × dtype width, saturating at `Int.max`. Per-tensor bookkeeping (a few words per
    /// parameter tensor) and the caller's own gradient buffer are not included.
    public func stateBytes(parameterCount: Int, dtype: DType) -> Int {
        Self.tensorBytes(
            tensors: 1 + StateSlots.required(for: self).count, parameterCount: parameterCount,
            width: dtype.byteWidth)
    }

    /// `tensors × parameterCount × width` bytes, saturating at `Int.max`.
    static func tensorBytes(tensors: Int, parameterCount: Int, width: Int) -> Int {
        let (a, o1) = parameterCount.multipliedReportingOverflow(by: tensors)
        let (b, o2) = a.multipliedReportingOverflow(by: width)
        return o1 || o2 ? Int.max : b
    }

    static func resolve(
        _ optimizer: OptimizerSpec, _ groups: [ParamGroupSpec]
    ) throws(OptimizerError)
        -> [Hyperparameters]
    {
        var result = [optimizer.hyperparameters]
        for (i, group) in groups.enumerated() {
            var spec = optimizer
            if group.overrides.contains(where: { $0.key == "type" }) {
                throw .unknownHyperparameter(
                    name: "param_groups[\(i)].type", suggestion: nil,
                    reason: "a group cannot choose its own optimizer")
            }
            try spec.apply(group.overrides, pathPrefix: "param_groups[\(i)].")
            result.append(spec.hyperparameters)
        }
        return result
    }
}
