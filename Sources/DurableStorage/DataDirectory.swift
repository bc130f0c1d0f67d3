import Glibc

/// The `--data-dir` of a service: `<path>/sessions/<name>/` holds one ``SessionDirectory`` per session,
/// and `<path>/lock` is `flock`ed while this object lives, so two processes never share a data directory.
///
/// Startup: ``scan()`` lists the sessions (and removes leftovers of interrupted creations and
/// deletions), then ``openSession(_:)`` recovers each one, or ``recoverAll()`` does
/// both and reports corrupt sessions by file without hiding the others.
public final class DataDirectory: Sendable {
    /// The data directory.
    public let path: String
    /// `<path>/sessions`.
    public let sessionsPath: String
    /// The fsync policy of every session's appends.
    public let policy: FsyncPolicy
    private let lockFD: Int32

    /// Opens (creating if needed, with parents, mode 0700) the data directory and its `sessions`
    /// directory, and takes the lock.
    /// - Throws: ``StorageError/Kind/locked`` if another process or ``DataDirectory`` holds it;
    ///   ``StorageError/Kind/invalidArgument`` for a bad policy; the failed call otherwise.
    public init(path: String, policy: FsyncPolicy) throws(StorageError) {
        try policy.validate()
        self.path = path
        self.policy = policy
        self.sessionsPath = joinPath(path, "sessions")
        try DataDirectory.makeDirectories(path)
        let lockPath = joinPath(path, "lock")
        let fd = try Syscall.open(lockPath, O_RDWR | O_CREAT)
        do throws(StorageError) {
            guard try Syscall.tryLockExclusive(fd, path: lockPath) else {
                throw StorageError(
                    kind: .locked, path: lockPath, detail: "another optd process is using this data directory")
            }
            if try Syscall.fileType(sessionsPath) == nil {
                try Syscall.mkdir(sessionsPath)
                try Syscall.syncDirectory(path)
            }
        } catch {
            try? Syscall.close(fd, path: lockPath)
            throw error
        }
        self.lockFD = fd
    }

    deinit {
        try? Syscall.close(lockFD, path: joinPath(path, "lock"))
    }

