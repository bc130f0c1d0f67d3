import Dispatch

/// Gradient norms as PyTorch's `torch.linalg.vector_norm` computes them on CPU, for clipping and reporting.
enum GradientNorm {
    /// PyTorch's L2 norm of `n` elements.
    ///
    /// float32 reproduces ATen's `norm_kernel_tensor_iterator_impl` fast path bit for bit (checked against
    /// torch 2.15 on this machine): 8 float lanes accumulating `acc += x·x` (multiply, then add), the lanes
    /// folded left to right, then the `n mod 8` tail: a block of 4 as `b = b + x·x`, the rest as
    /// `b = fma(x, x, b)`; `sqrt` in float. float64 likewise with 4 lanes and an all-FMA tail (also bit for
    /// bit, determined against torch 2.15 on this machine).
    @inline(__always)
    static func l2<S: EngineScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
        ATen.sqrt(sumOfSquares(x, n))
    }

    /// The sum of squares `l2` takes the square root of (same order of operations).
    @inline(__always)
    static func sumOfSquares<S: EngineScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
        if S.self == Double.self {
            // float64: 4 lanes (`acc += x·x`, multiply then add), folded left to right, then the `n mod 4`
            // tail as `b = fma(x, x, b)` (matches torch 2.15 on this machine bit for bit).
            var a0: S = 0, a1: S = 0, a2: S = 0, a3: S = 0
            let full4 = n - n % 4
            var d = 0
            while d < full4 {
                a0 = a0 + x[d] * x[d]
                a1 = a1 + x[d + 1] * x[d + 1]
                a2 = a2 + x[d + 2] * x[d + 2]
                a3 = a3 + x[d + 3] * x[d + 3]
                d += 4
            }
            var b = ((a0 + a1) + a2) + a3
            while d < n {
                b = b.addingProduct(x[d], x[d])
                d += 1
            }
            return b
        }
        let full = n - n % 8
        var a0: S = 0, a1: S = 0, a2: S = 0, a3: S = 0, a4: S = 0, a5: S = 0, a6: S = 0, a7: S = 0
        var d = 0
        while d < full {
            a0 = a0 + x[d] * x[d]
            a1 = a1 + x[d + 1] * x[d + 1]
            a2 = a2 + x[d + 2] * x[d + 2]
            a3 = a3 + x[d + 3] * x[d + 3]
            a4 = a4 + x[d + 4] * x[d + 4]
            a5 = a5 + x[d + 5] * x[d + 5]
            a6 = a6 + x[d + 6] * x[d + 6]
            a7 = a7 + x[d + 7] * x[d + 7]
            d += 8
        }
        var b = a0 + a1
        b = b + a2
        b = b + a3
        b = b + a4
        b = b + a5
        b = b + a6
        b = b + a7
        if n - d >= 4 {
            for _ in 0..<4 {
                b = b + x[d] * x[d]
                d += 1
            }
        }
        while d < n {
            b = b.addingProduct(x[d], x[d])
            d += 1
        }
        return b
    }

    /// The L2 norm of a large tensor split across `threads` cores: chunk sums of squares (each in `l2`'s
    /// order) added in chunk order. Agrees with `l2` to a few ULP, not bit for bit; used only for the reported
    /// norm when no clipping depends on it.
    static func l2Parallel<S: EngineScalar>(_ x: UnsafePointer<S>, _ n: Int, threads: Int) -> S {
        let chunks = min(threads, n / (1 << 20))
        if chunks <= 1 { return l2(x, n) }
        let per = ((n + chunks - 1) / chunks + 15) & ~15
        return withUnsafeTemporaryAllocation(of: S.self, capacity: chunks) { partial in
            let out = UncheckedSendable(partial)
            let input = UncheckedSendable(x)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = min(n, c * per)
                let end = min(n, start + per)
                out.value[c] = sumOfSquares(input.value + start, end - start)
            }
            var total: S = 0
            for c in 0..<chunks { total = total + partial[c] }
            return ATen.sqrt(total)
        }
    }

    /// PyTorch's L1 norm: a sequential sum of `|x|` (ATen's `NormOneOps` reduction, which is sequential
    /// below its 32768-element grain size; larger tensors use 8 lanes and agree to a few ULP).
    @inline(__always)
    static func l1<S: EngineScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
        if n < 32768 {
            var b: S = 0
            for i in 0..<n { b = b + abs(x[i]) }
            return b
        }
        var a0: S = 0, a1: S = 0, a2: S = 0, a3: S = 0, a4: S = 0, a5: S = 0, a6: S = 0, a7: S = 0
        let full = n - n % 8
        var d = 0
        while d < full {
            a0 = a0 + abs(x[d])
            a1 = a1 + abs(x[d + 1])
            a2 = a2 + abs(x[d + 2])
            a3 = a3 + abs(x[d + 3])
            a4 = a4 + abs(x[d + 4])
            a5 = a5 + abs(x[d + 5])
            a6 = a6 + abs(x[d + 6])
            a7 = a7 + abs(x[d + 7])
            d += 8
        }
        var b = ((((((a0 + a1) + a2) + a3) + a4) + a5) + a6) + a7
        while d < n {
            b = b + abs(x[d])
            d += 1
        }
        return b
    }

    /// The infinity norm: the largest `|x|` (exact in any order).
    @inline(__always)
    static func lInf<S: EngineScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
        var m: S = 0
        for i in 0..<n {
            let a = abs(x[i])
            m = a > m ? a : m
        }
        return m
    }

    /// The index of the first non-finite element, if any.
    static func firstNonFinite<S: EngineScalar>(_ x: UnsafePointer<S>, _ n: Int) -> Int? {
        for i in 0..<n where !x[i].isFinite { return i }
        return nil
    }
}
