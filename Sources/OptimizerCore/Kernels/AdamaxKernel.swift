/// One fused pass of Adamax (docs/optimizer-math.md §1.7): slot0 = exp_avg, slot1 = exp_inf.
///
/// `m = lerp(m, g, 1 − β1)`; `u = max(u·β2, |g| + eps)`; `p = p + (−lr/bc1 · m) / u`.
struct AdamaxKernel<S: KernelScalar> {
    var weightDecay: S?
    var beta1Weight: LerpWeight<S>
    var beta2: S
    var eps: S
    var negCLR: S

    init(_ h: Hyperparameters, lr: Double, step t: Int) {
        weightDecay = h.weightDecay != 0 ? S(h.weightDecay) : nil
        beta1Weight = LerpWeight(1 - h.beta1)
        beta2 = S(h.beta2)
        eps = S(h.eps)
        let bc = 1 - LibM.pow(h.beta1, Double(t))
        negCLR = S(-(lr / bc))
    }

    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, m = x.slot0, u = x.slot1
        let wd = weightDecay, w = beta1Weight, beta2 = beta2, eps = eps, negCLR = negCLR
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            if let wd { g = g.addingProduct(p[i], wd) }
            let mi = ATen.lerp(m[i], g, w)
            m[i] = mi
            let ui = ATen.maximum(u[i] * beta2, abs(g) + eps)
            u[i] = ui
            p[i] = p[i] + (negCLR * mi) / ui
        }
    }
}
