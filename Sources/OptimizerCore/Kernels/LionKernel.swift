/// One fused pass of Lion with optax's semantics (docs/optimizer-math.md §1.13): slot0 = exp_avg (optax `mu`).
///
/// `c = (1 − b1)·g + b1·m`; `u = sign(c)`; `m = (1 − b2)·g + b2·m`; `p = p + (−lr)·(u + wd·p)`, each
/// operation rounded separately (no fused multiply-add), as NumPy/JAX evaluate the optax expressions.
struct LionKernel<S: KernelScalar> {
    var oneMinusB1: S
    var b1: S
    var oneMinusB2: S
    var b2: S
    var weightDecay: S
    var negLR: S

    init(_ h: Hyperparameters, lr: Double) {
        oneMinusB1 = S(1 - h.beta1)
        b1 = S(h.beta1)
        oneMinusB2 = S(1 - h.beta2)
        b2 = S(h.beta2)
        weightDecay = S(h.weightDecay)
        negLR = S(-lr)
    }

    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, m = x.slot0
        let a1 = oneMinusB1, b1 = b1, a2 = oneMinusB2, b2 = b2, wd = weightDecay, negLR = negLR
        transform.forEach(range, x.grad) { i, g in
            let mi = m[i]
            let c = a1 * g + b1 * mi
            m[i] = a2 * g + b2 * mi
            let pi = p[i]
            p[i] = pi + negLR * (ATen.sign(c) + wd * pi)
        }
    }
}
