/// When written data is forced to stable storage with `fdatasync(2)`/`fsync(2)`.
///
/// The policy governs log appends only. Structural changes (creating a session, compaction, deletion)
/// always sync files and directories, whatever the policy, so a power loss can never lose a whole
/// session or mix two generations; they are rare (compaction runs once the log outgrows the snapshot).
public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Every append is durable before it is acknowledged (survives kill -9 and power loss): one
    /// `fdatasync` per record, so the append latency includes the disk's flush latency.
    case always
    /// Appends are flushed at most this many seconds apart: a crash loses at most that window.
    ///
    /// The first append after a flush schedules one `fdatasync` `seconds` later; that flush covers every
    /// byte written before it starts. So a record written at time t is durable by t + `seconds` + the
    /// duration of the flush + Dispatch timer leeway (milliseconds). `seconds` must be finite and > 0.
    case interval(seconds: Double)
    /// Never forced; the kernel writes back when it likes (about 5 to 30 s on Linux). Survives kill -9,
    /// not power loss.
    case never

    /// Parses the command-line form: `always`, `never` or `interval=<seconds>` (for example
    /// `interval=1` or `interval=0.25`; seconds finite, > 0 and at most 86 400). Returns `nil` otherwise.
    public init?(argument: String) {
        switch argument {
        case "always": self = .always
        case "never": self = .never
        default:
            guard argument.hasPrefix("interval="), let seconds = Double(argument.dropFirst("interval=".count)),
                FsyncPolicy.isValidInterval(seconds)
            else { return nil }
            self = .interval(seconds: seconds)
        }
    }

    /// The command-line form, which ``init(argument:)`` parses back.
    public var description: String {
        switch self {
        case .always: "always"
        case .never: "never"
        case .interval(let seconds): "interval=\(seconds)"
        }
    }

    static func isValidInterval(_ seconds: Double) -> Bool {
        seconds.isFinite && seconds > 0 && seconds <= 86_400
    }

    /// Throws ``StorageError/Kind/invalidArgument`` for an interval that is not finite, positive and at
    /// most a day.
    func validate() throws(StorageError) {
        if case .interval(let seconds) = self, !FsyncPolicy.isValidInterval(seconds) {
            throw StorageError.invalid("fsync interval must be finite, > 0 and <= 86400 seconds, got \(seconds)")
        }
    }
}