    /// True for names usable as a session directory: 1 to 128 characters from `A-Z a-z 0-9 _ -` (so no
    /// `/`, no `.`, no leading dot). optd's session ids (32 lowercase hex digits) qualify.
    public static func isValidSessionName(_ name: String) -> Bool {
        let bytes = name.utf8
        return (1...128).contains(bytes.count)
            && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x5F || byte == 0x2D
            }
    }

    /// `<path>/sessions/<name>`.
    /// - Throws: ``StorageError/Kind/invalidArgument`` unless ``isValidSessionName(_:)``.
    public func sessionPath(_ name: String) throws(StorageError) -> String {
        guard DataDirectory.isValidSessionName(name) else {
            throw StorageError.invalid("invalid session name \"\(name)\" (1-128 characters of A-Z a-z 0-9 _ -)")
        }
        return joinPath(sessionsPath, name)
    }

    /// Creates session `name` with `snapshot` as its generation-0 state
    /// (``SessionDirectory/create(at:snapshot:policy:)``).
    public func createSession(_ name: String, snapshot: [UInt8]) throws(StorageError) -> SessionDirectory {
        try SessionDirectory.create(at: try sessionPath(name), snapshot: snapshot, policy: policy)
    }

    /// Recovers session `name` (``SessionDirectory/open(at:policy:)``).
    public func openSession(_ name: String) throws(StorageError) -> RecoveredSession {
        try SessionDirectory.open(at: try sessionPath(name), policy: policy)
    }

    /// Deletes session `name` without opening it (``SessionDirectory/destroy(at:)``), for sessions that
    /// failed to recover; an open session is deleted with ``SessionDirectory/destroy()`` instead.
    public func destroySession(_ name: String) throws(StorageError) {
        try SessionDirectory.destroy(at: try sessionPath(name))
    }

    /// What ``scan()`` found in `<path>/sessions`.
    public struct Scan: Sendable, Equatable {
        /// Session directory names, sorted.
        public var sessionNames: [String]
        /// Leftovers removed: `.tmp-*` (interrupted creations) and `.deleted-*` (interrupted deletions).
        public var removedLeftovers: [String]
        /// Other entries (files, invalid names), left alone.
        public var ignored: [String]
    }

    /// Lists the session directories and removes leftovers of interrupted creations and deletions (which
    /// never count as sessions). Does not open or validate the sessions.
    /// - Throws: ``StorageError`` if `<path>/sessions` cannot be read.
    public func scan() throws(StorageError) -> Scan {
        var result = Scan(sessionNames: [], removedLeftovers: [], ignored: [])
        for name in try Syscall.listDirectory(sessionsPath) {
            let entry = joinPath(sessionsPath, name)
            if name.hasPrefix(AtomicFile.temporaryPrefix) || name.hasPrefix(SessionDirectory.tombstonePrefix) {
                do throws(StorageError) {
                    try Syscall.removeTree(entry)
                    result.removedLeftovers.append(name)
                } catch {
                    result.ignored.append(name)
                }
            } else if DataDirectory.isValidSessionName(name), try Syscall.fileType(entry) == .directory {
                result.sessionNames.append(name)
            } else {
                result.ignored.append(name)
            }
        }
        if !result.removedLeftovers.isEmpty { try? Syscall.syncDirectory(sessionsPath) }
        return result
    }

    /// A session that could not be recovered.
    public struct FailedSession: Sendable, Equatable {
        /// The session directory's name.
        public var name: String
        /// Why: names the file and the problem (see ``StorageError/description``).
        public var error: StorageError
    }

    /// Everything ``recoverAll()`` found.
    public struct Recovery: Sendable {
        /// The sessions that opened, sorted by name.
        public var recovered: [RecoveredSession]
        /// The sessions that did not, with the reason; their files are left untouched.
        public var failed: [FailedSession]
        /// The directory listing, with removed leftovers and ignored entries.
        public var scan: Scan
    }

    /// Scans and opens every session. A session that fails does not stop the others. This holds every
    /// session's snapshot and records in memory at once; for large data directories call ``scan()`` and
    /// ``openSession(_:)`` one at a time instead.
    /// - Throws: ``StorageError`` only if the sessions directory itself cannot be read.
    public func recoverAll() throws(StorageError) -> Recovery {
        let listing = try scan()
        var result = Recovery(recovered: [], failed: [], scan: listing)
        for name in listing.sessionNames {
            do throws(StorageError) {
                result.recovered.append(try openSession(name))
            } catch {
                result.failed.append(FailedSession(name: name, error: error))
            }
        }
        return result
    }

    /// `mkdir -p` with mode 0700 for the directories it creates. A symbolic link to a directory counts
    /// as that directory (for the data directory itself and its parents: `--data-dir` may be a link);
    /// entries inside the data directory are still checked without following links (``scan()``).
    static func makeDirectories(_ path: String) throws(StorageError) {
        if try isDirectoryFollowingLinks(path) { return }
        let (parent, _) = splitPath(path)
        if parent != path && parent != "." && parent != "/" { try makeDirectories(parent) }
        do throws(StorageError) {
            try Syscall.mkdir(path)
        } catch  where error.kind == .alreadyExists {
            guard try isDirectoryFollowingLinks(path) else {
                throw StorageError(kind: .alreadyExists, path: path, detail: "exists and is not a directory")
            }
        }
    }

    /// True if `path` is a directory or a symbolic link that resolves to one; false if it does not exist
    /// (or is a dangling link). The corresponding C function is `stat` (here `fstatat` without
    /// `AT_SYMLINK_NOFOLLOW`, as Swift's `stat` names the struct).
    private static func isDirectoryFollowingLinks(_ path: String) throws(StorageError) -> Bool {
        var info = stat()
        if fstatat(AT_FDCWD, path, &info, 0) == -1 {
            let code = errno
            if code == ENOENT { return false }
            throw StorageError.syscall("stat", errno: code, path: path)
        }
        return info.st_mode & S_IFMT == S_IFDIR
    }
}
