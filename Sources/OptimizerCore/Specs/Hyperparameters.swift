/// The resolved hyperparameter values of one parameter group.
///
/// Every optimizer reads only the fields its `OptimizerKind` has (see `OptimizerKind.hyperparameters`);
/// the others keep neutral values. Pairs (`betas`, `etas`, `step_sizes`) are stored as two fields.
public struct Hyperparameters: Sendable, Equatable {
    /// Learning rate (`lr`), or the base learning rate when a schedule runs.
    public var lr: Double = 1e-3
    /// `betas[0]`: decay of the first moment (Adam family, Lion's interpolation factor b1).
    public var beta1: Double = 0.9
    /// `betas[1]`: decay of the second moment (Adam family; Lion's momentum decay b2).
    public var beta2: Double = 0.999
    /// `eps`: numerical-stability term added to the denominator.
    public var eps: Double = 1e-8
    /// `weight_decay`: L2 penalty added to the gradient, or decoupled decay where the optimizer says so.
    public var weightDecay: Double = 0
    /// `momentum` (SGD, RMSprop).
    public var momentum: Double = 0
    /// `dampening` (SGD).
    public var dampening: Double = 0
    /// `nesterov` (SGD).
    public var nesterov: Bool = false
    /// `amsgrad` (Adam, AdamW).
    public var amsgrad: Bool = false
    /// `maximize`: negate the gradient first.
    public var maximize: Bool = false
    /// `decoupled_weight_decay` (Adam, NAdam, RAdam; always true for AdamW).
    public var decoupledWeightDecay: Bool = false
    /// `lr_decay` (Adagrad).
    public var lrDecay: Double = 0
    /// `initial_accumulator_value` (Adagrad).
    public var initialAccumulatorValue: Double = 0
    /// `alpha`: smoothing constant (RMSprop).
    public var alpha: Double = 0.99
    /// `centered` (RMSprop).
    public var centered: Bool = false
    /// `rho` (Adadelta).
    public var rho: Double = 0.9
    /// `momentum_decay` (NAdam).
    public var momentumDecay: Double = 4e-3
    /// `etas[0]`: multiplicative decrease factor (Rprop).
    public var etaMinus: Double = 0.5
    /// `etas[1]`: multiplicative increase factor (Rprop).
    public var etaPlus: Double = 1.2
    /// `step_sizes[0]`: minimal step size (Rprop).
    public var stepSizeMin: Double = 1e-6
    /// `step_sizes[1]`: maximal step size (Rprop).
    public var stepSizeMax: Double = 50

    /// Neutral values; use `OptimizerSpec(kind:)` for an optimizer's defaults.
    public init() {}
}
