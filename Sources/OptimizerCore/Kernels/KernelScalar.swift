typealias KernelScalar = EngineScalar

/// Per-element helpers that reproduce one ATen operation each, with ATen's rounding (docs/optimizer-math.md §1.15).
enum ATen {
    /// `torch.lerp(a, b, w)` as ATen's vectorized kernel computes it: `fma(w, b − a, a)` when `|w| < 0.5`,
    /// else `fma(w − 1, b − a, b)`. `coefficient` and `useStart` come from `LerpWeight`.
    @inline(__always)
    static func lerp<S: KernelScalar>(_ a: S, _ b: S, _ w: LerpWeight<S>) -> S {
        let d = b - a
        return (w.small ? a : b).addingProduct(w.coefficient, d)
    }

    /// `torch.sign`: 1, −1 or 0 (finite inputs).
    @inline(__always)
    static func sign<S: KernelScalar>(_ x: S) -> S {
        x > 0 ? 1 : (x < 0 ? -1 : 0)
    }

    /// `torch.maximum` for non-NaN inputs.
    @inline(__always)
    static func maximum<S: KernelScalar>(_ a: S, _ b: S) -> S {
        a > b ? a : b
    }
}

/// A `lerp_` weight prepared once per tensor: ATen's branch on `|w| < 0.5` and the matching coefficient.
struct LerpWeight<S: KernelScalar> {
    /// `|w| < 0.5`: the result is `start + w·(end − start)`; otherwise `end + (w − 1)·(end − start)`.
    var small: Bool
    /// `w` or `w − 1` (exact for w in [0.5, 1]).
    var coefficient: S

    /// Prepares weight `w` (a Python double, cast to the tensor dtype first as ATen does).
    init(_ w: Double) {
        let weight = S(w)
        small = abs(weight) < 0.5
        coefficient = small ? weight : weight - 1
    }
}

/// What happens to the gradient before the optimizer reads it: clipping (already decided for the whole
/// step) and `maximize`.
struct GradientTransform<S: KernelScalar> {
    enum Clip {
        case none
        /// `g * coefficient` (clip_grad_norm_; the coefficient is always applied, also when it is 1).
        case scale(S)
        /// `min(max(g, −c), c)` (clip_grad_value_).
        case clamp(S)
    }

    var clip: Clip
    var maximize: Bool

    /// Runs `body(i, g)` for every `i` in `range` with the transformed gradient; the loop is duplicated per
    /// case so that each copy is branch-free and vectorizable.
    @inline(__always)
    func forEach(_ range: Range<Int>, _ grad: UnsafePointer<S>, _ body: (Int, S) -> Void) {
        switch (clip, maximize) {
        case (.none, false):
            for i in range { body(i, grad[i]) }
        case (.none, true):
            for i in range { body(i, -grad[i]) }
        case (.scale(let c), false):
            for i in range { body(i, grad[i] * c) }
        case (.scale(let c), true):
            for i in range { body(i, -(grad[i] * c)) }
        case (.clamp(let c), false):
            for i in range { body(i, min(max(grad[i], -c), c)) }
        case (.clamp(let c), true):
            for i in range { body(i, -min(max(grad[i], -c), c)) }
        }
    }
}

// LLVM's `sqrt` intrinsics: IEEE correctly rounded square roots that the vectorizer turns into
// `sqrtps`/`vsqrtps`. `Float.squareRoot()` lowers to a libm call guarded by an errno branch on Linux,
// which keeps every loop that uses it scalar.
@_silgen_name("llvm.sqrt.f32") private func llvmSqrt(_ x: Float) -> Float
@_silgen_name("llvm.sqrt.f64") private func llvmSqrt(_ x: Double) -> Double

extension ATen {
    /// The correctly rounded square root (`std::sqrt`; NaN for negative inputs), vectorizable.
    @inline(__always)
    static func sqrt<S: KernelScalar>(_ x: S) -> S {
        if S.self == Float.self { return unsafeBitCast(llvmSqrt(unsafeBitCast(x, to: Float.self)), to: S.self) }
        if S.self == Double.self { return unsafeBitCast(llvmSqrt(unsafeBitCast(x, to: Double.self)), to: S.self) }
        return x.squareRoot()
    }
}
