extension OptimizerKind {
    /// Every hyperparameter of this optimizer, in PyTorch's constructor order, with default, rule and doc
    /// (the catalogue of `GET /v1/optimizers`).
    public var hyperparameters: [HyperparameterInfo] { definitions.map(\.info) }

    /// A one-line description of the update rule for the catalogue.
    public var summary: String {
        switch self {
        case .sgd: "torch.optim.SGD: buf = momentum*buf + (1-dampening)*g; p -= lr*(nesterov ? g + momentum*buf : buf)"
        case .adam: "torch.optim.Adam: p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)"
        case .adamw: "torch.optim.AdamW: p *= 1 - lr*weight_decay, then the Adam step"
        case .adagrad: "torch.optim.Adagrad: sum += g*g; p -= lr/(1+(t-1)*lr_decay) * g / (sqrt(sum) + eps)"
        case .rmsprop: "torch.optim.RMSprop: v = alpha*v + (1-alpha)*g*g; p -= lr * g / (sqrt(v) + eps)"
        case .adadelta: "torch.optim.Adadelta: delta = sqrt(u + eps)/sqrt(v + eps)*g; p -= lr*delta"
        case .adamax: "torch.optim.Adamax: u = max(beta2*u, |g| + eps); p -= lr/bc1 * m / u"
        case .nadam: "torch.optim.NAdam: Nesterov-momentum Adam with momentum decay (mu_product)"
        case .radam: "torch.optim.RAdam: rectified Adam; SGD with momentum while rho_t <= 5"
        case .rprop: "torch.optim.Rprop (iRprop-): per-element step sizes adapted by the sign of g*prev"
        case .lion: "Lion (optax): p -= lr * (sign(b1*m + (1-b1)*g) + weight_decay*p); m = b2*m + (1-b2)*g"
        }
    }

    /// The names valid in an optimizer spec of this kind (besides `type`).
    var hyperparameterNames: [String] { definitions.map(\.field.name) }

    /// The definition of hyperparameter `name`, if this optimizer has it.
    func definition(named name: String) -> HyperparameterDefinition? {
        definitions.first { $0.field.name == name }
    }

    /// Whether a `one_cycle` schedule can cycle this optimizer's momentum (`momentum` or `betas[0]`).
    var cyclesMomentumThroughBetas: Bool? {
        switch self {
        case .sgd, .rmsprop: false
        case .adam, .adamw, .adamax, .nadam, .radam, .lion: true
        case .adagrad, .adadelta, .rprop: nil
        }
    }

