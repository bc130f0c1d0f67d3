/// One fused pass of RAdam (optimizer-math.md §1.9): slot0 = exp_avg, slot1 = exp_avg_sq.
///
/// Decay (L2 or decoupled); `m = lerp(m, g, 1 − β1)`; `v = fma((1 − β2)·g, g, v·β2)`; `m̂ = m / bc1`;
/// if `rho_t > 5`: `p = p − ((m̂·lr) · (1/(sqrt(v) + eps))·sqrt(bc2)) · r`, else `p = p − m̂·lr`
/// (PyTorch's operation order: `__rtruediv__` is a reciprocal times the scalar).
struct RAdamKernel<S: KernelScalar> {
    var decay: WeightDecay<S>
    var beta1Weight: LerpWeight<S>
    var beta2: S
    var oneMinusBeta2: S
    var bc1: S
    var lr: S
    var eps: S
    var sqrtBC2: S
    var rect: S?

    init(_ h: Hyperparameters, lr: Double, step t: Int) {
        let step = Double(t)
        decay = WeightDecay(weightDecay: h.weightDecay, decoupled: h.decoupledWeightDecay, lr: lr)
        beta1Weight = LerpWeight(1 - h.beta1)
        beta2 = S(h.beta2)
        oneMinusBeta2 = S(1 - h.beta2)
        let bc1 = 1 - LibM.pow(h.beta1, step)
        let beta2t = LibM.pow(h.beta2, step)
        let bc2 = 1 - beta2t
        self.bc1 = S(bc1)
        self.lr = S(lr)
        eps = S(h.eps)
        sqrtBC2 = S(LibM.pow(bc2, 0.5))
        let rhoInf = 2 / (1 - h.beta2) - 1
        let rhoT = rhoInf - 2 * step * beta2t / bc2
        if rhoT > 5.0 {
            let r = LibM.pow((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5)
            rect = S(r)
        } else {
            rect = nil
        }
    }

    /// Runs the kernel with the weight-decay mode and the rectification branch fixed per loop copy.
    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        switch decay {
        case .none: loop(x, range, transform, l2: nil, factor: nil)
        case .l2(let wd): loop(x, range, transform, l2: wd, factor: nil)
        case .decoupled(let f): loop(x, range, transform, l2: nil, factor: f)
        }
    }

    @inline(__always)
    private func loop(
        _ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>, l2: S?, factor: S?
    ) {
        let p = x.param, m = x.slot0, v = x.slot1
        let w = beta1Weight, beta2 = beta2, c2 = oneMinusBeta2, bc1 = bc1, lr = lr
        let eps = eps, sqrtBC2 = sqrtBC2
        if let rect {
            transform.forEach(range, x.grad) { i, g0 in
                var g = g0
                var pi = p[i]
                if let wd = l2 { g = g.addingProduct(pi, wd) }
                if let f = factor { pi = pi * f }
                let mi = ATen.lerp(m[i], g, w)
                let vi = (v[i] * beta2).addingProduct(c2 * g, g)
                m[i] = mi
                v[i] = vi
                let adaptive = (1 / (ATen.sqrt(vi) + eps)) * sqrtBC2
                let update = (((mi / bc1) * lr) * adaptive) * rect
                p[i] = pi - update
            }
        } else {
            transform.forEach(range, x.grad) { i, g0 in
                var g = g0
                var pi = p[i]
                if let wd = l2 { g = g.addingProduct(pi, wd) }
                if let f = factor { pi = pi * f }
                let mi = ATen.lerp(m[i], g, w)
                let vi = (v[i] * beta2).addingProduct(c2 * g, g)
                m[i] = mi
                v[i] = vi
                p[i] = pi - (mi / bc1) * lr
            }
        }
    }
}
