import Glibc

/// Every failure of DurableStorage: a failed system call (with its `errno`), a file whose content is
/// not trustworthy (with the file and what is wrong), or a misuse the caller can correct.
///
/// The error is a struct over a closed set of ``Kind``s so that new kinds can be added without breaking
/// clients; switch on ``kind`` (comparing with the static members) and print ``description`` for
/// operators: it names the file, the byte offset and the system call.
public struct StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a value a caller can act on.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: UInt8, Sendable {
            case systemCall, corruptFile, unsupportedVersion, notFound, alreadyExists, invalidArgument, closed,
                failed, locked
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// A system call failed; ``StorageError/operation`` names it and ``StorageError/errno`` holds its
        /// `errno` (an I/O error, a full disk, a permission problem, ...).
        public static let systemCall = Kind(.systemCall)
        /// A file's content failed validation (bad magic, checksum mismatch, wrong length, corruption in
        /// the middle of a log, inconsistent generations). The data must not be trusted.
        public static let corruptFile = Kind(.corruptFile)
        /// A file has a valid checksum but a format version this build does not read (written by a newer
        /// optd). Never truncated or repaired.
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// The file or directory does not exist.
        public static let notFound = Kind(.notFound)
        /// Creating something that already exists (a session directory, a log file).
        public static let alreadyExists = Kind(.alreadyExists)
        /// An argument was rejected before touching the disk (a session name with `/`, an interval that
        /// is not a positive finite number, a record larger than the limit).
        public static let invalidArgument = Kind(.invalidArgument)
        /// The object was closed or destroyed and cannot be used any more.
        public static let closed = Kind(.closed)
        /// An earlier write or `fsync` failed in a way that leaves the on-disk state unknown (for example
        /// `fdatasync` returned `EIO`, after which Linux may have dropped the dirty pages). Every later
        /// operation fails with this kind; reopen the session from disk to continue.
        public static let failed = Kind(.failed)
        /// Another process (or another ``DataDirectory`` in this process) holds the data directory lock.
        public static let locked = Kind(.locked)

        /// The kind's name, for logs.
        public var description: String {
            switch code {
            case .systemCall: "systemCall"
            case .corruptFile: "corruptFile"
            case .unsupportedVersion: "unsupportedVersion"
            case .notFound: "notFound"
            case .alreadyExists: "alreadyExists"
            case .invalidArgument: "invalidArgument"
            case .closed: "closed"
            case .failed: "failed"
            case .locked: "locked"
            }
        }
    }

    /// What went wrong.
    public var kind: Kind
    /// The file or directory involved, when there is one.
    public var path: String?
    /// The system call that failed (for example `"fdatasync"`), when ``kind`` is ``Kind/systemCall``.
    public var operation: String?
    /// The `errno` of the failed system call, when there is one.
    public var errno: Int32?
    /// The byte offset in ``path`` where corruption was found, when known.
    public var offset: Int?
    /// A human-readable explanation: what was expected and what was found.
    public var detail: String

    /// Creates an error; prefer the static factories.
    public init(
        kind: Kind, path: String? = nil, operation: String? = nil, errno: Int32? = nil, offset: Int? = nil,
        detail: String
    ) {
        self.kind = kind
        self.path = path
        self.operation = operation
        self.errno = errno
        self.offset = offset
        self.detail = detail
    }

    /// One line for operators: kind, file, offset, system call and errno, then the detail.
    public var description: String {
        var text = "StorageError.\(kind)"
        if let path { text += " [\(path)]" }
        if let offset { text += " at byte \(offset)" }
        if let operation { text += " in \(operation)" }
        if let errno { text += " (errno \(errno): \(Syscall.errorMessage(errno)))" }
        return text + ": " + detail
    }

    static func corrupt(_ path: String, offset: Int? = nil, _ detail: String) -> StorageError {
        StorageError(kind: .corruptFile, path: path, offset: offset, detail: detail)
    }

    static func invalid(_ detail: String, path: String? = nil) -> StorageError {
        StorageError(kind: .invalidArgument, path: path, detail: detail)
    }

    /// The error for a failed system call; `ENOENT` becomes ``Kind/notFound`` and `EEXIST`/`ENOTEMPTY`
    /// ``Kind/alreadyExists`` so callers need not inspect errno.
    static func syscall(_ operation: String, errno code: Int32, path: String?) -> StorageError {
        let kind: Kind =
            switch code {
            case ENOENT: .notFound
            case EEXIST, ENOTEMPTY: .alreadyExists
            default: .systemCall
            }
        return StorageError(
            kind: kind, path: path, operation: operation, errno: code, detail: "\(operation) failed")
    }
}
