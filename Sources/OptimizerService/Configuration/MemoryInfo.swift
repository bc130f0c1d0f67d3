#if canImport(Glibc)
import Glibc
#endif

#if canImport(Glibc)
/// `mallopt(3)`: `malloc.h` is not part of Swift's Glibc module; the function has a plain C ABI
/// (two ints in, an int out), so binding it by symbol name is safe.
@_silgen_name("mallopt")
private func c_mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// How much memory this process may use: the container's cgroup limit where one is set, else the
/// machine's physical memory.
public enum MemoryInfo {
    /// Makes glibc serve large allocations (request bodies, gradient buffers: tens of MB) from its
    /// main heap and keep freed memory for reuse, instead of fresh pages per request, whose page
    /// faults and zeroing cost about as much as the optimizer step for 10M parameters
    /// (BENCHMARKS.md). Freed memory is returned to the system only above 1 GiB of free heap.
    ///
    /// Three settings, all needed: no `mmap` per large block (`M_MMAP_THRESHOLD`), no trimming of
    /// the heap's free top (`M_TRIM_THRESHOLD`), and one arena (`M_ARENA_MAX`). Without the last,
    /// each Dispatch worker thread allocates from its own arena, whose heaps are at most 64 MiB: a
    /// 40 MB block gets a heap of its own that is unmapped when freed, so every 10M step faulted
    /// 40 MB of fresh pages. Call it before any thread starts.
    public static func keepLargeAllocations() {
        #if canImport(Glibc)
        _ = c_mallopt(-3, 1 << 30)  // M_MMAP_THRESHOLD (malloc.h)
        _ = c_mallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        _ = c_mallopt(-8, 1)  // M_ARENA_MAX
        #endif
    }

    /// Half of `available()`: the default budget for all session state.
    public static func defaultBudget() -> Int {
        available() / 2
    }

    /// The cgroup v2 (`memory.max`) or v1 (`memory.limit_in_bytes`) limit if it is lower than the
    /// physical memory, else the physical memory (`sysconf(_SC_PHYS_PAGES) × _SC_PAGESIZE`).
    public static func available() -> Int {
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        let limits = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
            .compactMap(readInteger(path:))
        return ([physical] + limits).filter { $0 > 0 }.min() ?? physical
    }

    /// The decimal integer at the start of a small file, or nil (missing file, `max`, garbage).
    private static func readInteger(path: String) -> Int? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Int(text.trimmingNewline())
    }
}

extension String {
    fileprivate func trimmingNewline() -> Substring {
        self[...].prefix { $0 != "\n" }
    }
}
