/// One fused pass of RMSprop (docs/optimizer-math.md §1.5): slot0 = square_avg, slot1 = momentum_buffer,
/// slot2 = grad_avg.
///
/// `v = fma((1 − α)·g, g, v·α)`; centered: `ga = lerp(ga, g, 1 − α)`, `avg = sqrt(fma(−ga, ga, v)) + eps`,
/// else `avg = sqrt(v) + eps`; momentum: `buf = buf·μ + g/avg`, `p = fma(buf, −lr, p)`; else
/// `p = p + (−lr·g) / avg`.
struct RMSpropKernel<S: KernelScalar> {
    var weightDecay: S?
    var alpha: S
    var oneMinusAlpha: S
    var lerpWeight: LerpWeight<S>
    var eps: S
    var centered: Bool
    var momentum: S?
    var negLR: S

    init(_ h: Hyperparameters, lr: Double, momentum: Double) {
        weightDecay = h.weightDecay != 0 ? S(h.weightDecay) : nil
        alpha = S(h.alpha)
        oneMinusAlpha = S(1 - h.alpha)
        lerpWeight = LerpWeight(1 - h.alpha)
        eps = S(h.eps)
        centered = h.centered
        self.momentum = momentum > 0 ? S(momentum) : nil
        negLR = S(-lr)
    }

    /// Runs the kernel with `centered` and momentum fixed per loop copy (branch-free, vectorizable).
    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        switch (centered, momentum) {
        case (false, nil): loop(x, range, transform, centered: false, momentum: nil)
        case (true, nil): loop(x, range, transform, centered: true, momentum: nil)
        case (false, let mu?): loop(x, range, transform, centered: false, momentum: mu)
        case (true, let mu?): loop(x, range, transform, centered: true, momentum: mu)
        }
    }

    @inline(__always)
    private func loop(
        _ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>,
        centered: Bool, momentum: S?
    ) {
        let p = x.param, sq = x.slot0, buf = x.slot1, ga = x.slot2
        let wd = weightDecay, alpha = alpha, c = oneMinusAlpha, w = lerpWeight, eps = eps, negLR = negLR
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            if let wd { g = g.addingProduct(p[i], wd) }
            let v = (sq[i] * alpha).addingProduct(c * g, g)
            sq[i] = v
            var avg: S
            if centered {
                let a = ATen.lerp(ga[i], g, w)
                ga[i] = a
                avg = ATen.sqrt(v.addingProduct(-a, a))
            } else {
                avg = ATen.sqrt(v)
            }
            avg = avg + eps
            if let mu = momentum {
                let b = buf[i] * mu + g / avg
                buf[i] = b
                p[i] = p[i].addingProduct(b, negLR)
            } else {
                p[i] = p[i] + (negLR * g) / avg
            }
        }
    }
}
