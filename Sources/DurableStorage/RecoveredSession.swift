/// A session read back from disk: the state to rebuild (snapshot, then records in order) and the open
/// ``SessionDirectory`` to keep appending to.
public struct RecoveredSession: Sendable {
    /// The session directory's name (the session id).
    public var name: String
    /// The open session, positioned after the last valid record.
    public var session: SessionDirectory
    /// The newest snapshot's bytes, exactly as passed to `create` or `compact`.
    public var snapshot: [UInt8]
    /// The records appended after that snapshot, in append order, exactly as passed to `append`.
    public var records: [[UInt8]]
    /// What recovery found and repaired.
    public var recovery: SessionRecovery

    /// Creates a value.
    public init(
        name: String, session: SessionDirectory, snapshot: [UInt8], records: [[UInt8]], recovery: SessionRecovery
    ) {
        self.name = name
        self.session = session
        self.snapshot = snapshot
        self.records = records
        self.recovery = recovery
    }
}
