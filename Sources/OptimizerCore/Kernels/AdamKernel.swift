/// One fused pass of Adam / AdamW (docs/optimizer-math.md §1.2, §1.3) with `torch.optim.Adam`'s single-tensor
/// rounding: slot0 = exp_avg, slot1 = exp_avg_sq, slot2 = max_exp_avg_sq (AMSGrad only).
///
/// Per element, in ATen's order: decay (L2 `g = fma(p, wd, g)` or decoupled `p *= 1 − lr·wd`);
/// `m = lerp(m, g, 1 − β1)`; `v = fma((1 − β2)·g, g, v·β2)`; AMSGrad `vmax = max(vmax, v)`;
/// `denom = sqrt(v) / sqrt(bc2) + eps`; `p = p + (−lr/bc1 · m) / denom`.
struct AdamKernel<S: KernelScalar> {
    var decay: WeightDecay<S>
    var moments: AdamMoments<S>
    var sqrtBC2: S
    var eps: S
    var negStepSize: S
    var amsgrad: Bool

    /// Coefficients for a parameter whose step count after incrementing is `t`.
    init(_ h: Hyperparameters, lr: Double, step t: Int) {
        let step = Double(t)
        let bc1 = 1 - LibM.pow(h.beta1, step)
        let bc2 = 1 - LibM.pow(h.beta2, step)
        decay = WeightDecay(weightDecay: h.weightDecay, decoupled: h.decoupledWeightDecay, lr: lr)
        moments = AdamMoments(beta1: h.beta1, beta2: h.beta2)
        sqrtBC2 = S(LibM.pow(bc2, 0.5))
        eps = S(h.eps)
        negStepSize = S(-(lr / bc1))
        amsgrad = h.amsgrad
    }

    /// Runs the kernel; the weight-decay mode and AMSGrad are fixed per loop copy so that each copy is
    /// branch-free and vectorizes.
    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        switch (decay, amsgrad) {
        case (.none, false): loop(x, range, transform, l2: nil, factor: nil, amsgrad: false)
        case (.none, true): loop(x, range, transform, l2: nil, factor: nil, amsgrad: true)
        case (.l2(let wd), false): loop(x, range, transform, l2: wd, factor: nil, amsgrad: false)
        case (.l2(let wd), true): loop(x, range, transform, l2: wd, factor: nil, amsgrad: true)
        case (.decoupled(let f), false): loop(x, range, transform, l2: nil, factor: f, amsgrad: false)
        case (.decoupled(let f), true): loop(x, range, transform, l2: nil, factor: f, amsgrad: true)
        }
    }

    @inline(__always)
    private func loop(
        _ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>,
        l2: S?, factor: S?, amsgrad: Bool
    ) {
        let (p, m, v, vmax) = (x.param, x.slot0, x.slot1, x.slot2)
        let moments = moments, sqrtBC2 = sqrtBC2, eps = eps, negStepSize = negStepSize
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            var pi = p[i]
            WeightDecay.apply(&pi, &g, l2: l2, factor: factor)
            let (mi, vi) = moments.update(m, v, i, g)
            var vv = vi
            if amsgrad {
                vv = ATen.maximum(vmax[i], vi)
                vmax[i] = vv
            }
            let denom = ATen.sqrt(vv) / sqrtBC2 + eps
            p[i] = pi + (negStepSize * mi) / denom
        }
    }
}
