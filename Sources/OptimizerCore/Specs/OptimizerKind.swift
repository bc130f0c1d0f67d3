/// The optimizers optd runs: PyTorch 2.15's `torch.optim` classes (in snake_case) plus Lion (optax).
///
/// The raw value is the API's `type` string.
public enum OptimizerKind: String, CaseIterable, Sendable, Hashable {
    /// `torch.optim.SGD`: momentum, dampening, Nesterov, L2 weight decay (docs/optimizer-math.md §1.1).
    case sgd
    /// `torch.optim.Adam` (Kingma & Ba, Algorithm 1; eps outside the square root), with AMSGrad and
    /// optional decoupled weight decay (docs/optimizer-math.md §1.2).
    case adam
    /// `torch.optim.AdamW`: Adam with decoupled weight decay `p *= 1 - lr·wd`, default wd 1e-2
    /// (docs/optimizer-math.md §1.3).
    case adamw
    /// `torch.optim.Adagrad` with lr decay and an initial accumulator value (docs/optimizer-math.md §1.4).
    case adagrad
    /// `torch.optim.RMSprop`, optionally centered and with momentum (lr outside the buffer)
    /// (docs/optimizer-math.md §1.5).
    case rmsprop
    /// `torch.optim.Adadelta` (eps inside both square roots) (docs/optimizer-math.md §1.6).
    case adadelta
    /// `torch.optim.Adamax`: infinity-norm Adam (docs/optimizer-math.md §1.7).
    case adamax
    /// `torch.optim.NAdam` with momentum decay and optional decoupled weight decay (docs/optimizer-math.md §1.8).
    case nadam
    /// `torch.optim.RAdam`: rectified Adam, SGD-with-momentum while rho_t <= 5 (docs/optimizer-math.md §1.9).
    case radam
    /// `torch.optim.Rprop`, the iRprop− variant (docs/optimizer-math.md §1.11).
    case rprop
    /// Lion (Chen et al. 2023, arXiv 2302.06675) with optax's semantics: sign update, decoupled weight
    /// decay multiplied by lr (docs/optimizer-math.md §1.13).
    case lion
}