    /// PyTorch's defaults and rules per optimizer (docs/optimizer-math.md §1; torch 2.15 `__init__` checks).
    var definitions: [HyperparameterDefinition] {
        typealias D = HyperparameterDefinition
        func lr(_ x: Double) -> D {
            D(
                field: .lr, defaultValue: .number(x), rule: .nonNegative,
                doc: "learning rate; with a schedule, the base learning rate the schedule scales")
        }
        func betas(
            _ b1: Double, _ b2: Double,
            doc: String = "coefficients of the running averages of the gradient and its square"
        ) -> D {
            D(field: .betas, defaultValue: .array([.number(b1), .number(b2)]), rule: .halfOpenUnit, doc: doc)
        }
        func eps(_ x: Double, _ doc: String = "term added to the denominator (outside the square root)") -> D {
            D(field: .eps, defaultValue: .number(x), rule: .nonNegative, doc: doc)
        }
        func wd(_ x: Double, _ doc: String = "L2 penalty added to the gradient: g += weight_decay * p") -> D {
            D(field: .weightDecay, defaultValue: .number(x), rule: .nonNegative, doc: doc)
        }
        let maximize = D(
            field: .maximize, defaultValue: .bool(false), rule: .boolean,
            doc: "maximize the objective: the gradient is negated first")
        let decoupled = D(
            field: .decoupledWeightDecay, defaultValue: .bool(false), rule: .boolean,
            doc: "apply weight decay as p *= 1 - lr*weight_decay instead of adding it to the gradient")
        let amsgrad = D(
            field: .amsgrad, defaultValue: .bool(false), rule: .boolean,
            doc: "use the maximum of all second-moment averages so far (AMSGrad)")
        switch self {
        case .sgd:
            return [
                lr(1e-3),
                D(field: .momentum, defaultValue: .number(0), rule: .nonNegative, doc: "momentum factor"),
                D(field: .dampening, defaultValue: .number(0), rule: .finite, doc: "dampening for momentum"),
                wd(0),
                D(
                    field: .nesterov, defaultValue: .bool(false), rule: .boolean,
                    doc: "Nesterov momentum; requires momentum > 0 and dampening = 0"),
                maximize,
            ]
        case .adam:
            return [lr(1e-3), betas(0.9, 0.999), eps(1e-8), wd(0), amsgrad, maximize, decoupled]
        case .adamw:
            return [
                lr(1e-3), betas(0.9, 0.999), eps(1e-8),
                wd(1e-2, "decoupled weight decay: p *= 1 - lr*weight_decay before the Adam step"),
                amsgrad, maximize,
            ]
        case .adagrad:
            return [
                lr(1e-2),
                D(
                    field: .lrDecay, defaultValue: .number(0), rule: .nonNegative,
                    doc: "learning-rate decay: clr = lr / (1 + (t-1)*lr_decay)"),
                wd(0),
                D(
                    field: .initialAccumulatorValue, defaultValue: .number(0), rule: .nonNegative,
                    doc: "initial value of the sum of squared gradients"),
                eps(1e-10), maximize,
            ]
        case .rmsprop:
            return [
                lr(1e-2),
                D(field: .alpha, defaultValue: .number(0.99), rule: .nonNegative, doc: "smoothing constant"),
                eps(1e-8), wd(0),
                D(
                    field: .momentum, defaultValue: .number(0), rule: .nonNegative,
                    doc: "momentum factor (the buffer accumulates g/avg; lr is applied outside it)"),
                D(
                    field: .centered, defaultValue: .bool(false), rule: .boolean,
                    doc: "normalize by an estimate of the variance instead of the second moment"),
                maximize,
            ]
        case .adadelta:
            return [
                lr(1.0),
                D(
                    field: .rho, defaultValue: .number(0.9), rule: .closedUnit,
                    doc: "coefficient of the running averages of squared gradients and squared updates"),
                eps(1e-6, "term added inside both square roots"), wd(0), maximize,
            ]
        case .adamax:
            return [lr(2e-3), betas(0.9, 0.999), eps(1e-8, "term added to |g| inside the maximum"), wd(0), maximize]
        case .nadam:
            return [
                lr(2e-3), betas(0.9, 0.999), eps(1e-8), wd(0),
                D(
                    field: .momentumDecay, defaultValue: .number(4e-3), rule: .nonNegative,
                    doc: "momentum decay psi: mu_t = beta1 * (1 - 0.5 * 0.96^(t*psi))"),
                decoupled, maximize,
            ]
        case .radam:
            return [lr(1e-3), betas(0.9, 0.999), eps(1e-8), wd(0), decoupled, maximize]
        case .rprop:
            return [
                lr(1e-2),
                D(
                    field: .etas, defaultValue: .array([.number(0.5), .number(1.2)]), rule: .etas,
                    doc: "(etaminus, etaplus): multiplicative decrease and increase factors of the step sizes"),
                D(
                    field: .stepSizes, defaultValue: .array([.number(1e-6), .number(50)]), rule: .finite,
                    doc: "(min, max) allowed step sizes"),
                maximize,
            ]
        case .lion:
            return [
                lr(1e-4),
                betas(0.9, 0.99, doc: "(b1, b2): b1 interpolates the update direction, b2 decays the momentum"),
                wd(1e-3, "decoupled weight decay multiplied by lr (optax default 1e-3)"),
                maximize,
            ]
        }
    }
}
