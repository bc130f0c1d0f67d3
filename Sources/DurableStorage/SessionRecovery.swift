/// What opening a session directory found and repaired.
public struct SessionRecovery: Sendable, Equatable {
    /// The session directory.
    public var path: String
    /// The generation recovered (the newest snapshot's).
    public var generation: UInt64
    /// The snapshot's payload size in bytes.
    public var snapshotByteCount: Int
    /// What the log scan found (records, truncated torn tail).
    public var log: LogRecovery
    /// True when the current generation's log was missing and was created empty: the process stopped
    /// inside a compaction after the new snapshot was in place.
    public var createdMissingLog: Bool
    /// Names of files deleted as leftovers: temporary files and superseded generations.
    public var removedFiles: [String]
    /// Names of files that do not belong to DurableStorage; left alone.
    public var unexpectedFiles: [String]

    /// Creates a report.
    public init(
        path: String, generation: UInt64, snapshotByteCount: Int, log: LogRecovery, createdMissingLog: Bool = false,
        removedFiles: [String] = [], unexpectedFiles: [String] = []
    ) {
        self.path = path
        self.generation = generation
        self.snapshotByteCount = snapshotByteCount
        self.log = log
        self.createdMissingLog = createdMissingLog
        self.removedFiles = removedFiles
        self.unexpectedFiles = unexpectedFiles
    }

    /// True when nothing had to be repaired or cleaned up.
    public var isClean: Bool { log.isClean && !createdMissingLog && removedFiles.isEmpty }
}
