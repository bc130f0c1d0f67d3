/// One fused pass of Adagrad (docs/optimizer-math.md §1.4): slot0 = sum.
///
/// `g = fma(p, wd, g)`; `sum = fma(g, g, sum)`; `p = p + (−clr · g) / (sqrt(sum) + eps)` with
/// `clr = lr / (1 + (t − 1)·lr_decay)`.
struct AdagradKernel<S: KernelScalar> {
    var weightDecay: S?
    var eps: S
    var negCLR: S

    init(_ h: Hyperparameters, lr: Double, step t: Int) {
        weightDecay = h.weightDecay != 0 ? S(h.weightDecay) : nil
        eps = S(h.eps)
        let clr = lr / (1 + (Double(t) - 1) * h.lrDecay)
        negCLR = S(-clr)
    }

    @inline(never)
    func run(_ x: TensorPointers<S>, _ range: Range<Int>, _ transform: GradientTransform<S>) {
        let p = x.param, sum = x.slot0, wd = weightDecay, eps = eps, negCLR = negCLR
        transform.forEach(range, x.grad) { i, g0 in
            var g = g0
            if let wd { g = g.addingProduct(p[i], wd) }
            let s = sum[i].addingProduct(g, g)
            sum[i] = s
            p[i] = p[i] + (negCLR * g) / (ATen.sqrt(s) + eps)
        }
    }
}
