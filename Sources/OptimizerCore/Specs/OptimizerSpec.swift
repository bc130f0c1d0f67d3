/// A validated optimizer: its type and every hyperparameter value (omitted ones take PyTorch's defaults).
///
/// Built from the API's optimizer object, e.g. `{"type": "adam", "lr": 0.001, "betas": [0.9, 0.999]}`.
/// Unknown names are errors that suggest the nearest valid name; PyTorch's implementation switches
/// (`foreach`, `fused`, `capturable`, `differentiable`) are unknown too, because optd always runs its own
/// fused kernel.
public struct OptimizerSpec: Sendable, Equatable {
    /// The optimizer.
    public let kind: OptimizerKind
    /// The hyperparameter values; fields the optimizer does not have keep neutral values.
    public private(set) var hyperparameters: Hyperparameters

    /// PyTorch's implementation switches, which are not hyperparameters in optd.
    static let implementationSwitches: Set<String> = ["foreach", "fused", "capturable", "differentiable"]

    /// The optimizer `kind` with all of PyTorch's defaults.
    public init(kind: OptimizerKind) {
        self.kind = kind
        var h = Hyperparameters()
        for definition in kind.definitions {
            // Defaults are valid by construction; a failure here would be a catalogue bug caught by tests.
            try? definition.apply(definition.defaultValue, to: &h, path: definition.field.name)
        }
        if kind == .adamw { h.decoupledWeightDecay = true }
        self.hyperparameters = h
    }

    /// Parses and validates an optimizer object such as `{"type": "adam", "lr": 0.001}`.
    ///
    /// - Throws: `unknownOptimizer` for a missing or unknown `type`, `unknownHyperparameter` for a name
    ///   the optimizer does not have, `invalidHyperparameter` for a value that breaks PyTorch's rules.
    public init(_ config: ConfigValue) throws(OptimizerError) {
        guard let members = config.objectValue else {
            throw .invalidHyperparameter(name: "optimizer", value: config.description, rule: "must be an object")
        }
        guard let typeValue = members.first(where: { $0.key == "type" })?.value else {
            throw .invalidHyperparameter(name: "optimizer.type", value: "null", rule: "is required")
        }
        guard case .string(let typeName) = typeValue else {
            throw .invalidHyperparameter(name: "optimizer.type", value: typeValue.description, rule: "must be a string")
        }
        guard let kind = OptimizerKind(rawValue: typeName) else {
            throw .unknownOptimizer(
                typeName,
                suggestion: EditDistance.suggestion(for: typeName, among: OptimizerKind.allCases.map(\.rawValue)))
        }
        self.init(kind: kind)
        try apply(members.filter { $0.key != "type" }, pathPrefix: "")
    }

    /// Every hyperparameter including defaults, `type` first, then PyTorch's constructor order.
    public func config() -> ConfigValue {
        var members: [(key: String, value: ConfigValue)] = [("type", .string(kind.rawValue))]
        for definition in kind.definitions {
            members.append((definition.field.name, definition.field.get(hyperparameters)))
        }
        return .object(members)
    }

    /// This spec with the hyperparameters in `patch` changed (for `PATCH`); `type` may be repeated but not
    /// changed.
    ///
    /// - Throws: the errors of `init(_:)`, or `invalidHyperparameter` naming `type` if the type differs.
    public func merging(_ patch: ConfigValue) throws(OptimizerError) -> OptimizerSpec {
        guard let members = patch.objectValue else {
            throw .invalidHyperparameter(name: "optimizer", value: patch.description, rule: "must be an object")
        }
        if let typeValue = members.first(where: { $0.key == "type" })?.value, typeValue != .string(kind.rawValue) {
            throw .invalidHyperparameter(
                name: "type", value: typeValue.description,
                rule: "cannot change: this session's optimizer is \"\(kind.rawValue)\"")
        }
        var copy = self
        try copy.apply(members.filter { $0.key != "type" }, pathPrefix: "")
        return copy
    }

    /// Applies hyperparameter members (no `type`); names in errors get `pathPrefix` (e.g. `param_groups[0].`).
    mutating func apply(_ members: [(key: String, value: ConfigValue)], pathPrefix: String) throws(OptimizerError) {
        var h = hyperparameters
        for (key, value) in members {
            guard let definition = kind.definition(named: key) else {
                throw unknownName(key, pathPrefix: pathPrefix)
            }
            try definition.apply(value, to: &h, path: pathPrefix + key)
        }
        if kind == .sgd, h.nesterov, h.momentum <= 0 || h.dampening != 0 {
            throw .invalidHyperparameter(
                name: pathPrefix + "nesterov", value: "true",
                rule: "requires momentum > 0 and dampening = 0 (momentum = \(ConfigValue.format(h.momentum)), "
                    + "dampening = \(ConfigValue.format(h.dampening)))")
        }
        hyperparameters = h
    }

    /// The error for a name this optimizer does not have.
    func unknownName(_ key: String, pathPrefix: String) -> OptimizerError {
        if OptimizerSpec.implementationSwitches.contains(key) {
            return .unknownHyperparameter(
                name: pathPrefix + key, suggestion: nil,
                reason:
                    "an implementation switch of PyTorch, not a hyperparameter; optd always runs its own fused kernel")
        }
        if key == "decoupled_weight_decay", kind == .adamw {
            return .unknownHyperparameter(
                name: pathPrefix + key, suggestion: nil,
                reason: "adamw always decouples weight decay (use adam with decoupled_weight_decay to choose)")
        }
        return .unknownHyperparameter(
            name: pathPrefix + key, suggestion: EditDistance.suggestion(for: key, among: kind.hyperparameterNames),
            reason: "\(kind.rawValue) has " + kind.hyperparameterNames.joined(separator: ", "))
    }
}
