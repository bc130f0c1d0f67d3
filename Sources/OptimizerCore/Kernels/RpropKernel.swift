/// One fused pass of Rprop, iRprop− (docs/optimizer-math.md §1.11): slot0 = prev, slot1 = step_size.
///
/// `s = sign(g·prev)`; `f = etaplus | etaminus | 1`; `step = clamp(step·f, min, max)`; on a sign flip
/// `g = 0`; `p = fma(−sign(g), step, p)`; `prev = g`. `initialStepSize` (= lr) fills step_size on the
/// parameter's first step.
struct RpropKernel<S: KernelScalar> {
    var etaMinus: S
    var etaPlus: S
    var stepMin: S
    var stepMax: S
    var initialStepSize: S?

    init(_ h: Hyperparameters, lr: Double, firstStep: Bool) {
        etaMinus = S(h.etaMinus)
        etaPlus = S(h.etaPlus)
        stepMin = S(h.stepSizeMin)
        stepMax = S(h.stepSizeMax)
        initialStepSize = firstStep ? S(lr) : nil
    }

    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, prev = x.slot0, size = x.slot1
        let em = etaMinus, ep = etaPlus, lo = stepMin, hi = stepMax
        if let initial = initialStepSize {
            for i in range { size[i] = initial }
        }
        transform.forEach(range, x.grad) { i, g0 in
            let s = g0 * prev[i]
            let f: S = s > 0 ? ep : (s < 0 ? em : 1)
            let step = min(max(size[i] * f, lo), hi)
            size[i] = step
            let g: S = f == em ? 0 : g0
            p[i] = p[i].addingProduct(-ATen.sign(g), step)
            prev[i] = g
        }
    }
}
