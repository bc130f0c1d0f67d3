import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splitting a large element-wise kernel across cores.
enum Parallel {
    /// Online processors, at least 1.
    static let processorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Tensors with fewer elements run on the calling thread (Dispatch overhead is a few µs).
    static let threshold = 1 << 16

    /// Runs `body` over `0..<count` in up to `threads` chunks whose bounds are multiples of 16 elements
    /// (64-byte cache lines for Float), on the calling thread when the tensor is small.
    ///
    /// Element-wise kernels give the same bits however the range is split.
    @inline(__always)
    static func forEachChunk(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(threads, count / (threshold / 2))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        let per = ((count + chunks - 1) / chunks + 15) & ~15
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = min(count, c * per)
                let end = min(count, start + per)
                if start < end { box.value(start..<end) }
            }
        }
    }
}

/// Carries a non-Sendable value into `concurrentPerform`, whose iterations only touch disjoint ranges of
/// the buffers the value points to and all finish before `forEachChunk` returns.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
