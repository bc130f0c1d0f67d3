/// Every failure `OptimizerCore` reports; each case carries what a caller needs to act on it.
///
/// The cases are the kinds of failure in the core's own terms; `description` is a detail fit to show a
/// user, e.g. `betas[1] = 1.2 must be in [0, 1)`. How a caller reports them (an HTTP status, an API
/// code) is the caller's business. Whenever an operation throws, the value it was called on is unchanged.
public enum OptimizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The optimizer `type` is not one of `OptimizerKind`; carries the given name and the nearest valid one.
    case unknownOptimizer(String, suggestion: String?)
    /// The schedule `type` is not one of `ScheduleKind`; carries the given name and the nearest valid one.
    case unknownSchedule(String, suggestion: String?)
    /// A hyperparameter (or schedule/clipping argument) name that the spec does not have. `name` is the full
    /// path (`param_groups[0].lrr`), `suggestion` the nearest valid name, `reason` an optional explanation
    /// (used for PyTorch's implementation switches `foreach`, `fused`, `capturable`, `differentiable`).
    case unknownHyperparameter(name: String, suggestion: String?, reason: String?)
    /// A value breaks a rule: `name` is the full path (`betas[1]`), `value` its rendering, `rule` the rule
    /// it breaks (`must be in [0, 1)`).
    case invalidHyperparameter(name: String, value: String, rule: String)
    /// A parameter name that the layout does not contain (in a parameter group or a gradient).
    case unknownParameter(String)
    /// A tensor has the wrong number of elements: `parameter` names it, `expected` and `actual` are counts.
    /// Flat buffers use the names `"gradients"` (all gradients), `"parameters"` (all values) and `"present"`.
    case shapeMismatch(parameter: String, expected: Int, actual: Int)
    /// A gradient contains NaN or an infinity at flat index `index` inside parameter `parameter`.
    case nonFiniteGradient(parameter: String, index: Int)
    /// A step without any gradient.
    case emptyStep
    /// The schedule cannot produce a learning rate for this step (`one_cycle` past `total_steps`).
    /// `step` is the 1-based number of the refused step.
    case scheduleExhausted(step: Int, totalSteps: Int)
    /// A checkpoint cannot be restored; `reason` says why.
    case invalidCheckpoint(String)
    /// A parameter layout is invalid (duplicate or empty names, negative dimensions, overflow).
    case invalidLayout(String)

    /// The client-facing detail naming the field, the value and the rule.
    public var description: String {
        switch self {
        case .unknownOptimizer(let name, let suggestion):
            return "unknown optimizer type \"\(name)\"" + OptimizerError.hint(suggestion)
                + "; valid types: " + OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")
        case .unknownSchedule(let name, let suggestion):
            return "unknown schedule type \"\(name)\"" + OptimizerError.hint(suggestion)
                + "; valid types: " + ScheduleKind.allCases.map(\.rawValue).joined(separator: ", ")
        case .unknownHyperparameter(let name, let suggestion, let reason):
            var text = "unknown hyperparameter \"\(name)\""
            if let reason { text += ": \(reason)" }
            return text + OptimizerError.hint(suggestion)
        case .invalidHyperparameter(let name, let value, let rule):
            return "\(name) = \(value) \(rule)"
        case .unknownParameter(let name):
            return "unknown parameter \"\(name)\""
        case .shapeMismatch(let parameter, let expected, let actual):
            switch parameter {
            case "gradients":
                return "the gradients have \(actual) elements in total; the parameters have \(expected)"
            case "parameters":
                return "the values have \(actual) elements in total; the parameters have \(expected)"
            case "present":
                return "the presence mask has \(actual) entries; there are \(expected) parameters"
            default:
                return "gradient \"\(parameter)\" has \(actual) elements; parameter \"\(parameter)\" has \(expected)"
            }
        case .nonFiniteGradient(let parameter, let index):
            return "gradient \"\(parameter)\" has a non-finite value (NaN or infinity) at flat index \(index)"
        case .emptyStep:
            return "a step needs at least one gradient"
        case .scheduleExhausted(let step, let totalSteps):
            return "step \(step) is past the schedule's total_steps = \(totalSteps)"
        case .invalidCheckpoint(let reason):
            return "invalid checkpoint: \(reason)"
        case .invalidLayout(let reason):
            return "invalid parameters: \(reason)"
        }
    }

    private static func hint(_ suggestion: String?) -> String {
        guard let suggestion else { return "" }
        return " (did you mean \"\(suggestion)\"?)"
    }
}
