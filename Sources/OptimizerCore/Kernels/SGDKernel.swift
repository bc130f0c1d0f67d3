/// One fused pass of SGD (docs/optimizer-math.md §1.1): slot0 = momentum_buffer.
///
/// `g = fma(p, wd, g)`; with momentum, `buf = g` on the first step, else `buf = fma(g, 1 − dampening,
/// buf·momentum)`; Nesterov `g = fma(buf, momentum, g)`, else `g = buf`; `p = fma(g, −lr, p)`.
struct SGDKernel<S: KernelScalar> {
    var weightDecay: S?
    var momentum: S?
    var oneMinusDampening: S
    var nesterov: Bool
    var negLR: S
    var firstStep: Bool

    init(_ h: Hyperparameters, lr: Double, momentum: Double, bufferExists: Bool) {
        weightDecay = h.weightDecay != 0 ? S(h.weightDecay) : nil
        self.momentum = momentum != 0 ? S(momentum) : nil
        oneMinusDampening = S(1 - h.dampening)
        nesterov = h.nesterov
        negLR = S(-lr)
        firstStep = !bufferExists
    }

    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, buf = x.slot0
        let wd = weightDecay, negLR = negLR, nesterov = nesterov, first = firstStep, d = oneMinusDampening
        if let mu = momentum {
            transform.forEach(range, x.grad) { i, g0 in
                var g = g0
                if let wd { g = g.addingProduct(p[i], wd) }
                let b = first ? g : (buf[i] * mu).addingProduct(g, d)
                buf[i] = b
                g = nesterov ? g.addingProduct(b, mu) : b
                p[i] = p[i].addingProduct(g, negLR)
            }
        } else {
            transform.forEach(range, x.grad) { i, g0 in
                var g = g0
                if let wd { g = g.addingProduct(p[i], wd) }
                p[i] = p[i].addingProduct(g, negLR)
            }
        }
    }
}
