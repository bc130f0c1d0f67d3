/// The memory one kernel call works on: a parameter tensor, its gradient and up to three state tensors,
/// all of the same element count and indexed alike.
///
/// The pointers are only valid inside the engine's `withUnsafe…` scope that created them; kernels never
/// store them.
struct TensorPointers<S: KernelScalar> {
    var param: UnsafeMutablePointer<S>
    var grad: UnsafePointer<S>
    var slot0: UnsafeMutablePointer<S>
    var slot1: UnsafeMutablePointer<S>
    var slot2: UnsafeMutablePointer<S>
}

/// How weight decay enters a step.
enum WeightDecay<S: KernelScalar> {
    /// `weight_decay == 0`: nothing.
    case none
    /// Coupled L2: `g = fma(p, wd, g)` (ATen's `add(p, alpha=wd)`).
    case l2(S)
    /// Decoupled: `p = p * factor` with `factor = S(1 − lr·wd)` before the update.
    case decoupled(S)

    init(weightDecay: Double, decoupled: Bool, lr: Double) {
        if weightDecay == 0 {
            self = .none
        } else if decoupled {
            self = .decoupled(S(1 - lr * weightDecay))
        } else {
            self = .l2(S(weightDecay))
        }
    }

    /// Applies the decay inside a kernel loop that was copied per mode, with the mode passed as two
    /// constants (at most one non-nil): L2 `g = fma(p, wd, g)`, or decoupled `p = p · factor`.
    @inline(__always)
    static func apply(_ p: inout S, _ g: inout S, l2: S?, factor: S?) {
        if let wd = l2 { g = g.addingProduct(p, wd) }
        if let f = factor { p = p * f }
    }
}
