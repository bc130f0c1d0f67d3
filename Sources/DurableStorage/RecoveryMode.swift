/// How opening a log treats an invalid record.
public enum RecoveryMode: Sendable, Equatable {
    /// The default. An invalid record with nothing valid after it is a torn tail (a write cut short by a
    /// crash): it is truncated away and reported in ``LogRecovery``. An invalid record followed by any
    /// valid record is corruption, and so is a record with valid checksums but the wrong sequence number
    /// (no torn write produces one): opening fails with ``StorageError/Kind/corruptFile`` and the file is
    /// left untouched, because truncating there could silently drop records that were acknowledged.
    case strict
    /// Operator override: truncate at the first invalid record even when valid records follow, keeping
    /// the valid prefix. ``LogRecovery/discardedValidRecords`` says whether anything valid was dropped.
    /// Use it only after a failed strict open, when losing the suffix is accepted.
    case salvage
}
