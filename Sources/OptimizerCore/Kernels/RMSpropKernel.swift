/// One fused pass of RMSprop (optimizer-math.md §1.5): slot0 = square_avg, slot1 = momentum_buffer,
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

    @inline(__always)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, sq = x.slot0, buf = x.slot1, ga = x.slot2
        let wd = weightDecay, alpha = alpha, c = oneMinusAlpha, w = lerpWeight, eps = eps
        let centered = centered, mu = momentum, negLR = negLR
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            if let wd { g = g.addingProduct(p[i], wd) }
            let v = (sq[i] * alpha).addingProduct(c * g, g)
            sq[i] = v
            var avg: S
            if centered {
                let a = ATen.lerp(ga[i], g, w)
                ga[i] = a
                avg = v.addingProduct(-a, a).squareRoot()
            } else {
                avg = v.squareRoot()
            }
            avg = avg + eps
            if let mu {
                let b = buf[i] * mu + g / avg
                buf[i] = b
                p[i] = p[i].addingProduct(b, negLR)
            } else {
                p[i] = p[i] + (negLR * g) / avg
            }
        }
    }
}
