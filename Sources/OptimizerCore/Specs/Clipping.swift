/// Gradient clipping applied to a step's gradients before the optimizer, as PyTorch's
/// `torch.nn.utils.clip_grad_norm_` and `clip_grad_value_` do (docs/optimizer-math.md §3).
public enum Clipping: Sendable, Equatable {
    /// The norm of `clip_grad_norm_`.
    public enum NormType: Sendable, Equatable {
        /// Sum of absolute values.
        case l1
        /// Euclidean norm (the default).
        case l2
        /// Maximum absolute value (`"inf"`).
        case infinity

        /// The API value: `1`, `2` or `"inf"`.
        public var config: ConfigValue {
            switch self {
            case .l1: .number(1)
            case .l2: .number(2)
            case .infinity: .string("inf")
            }
        }
    }

    /// `clip_grad_norm_(max_norm, norm_type)`: total = norm of all present gradients as if concatenated;
    /// every gradient is multiplied by `min(max_norm / (total + 1e-6), 1)`, always (so a total just below
    /// max_norm still scales by slightly less than 1, as in PyTorch).
    case norm(maxNorm: Double, normType: NormType)
    /// `clip_grad_value_(clip_value)`: every element is clamped to `[-value, value]`.
    case value(Double)

    /// Parses the API's two members: `clip_grad_norm` (`{"max_norm": 1.0, "norm_type": 2 | 1 | "inf"}`) and
    /// `clip_grad_value` (a number). Returns nil if both are nil.
    ///
    /// - Throws: `invalidHyperparameter` if both are given, a value is malformed, `max_norm` or the clip
    ///   value is negative; `unknownHyperparameter` for an unknown member of `clip_grad_norm`.
    public static func parse(
        clipGradNorm: ConfigValue?, clipGradValue: ConfigValue?
    ) throws(OptimizerError)
        -> Clipping?
    {
        switch (clipGradNorm, clipGradValue) {
        case (nil, nil), (.null?, nil), (nil, .null?), (.null?, .null?):
            return nil
        case (let norm?, nil), (let norm?, .null?):
            guard let members = norm.objectValue else {
                throw .invalidHyperparameter(
                    name: "clip_grad_norm", value: norm.description,
                    rule: "must be an object such as {\"max_norm\": 1.0}")
            }
            var maxNorm: Double?
            var normType = NormType.l2
            for (key, value) in members {
                switch key {
                case "max_norm":
                    guard case .number(let x) = value, x.isFinite else {
                        throw .invalidHyperparameter(
                            name: "clip_grad_norm.max_norm", value: value.description,
                            rule: "must be a finite number")
                    }
                    guard x >= 0 else {
                        throw .invalidHyperparameter(
                            name: "clip_grad_norm.max_norm", value: value.description,
                            rule: "must be >= 0")
                    }
                    maxNorm = x
                case "norm_type":
                    switch value {
                    case .number(2): normType = .l2
                    case .number(1): normType = .l1
                    case .string("inf"): normType = .infinity
                    default:
                        throw .invalidHyperparameter(
                            name: "clip_grad_norm.norm_type", value: value.description,
                            rule: "must be 2, 1 or \"inf\"")
                    }
                default:
                    throw .unknownHyperparameter(
                        name: "clip_grad_norm.\(key)",
                        suggestion: EditDistance.suggestion(for: key, among: ["max_norm", "norm_type"]),
                        reason: key == "foreach" || key == "error_if_nonfinite"
                            ? "optd always rejects non-finite gradients and runs its own kernel" : nil)
                }
            }
            guard let maxNorm else {
                throw .invalidHyperparameter(name: "clip_grad_norm.max_norm", value: "null", rule: "is required")
            }
            return .norm(maxNorm: maxNorm, normType: normType)
        case (nil, let value?), (.null?, let value?):
            guard case .number(let x) = value, x.isFinite else {
                throw .invalidHyperparameter(
                    name: "clip_grad_value", value: value.description,
                    rule: "must be a finite number")
            }
            guard x >= 0 else {
                throw .invalidHyperparameter(name: "clip_grad_value", value: value.description, rule: "must be >= 0")
            }
            return .value(x)
        case (_?, _?):
            throw .invalidHyperparameter(
                name: "clip_grad_value", value: clipGradValue?.description ?? "null",
                rule: "cannot be combined with clip_grad_norm; give only one")
        }
    }

    /// The API member this clipping is written as: `("clip_grad_norm", {...})` or `("clip_grad_value", x)`.
    public var config: (key: String, value: ConfigValue) {
        switch self {
        case .norm(let maxNorm, let normType):
            return ("clip_grad_norm", .object([("max_norm", .number(maxNorm)), ("norm_type", normType.config)]))
        case .value(let x):
            return ("clip_grad_value", .number(x))
        }
    }
}
