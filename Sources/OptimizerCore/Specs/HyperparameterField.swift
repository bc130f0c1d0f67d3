/// A hyperparameter slot of `Hyperparameters`: its API name, value shape and how to read and write it.
enum HyperparameterField: String, CaseIterable, Sendable {
    case lr
    case betas
    case eps
    case weightDecay = "weight_decay"
    case momentum
    case dampening
    case nesterov
    case amsgrad
    case maximize
    case decoupledWeightDecay = "decoupled_weight_decay"
    case lrDecay = "lr_decay"
    case initialAccumulatorValue = "initial_accumulator_value"
    case alpha
    case centered
    case rho
    case momentumDecay = "momentum_decay"
    case etas
    case stepSizes = "step_sizes"

    /// The API name.
    var name: String { rawValue }

    /// The shape of the value.
    enum Shape { case number, bool, pair }

    var shape: Shape {
        switch self {
        case .nesterov, .amsgrad, .maximize, .decoupledWeightDecay, .centered: .bool
        case .betas, .etas, .stepSizes: .pair
        default: .number
        }
    }

    /// The current value as a `ConfigValue`.
    func get(_ h: Hyperparameters) -> ConfigValue {
        switch self {
        case .lr: .number(h.lr)
        case .betas: .array([.number(h.beta1), .number(h.beta2)])
        case .eps: .number(h.eps)
        case .weightDecay: .number(h.weightDecay)
        case .momentum: .number(h.momentum)
        case .dampening: .number(h.dampening)
        case .nesterov: .bool(h.nesterov)
        case .amsgrad: .bool(h.amsgrad)
        case .maximize: .bool(h.maximize)
        case .decoupledWeightDecay: .bool(h.decoupledWeightDecay)
        case .lrDecay: .number(h.lrDecay)
        case .initialAccumulatorValue: .number(h.initialAccumulatorValue)
        case .alpha: .number(h.alpha)
        case .centered: .bool(h.centered)
        case .rho: .number(h.rho)
        case .momentumDecay: .number(h.momentumDecay)
        case .etas: .array([.number(h.etaMinus), .number(h.etaPlus)])
        case .stepSizes: .array([.number(h.stepSizeMin), .number(h.stepSizeMax)])
        }
    }

    /// Stores an already shape-checked value.
    func set(_ h: inout Hyperparameters, number x: Double = 0, second y: Double = 0, bool b: Bool = false) {
        switch self {
        case .lr: h.lr = x
        case .betas: (h.beta1, h.beta2) = (x, y)
        case .eps: h.eps = x
        case .weightDecay: h.weightDecay = x
        case .momentum: h.momentum = x
        case .dampening: h.dampening = x
        case .nesterov: h.nesterov = b
        case .amsgrad: h.amsgrad = b
        case .maximize: h.maximize = b
        case .decoupledWeightDecay: h.decoupledWeightDecay = b
        case .lrDecay: h.lrDecay = x
        case .initialAccumulatorValue: h.initialAccumulatorValue = x
        case .alpha: h.alpha = x
        case .centered: h.centered = b
        case .rho: h.rho = x
        case .momentumDecay: h.momentumDecay = x
        case .etas: (h.etaMinus, h.etaPlus) = (x, y)
        case .stepSizes: (h.stepSizeMin, h.stepSizeMax) = (x, y)
        }
    }
}

/// A per-value validity rule, PyTorch's where PyTorch has one.
enum HyperparameterRule: Sendable {
    /// `x >= 0`.
    case nonNegative
    /// `0 <= x < 1`, for each element of a pair.
    case halfOpenUnit
    /// `0 <= x <= 1`, for each element of a pair.
    case closedUnit
    /// Any finite number (PyTorch checks nothing).
    case finite
    /// `true` or `false`.
    case boolean
    /// Rprop's `0 < etas[0] < 1 < etas[1]`.
    case etas

    /// The rule in words for the catalogue.
    var text: String {
        switch self {
        case .nonNegative: ">= 0"
        case .halfOpenUnit: "each in [0, 1)"
        case .closedUnit: "in [0, 1]"
        case .finite: "any finite number"
        case .boolean: "true or false"
        case .etas: "0 < etas[0] < 1 < etas[1]"
        }
    }

    /// Checks one number at `path`; pairs call this per element with the element's path.
    func check(_ x: Double, path: String, element: Int?) throws(OptimizerError) {
        func fail(_ rule: String) -> OptimizerError {
            .invalidHyperparameter(name: path, value: ConfigValue.format(x), rule: rule)
        }
        guard x.isFinite else { throw fail("must be a finite number") }
        switch self {
        case .nonNegative: if !(x >= 0) { throw fail("must be >= 0") }
        case .halfOpenUnit: if !(x >= 0 && x < 1) { throw fail("must be in [0, 1)") }
        case .closedUnit: if !(x >= 0 && x <= 1) { throw fail("must be in [0, 1]") }
        case .finite, .boolean: break
        case .etas:
            if element == 0, !(x > 0 && x < 1) { throw fail("must be in (0, 1)") }
            if element == 1, !(x > 1) { throw fail("must be > 1") }
        }
    }
}

/// One hyperparameter of one optimizer: field, PyTorch default, rule and documentation.
struct HyperparameterDefinition: Sendable {
    var field: HyperparameterField
    var defaultValue: ConfigValue
    var rule: HyperparameterRule
    var doc: String

    /// Parses and validates `value` and stores it into `h`.
    func apply(_ value: ConfigValue, to h: inout Hyperparameters, path: String) throws(OptimizerError) {
        switch field.shape {
        case .bool:
            guard case .bool(let b) = value else {
                throw .invalidHyperparameter(name: path, value: value.description, rule: "must be true or false")
            }
            field.set(&h, bool: b)
        case .number:
            guard case .number(let x) = value else {
                throw .invalidHyperparameter(name: path, value: value.description, rule: "must be a number")
            }
            try rule.check(x, path: path, element: nil)
            field.set(&h, number: x)
        case .pair:
            guard case .array(let items) = value, items.count == 2,
                case .number(let x) = items[0], case .number(let y) = items[1]
            else {
                throw .invalidHyperparameter(
                    name: path, value: value.description, rule: "must be an array of 2 numbers")
            }
            try rule.check(x, path: "\(path)[0]", element: 0)
            try rule.check(y, path: "\(path)[1]", element: 1)
            field.set(&h, number: x, second: y)
        }
    }

    /// The public catalogue entry.
    var info: HyperparameterInfo {
        HyperparameterInfo(name: field.name, defaultValue: defaultValue, rule: rule.text, doc: doc)
    }
}
