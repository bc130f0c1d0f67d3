#if canImport(Glibc)
import Glibc

/// `mallopt(3)`: `malloc.h` is not part of Swift's Glibc module; the function has a plain C ABI
/// (two ints in, an int out), so binding it by symbol name is safe.
@_silgen_name("mallopt")
private func c_mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Settings that apply to the whole process, made once by the executable at start-up (never by a
/// library call, which a test or an embedding program could make in the middle of its run).
enum ProcessTuning {
    /// Makes glibc serve large allocations (request bodies, gradient buffers: tens of MB) from its
    /// main heap and keep freed memory for reuse, instead of fresh pages per request, whose page
    /// faults and zeroing cost about as much as the optimizer step for 10M parameters
    /// (BENCHMARKS.md). Freed memory is returned to the system only above 1 GiB of free heap.
    ///
    /// Three settings, all needed: no `mmap` per large block (`M_MMAP_THRESHOLD`), no trimming of
    /// the heap's free top (`M_TRIM_THRESHOLD`), and one arena (`M_ARENA_MAX`). Without the last,
    /// each Dispatch worker thread allocates from its own arena, whose heaps are at most 64 MiB: a
    /// 40 MB block gets a heap of its own that is unmapped when freed, so every 10M step faulted
    /// 40 MB of fresh pages. Call it before any thread starts. Does nothing where the C library is
    /// not glibc.
    static func keepLargeAllocations() {
        #if canImport(Glibc)
        _ = c_mallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD (malloc.h)
        _ = c_mallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        _ = c_mallopt(-8, 1)  // M_ARENA_MAX
        #endif
    }
}
