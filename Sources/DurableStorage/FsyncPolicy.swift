/// When written data is forced to stable storage with `fsync(2)`.
public enum FsyncPolicy: Sendable, Equatable {
    /// Every append is durable before it is acknowledged (survives kill -9 and power loss).
    case always
    /// Appends are flushed at most this many seconds apart: a crash loses at most that window.
    case interval(seconds: Double)
    /// Never forced; the kernel writes back when it likes (survives kill -9, not power loss).
    case never
}
