/// One fused pass of NAdam (docs/optimizer-math.md §1.8): slot0 = exp_avg, slot1 = exp_avg_sq.
///
/// Decay (L2 or decoupled); `m = lerp(m, g, 1 − β1)`; `v = fma((1 − β2)·g, g, v·β2)`;
/// `denom = sqrt(v / bc2) + eps`; `p = p + (c1·g)/denom`; `p = p + (c2·m)/denom` with
/// `c1 = −lr(1 − μ)/(1 − μ_product)` and `c2 = −lr·μ_next/(1 − μ_product·μ_next)` in double.
struct NAdamKernel<S: KernelScalar> {
    var decay: WeightDecay<S>
    var moments: AdamMoments<S>
    var bc2: S
    var eps: S
    var gradCoefficient: S
    var avgCoefficient: S

    /// `muProduct` is the parameter's `mu_product` state, updated here in the session dtype.
    init(_ h: Hyperparameters, lr: Double, step t: Int, muProduct: inout S) {
        let step = Double(t)
        let bc2 = 1 - LibM.pow(h.beta2, step)
        decay = WeightDecay(weightDecay: h.weightDecay, decoupled: h.decoupledWeightDecay, lr: lr)
        let mu = h.beta1 * (1.0 - 0.5 * LibM.pow(0.96, step * h.momentumDecay))
        let muNext = h.beta1 * (1.0 - 0.5 * LibM.pow(0.96, (step + 1) * h.momentumDecay))
        muProduct = muProduct * S(mu)
        let product = Double(muProduct)
        let productNext = product * muNext
        moments = AdamMoments(beta1: h.beta1, beta2: h.beta2)
        self.bc2 = S(bc2)
        eps = S(h.eps)
        gradCoefficient = S(-lr * (1.0 - mu) / (1.0 - product))
        avgCoefficient = S((-lr * muNext) / (1.0 - productNext))
    }

    /// Runs the kernel with the weight-decay mode fixed per loop copy (branch-free, vectorizable).
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
        let moments = moments, bc2 = bc2, eps = eps
        let cg = gradCoefficient, cm = avgCoefficient
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            var pi = p[i]
            WeightDecay.apply(&pi, &g, l2: l2, factor: factor)
            let (mi, vi) = moments.update(m, v, i, g)
            let denom = ATen.sqrt(vi / bc2) + eps
            pi = pi + (cg * g) / denom
            p[i] = pi + (cm * mi) / denom
        }
    }
}
