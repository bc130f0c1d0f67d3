#if canImport(Glibc)
import Glibc
#endif

/// How much memory this process may use: the container's cgroup limit where one is set, else the
/// machine's physical memory.
public enum MemoryInfo {
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
