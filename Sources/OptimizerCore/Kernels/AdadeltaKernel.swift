/// One fused pass of Adadelta (docs/optimizer-math.md §1.6): slot0 = square_avg, slot1 = acc_delta.
///
/// `v = fma((1 − ρ)·g, g, v·ρ)`; `delta = sqrt(u + eps) / sqrt(v + eps) · g` (old `u`);
/// `u = fma((1 − ρ)·delta, delta, u·ρ)`; `p = fma(delta, −lr, p)`.
struct AdadeltaKernel<S: KernelScalar> {
    var weightDecay: S?
    var rho: S
    var oneMinusRho: S
    var eps: S
    var negLR: S

    init(_ h: Hyperparameters, lr: Double) {
        weightDecay = h.weightDecay != 0 ? S(h.weightDecay) : nil
        rho = S(h.rho)
        oneMinusRho = S(1 - h.rho)
        eps = S(h.eps)
        negLR = S(-lr)
    }

    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, sq = x.slot0, acc = x.slot1
        let wd = weightDecay, rho = rho, c = oneMinusRho, eps = eps, negLR = negLR
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            if let wd { g = g.addingProduct(p[i], wd) }
            let v = (sq[i] * rho).addingProduct(c * g, g)
            sq[i] = v
            let std = ATen.sqrt(v + eps)
            let u = acc[i]
            let delta = (ATen.sqrt(u + eps) / std) * g
            acc[i] = (u * rho).addingProduct(c * delta, delta)
            p[i] = p[i].addingProduct(delta, negLR)
        }
    }
}
