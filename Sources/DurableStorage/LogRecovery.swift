/// What opening a log found and repaired.
public struct LogRecovery: Sendable, Equatable {
    /// The log file.
    public var path: String
    /// The number of valid records read (and returned).
    public var recordCount: Int
    /// The file's size after recovery: header plus valid records.
    public var validByteCount: Int
    /// Bytes cut off the end of the file (a torn tail); 0 for a clean file.
    public var discardedByteCount: Int
    /// Why bytes were cut off, with the byte offset (for example "byte 4128: record of 4096 payload bytes
    /// extends past the end of the file"); `nil` for a clean file.
    public var discardReason: String?

    /// Creates a report.
    public init(
        path: String, recordCount: Int, validByteCount: Int, discardedByteCount: Int = 0,
        discardReason: String? = nil
    ) {
        self.path = path
        self.recordCount = recordCount
        self.validByteCount = validByteCount
        self.discardedByteCount = discardedByteCount
        self.discardReason = discardReason
    }

    /// True when nothing was cut off.
    public var isClean: Bool { discardedByteCount == 0 }
}
