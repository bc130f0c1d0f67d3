/// The moment update that Adam, AdamW, NAdam and RAdam share (docs/optimizer-math.md §1.2), after the
/// weight decay: `m = lerp(m, g, 1 − β1)` and `v = fma((1 − β2)·g, g, v·β2)`, in ATen's rounding.
struct AdamMoments<S: KernelScalar> {
    var beta1Weight: LerpWeight<S>
    var beta2: S
    var oneMinusBeta2: S

    init(beta1: Double, beta2: Double) {
        beta1Weight = LerpWeight(1 - beta1)
        self.beta2 = S(beta2)
        oneMinusBeta2 = S(1 - beta2)
    }

    /// Updates and stores element `i` of `m` (exp_avg) and `v` (exp_avg_sq) for gradient `g`;
    /// returns the new values.
    @inline(__always)
    func update(_ m: UnsafeMutablePointer<S>, _ v: UnsafeMutablePointer<S>, _ i: Int, _ g: S) -> (m: S, v: S) {
        let mi = ATen.lerp(m[i], g, beta1Weight)
        let vi = (v[i] * beta2).addingProduct(oneMinusBeta2 * g, g)
        m[i] = mi
        v[i] = vi
        return (mi, vi)
    }
}
