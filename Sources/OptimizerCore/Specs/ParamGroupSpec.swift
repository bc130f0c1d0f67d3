/// A parameter group: parameters that use their own values for some hyperparameters, as PyTorch's
/// `param_groups` do. Hyperparameters not overridden follow the session's optimizer spec (also after a
/// `PATCH` of it).
public struct ParamGroupSpec: Sendable, Equatable {
    /// The parameter names in the group.
    public var params: [String]
    /// The overridden hyperparameters in the order given, e.g. `[("lr", .number(0.01))]`.
    public var overrides: [(key: String, value: ConfigValue)]

    /// Creates a group; the overrides are validated by `TrainingSpec`.
    public init(params: [String], overrides: [(key: String, value: ConfigValue)]) {
        self.params = params
        self.overrides = overrides
    }

    /// Parses a group object `{"params": ["b"], "lr": 0.01, ...}` (overrides are checked by `TrainingSpec`).
    ///
    /// - Throws: `invalidHyperparameter` if `params` is missing or not an array of strings.
    public init(_ config: ConfigValue, index: Int) throws(OptimizerError) {
        let path = "param_groups[\(index)]"
        guard let members = config.objectValue else {
            throw .invalidHyperparameter(name: path, value: config.description, rule: "must be an object")
        }
        guard let list = members.first(where: { $0.key == "params" })?.value else {
            throw .invalidHyperparameter(name: "\(path).params", value: "null", rule: "is required")
        }
        guard case .array(let items) = list else {
            throw .invalidHyperparameter(
                name: "\(path).params", value: list.description,
                rule: "must be an array of parameter names")
        }
        var names: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let name) = item else {
                throw .invalidHyperparameter(
                    name: "\(path).params[\(i)]", value: item.description,
                    rule: "must be a parameter name")
            }
            names.append(name)
        }
        self.params = names
        self.overrides = members.filter { $0.key != "params" }
    }

    /// `{"params": [...], overrides...}`.
    public func config() -> ConfigValue {
        .object([("params", .array(params.map { .string($0) }))] + overrides)
    }

    /// Equality with overrides compared in order.
    public static func == (lhs: ParamGroupSpec, rhs: ParamGroupSpec) -> Bool {
        lhs.params == rhs.params && ConfigValue.object(lhs.overrides) == ConfigValue.object(rhs.overrides)
    }
}
