/// One fused pass of RAdam (docs/optimizer-math.md §1.9): slot0 = exp_avg, slot1 = exp_avg_sq.
///
/// Decay (L2 or decoupled); `m = lerp(m, g, 1 − β1)`; `v = fma((1 − β2)·g, g, v·β2)`; `m̂ = m / bc1`;
/// if `rho_t > 5`: `p = p − ((m̂·lr) · (1/(sqrt(v) + eps))·sqrt(bc2)) · r`, else `p = p − m̂·lr`
/// (PyTorch's operation order: `__rtruediv__` is a reciprocal times the scalar).
struct RAdamKernel<S: KernelScalar> {
    var decay: WeightDecay<S>
    var moments: AdamMoments<S>
    var bc1: S
    var lr: S
    var eps: S
    var sqrtBC2: S
    var rect: S?

    init(_ h: Hyperparameters, lr: Double, step t: Int) {
        let step = Double(t)
        decay = WeightDecay(weightDecay: h.weightDecay, decoupled: h.decoupledWeightDecay, lr: lr)
        moments = AdamMoments(beta1: h.beta1, beta2: h.beta2)
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
        let moments = moments, bc1 = bc1, lr = lr
        let eps = eps, sqrtBC2 = sqrtBC2
        if let rect {
            transform.forEach(range, x.grad) { i, g0 in
                var g = g0
                var pi = p[i]
                WeightDecay.apply(&pi, &g, l2: l2, factor: factor)
                let (mi, vi) = moments.update(m, v, i, g)
                let adaptive = (1 / (ATen.sqrt(vi) + eps)) * sqrtBC2
                let update = (((mi / bc1) * lr) * adaptive) * rect
                p[i] = pi - update
            }
        } else {
            transform.forEach(range, x.grad) { i, g0 in
                var g = g0
                var pi = p[i]
                WeightDecay.apply(&pi, &g, l2: l2, factor: factor)
                let mi = moments.update(m, v, i, g).m
                p[i] = pi - (mi / bc1) * lr
            }
        }
    }
}
