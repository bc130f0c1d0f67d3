import Dispatch
import Glibc
import Synchronization

/// An append-only file of checksummed records (opaque byte payloads), safe against crashes at any
/// point: a record either reads back exactly as appended or, if its write was cut short, is recognised
/// as a torn tail and truncated when the log is next opened.
///
/// Layout (see `FileFormat`): a 32-byte file header with a random salt and the generation, then for each
/// record a 32-byte header (magic, version, payload length, sequence number, payload CRC-32C, header
/// CRC-32C, both CRCs seeded with the salt) followed by the payload.
///
/// Each append is one `pwritev` of header and payload (continued if the kernel writes less, `EINTR`
/// retried), followed by what the ``FsyncPolicy`` demands:
/// - ``FsyncPolicy/always``: `fdatasync` before `append` returns; a returned append survives power loss.
/// - ``FsyncPolicy/interval(seconds:)``: the first unsynced append schedules an `fdatasync` that many
///   seconds later on a Dispatch global queue, through a `dup` of the descriptor so that closing the log
///   meanwhile is safe. A record is durable at most `seconds` + flush time + timer leeway after its
///   append returned.
/// - ``FsyncPolicy/never``: no `fdatasync`; `append` returning means the kernel has the bytes (survives
///   kill -9 of the process, not power loss).
///
/// A failed write is rolled back with `ftruncate`, so the log stays usable (for example after `ENOSPC`).
/// A failed `fdatasync`, or a rollback that fails, leaves the file's durable content unknown (Linux may
/// drop dirty pages after reporting `EIO` once); the log then refuses every further operation with
/// ``StorageError/Kind/failed`` and must be reopened, which re-validates what is really on disk.
///
/// Thread-safe: a `Mutex` serialises appends, syncs and close. The checksum is computed before the lock
/// is taken. Appends are not reordered: record sequence numbers are consecutive in file order.
public final class RecordLog: Sendable {
    /// The log file's path.
    public let path: String
    /// When appends are forced to disk.
    public let policy: FsyncPolicy
    /// The generation number stored in the file header (the session directory pairs log `g` with
    /// snapshot `g`).
    public let generation: UInt64
    /// Random per-file seed of every record checksum.
    let salt: UInt32
    private let state: Mutex<State>

    struct State {
        /// -1 once closed.
        var fd: Int32
        /// Offset where the next record goes: the header plus every complete record.
        var end: Int
        /// Sequence number of the next record, which is also the number of records.
        var nextSequence: UInt64
        /// `end` at the start of the last successful `fdatasync` (or when opened).
        var durableEnd: Int
        var syncCount: Int
        var failure: StorageError?
        var syncScheduled: Bool
        /// Tests only: the next append writes this many bytes of its record, then fails with this errno.
        var injectedWriteFailure: (bytes: Int, errno: Int32)?
        /// Tests only: the next `fdatasync` fails with this errno instead of running.
        var injectedSyncFailure: Int32?
    }

    /// Tests only: makes the next append write `bytes` bytes of the record and then fail with `errno`
    /// (as `ENOSPC` or `EIO` would), so the rollback path runs against the real file.
    func injectWriteFailure(afterWriting bytes: Int, errno: Int32) {
        state.withLock { $0.injectedWriteFailure = (bytes, errno) }
    }

    /// Tests only: makes the next `fdatasync` fail with `errno`.
    func injectSyncFailure(errno: Int32) {
        state.withLock { $0.injectedSyncFailure = errno }
    }

    /// The largest payload one record may carry: 2⁴⁰ bytes (1 TiB).
    public static let maximumPayloadSize = 1 << 40

    init(path: String, fd: Int32, policy: FsyncPolicy, header: FileFormat.LogHeader, end: Int, records: UInt64) {
        self.path = path
        self.policy = policy
        self.generation = header.generation
        self.salt = header.salt
        self.state = Mutex(
            State(
                fd: fd, end: end, nextSequence: records, durableEnd: end, syncCount: 0, failure: nil,
                syncScheduled: false, injectedWriteFailure: nil, injectedSyncFailure: nil))
    }

    deinit {
        // Best effort: a log dropped without close() still gets its interval promise kept for the bytes
        // already written.
        state.withLock { state in
            guard state.fd >= 0 else { return }
            if policy != .never, state.failure == nil, state.durableEnd < state.end {
                try? Syscall.fdatasync(state.fd, path: path)
            }
            try? Syscall.close(state.fd, path: path)
            state.fd = -1
        }
    }

    // MARK: Creating

    /// Creates a new, empty log at `path` and opens it for appending; fails with
    /// ``StorageError/Kind/alreadyExists`` if `path` exists.
    ///
    /// The header is written to a temporary file in the same directory, `fsync`ed, given its final name
    /// with `link` (atomic, never replaces) and the directory is `fsync`ed, whatever the policy: after a
    /// crash the log either does not exist or is complete and empty.
    /// - Parameters:
    ///   - path: the new file.
    ///   - generation: stored in the header and checked by ``open(at:policy:expectedGeneration:)``.
    ///   - policy: the fsync policy for appends.
    /// - Throws: ``StorageError``.
    public static func create(
        at path: String, generation: UInt64 = 0, policy: FsyncPolicy
    ) throws(StorageError)
        -> RecordLog
    {
        try policy.validate()
        let (temporary, header) = try writeTemporaryLog(for: path, generation: generation)
        do throws(StorageError) {
            try Syscall.link(temporary, path)
        } catch {
            try? Syscall.unlink(temporary)
            throw error
        }
        try? Syscall.unlink(temporary)
        try Syscall.syncDirectory(splitPath(path).directory)
        return try openCreated(at: path, header: header, policy: policy)
    }

    /// Writes and `fsync`s an empty log (header only) under a temporary name next to `path`.
    static func writeTemporaryLog(
        for path: String, generation: UInt64
    ) throws(StorageError)
        -> (temporary: String, header: FileFormat.LogHeader)
    {
        let header = FileFormat.LogHeader(salt: UInt32.random(in: 0...UInt32.max), generation: generation)
        let (directory, name) = splitPath(path)
        let temporary = joinPath(directory, AtomicFile.temporaryName(for: name))
        let fd = try Syscall.open(temporary, O_WRONLY | O_CREAT | O_EXCL)
        do throws(StorageError) {
            try header.encoded().withStorageBytes { (raw) throws(StorageError) in
                try Syscall.pwriteAll(fd, path: temporary, [raw], at: 0)
            }
            try Syscall.fsync(fd, path: temporary)
            try Syscall.close(fd, path: temporary)
        } catch {
            try? Syscall.close(fd, path: temporary)
            try? Syscall.unlink(temporary)
            throw error
        }
        return (temporary, header)
    }

    /// Opens a log just created with `header` for appending.
    static func openCreated(
        at path: String, header: FileFormat.LogHeader, policy: FsyncPolicy
    ) throws(StorageError)
        -> RecordLog
    {
        let fd = try Syscall.open(path, O_RDWR)
        return RecordLog(path: path, fd: fd, policy: policy, header: header, end: FileFormat.headerSize, records: 0)
    }

    // MARK: Appending

    /// Appends one record whose payload is `payload`. See ``append(gathering:)``.
    @discardableResult
    public func append(_ payload: [UInt8]) throws(StorageError) -> UInt64 {
        var result: Result<UInt64, StorageError> = .failure(StorageError.invalid("unreachable"))
        payload.withUnsafeBytes { raw in
            result = Result { () throws(StorageError) -> UInt64 in try append(gathering: [raw]) }
        }
        return try result.get()
    }

    /// Appends one record whose payload is `payload`. See ``append(gathering:)``.
    @discardableResult
    public func append(_ payload: UnsafeRawBufferPointer) throws(StorageError) -> UInt64 {
        try append(gathering: [payload])
    }

    /// Appends one record whose payload is the concatenation of `parts` (no copy: header and parts go
    /// to the kernel in one `pwritev`), then syncs as the policy says.
    ///
    /// When this returns, the record is in the file and will be returned by a later
    /// ``open(at:policy:expectedGeneration:)``; under ``FsyncPolicy/always`` it is also on stable
    /// storage. If it throws ``StorageError/Kind/systemCall`` the record is not in the file and the log
    /// is still usable; if it throws ``StorageError/Kind/failed`` the record may or may not be on disk
    /// and the log must be reopened.
    /// - Returns: the record's sequence number (0 for the first record in this file).
    /// - Throws: ``StorageError``: ``StorageError/Kind/closed``, ``StorageError/Kind/failed``,
    ///   ``StorageError/Kind/invalidArgument`` (payload over ``maximumPayloadSize``), or the failed call.
    @discardableResult
    public func append(gathering parts: [UnsafeRawBufferPointer]) throws(StorageError) -> UInt64 {
        var length = 0
        for part in parts { length += part.count }
        guard length <= RecordLog.maximumPayloadSize else {
            throw StorageError.invalid("record payload of \(length) bytes exceeds the 1 TiB limit", path: path)
        }
        let checksum = CRC32C.checksum(gathering: parts, continuing: salt)
        return try state.withLock { (state) throws(StorageError) -> UInt64 in
            try check(state)
            let sequence = state.nextSequence
            let header = FileFormat.RecordHeader(length: UInt64(length), sequence: sequence, payloadChecksum: checksum)
                .encoded(salt: salt)
            let injected = state.injectedWriteFailure
            state.injectedWriteFailure = nil
            let written = header.withUnsafeBytes { (raw) -> StorageError? in
                do throws(StorageError) {
                    if let injected {
                        try Syscall.pwriteAll(
                            state.fd, path: path, prefix(of: [raw] + parts, injected.bytes), at: state.end)
                        throw StorageError.syscall("pwritev", errno: injected.errno, path: path)
                    }
                    try Syscall.pwriteAll(state.fd, path: path, [raw] + parts, at: state.end)
                    return nil
                } catch { return error }
            }
            if let written {
                // Roll back whatever part of the record reached the file so the next append starts clean.
                do throws(StorageError) {
                    try Syscall.ftruncate(state.fd, path: path, length: state.end)
                } catch {
                    state.failure = poisoned(written, "and rolling the partial record back failed: \(error)")
                }
                throw state.failure ?? written
            }
            state.end += FileFormat.headerSize + length
            state.nextSequence += 1
            switch policy {
            case .always:
                try syncLocked(&state)
            case .interval(let seconds):
                if !state.syncScheduled {
                    state.syncScheduled = true
                    scheduleSync(after: seconds)
                }
            case .never:
                break
            }
            return sequence
        }
    }

    // MARK: Syncing

    /// Forces every appended byte to stable storage now (`fdatasync`), whatever the policy; returns at
    /// once if nothing was appended since the last sync.
    /// - Throws: ``StorageError``; a failed `fdatasync` marks the log ``StorageError/Kind/failed``.
    public func sync() throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            try check(state)
            try syncLocked(&state)
        }
    }

    private func syncLocked(_ state: inout State) throws(StorageError) {
        guard state.durableEnd < state.end else { return }
        do throws(StorageError) {
            if let code = state.injectedSyncFailure {
                state.injectedSyncFailure = nil
                throw StorageError.syscall("fdatasync", errno: code, path: path)
            }
            try Syscall.fdatasync(state.fd, path: path)
        } catch {
            let failure = poisoned(error, "the log's durable content is unknown")
            state.failure = failure
            throw failure
        }
        state.durableEnd = state.end
        state.syncCount += 1
    }

    private func scheduleSync(after seconds: Double) {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + seconds) { [weak self] in
            self?.backgroundSync()
        }
    }

    /// The interval flush: duplicate the descriptor under the lock, `fdatasync` outside it (appends go
    /// on meanwhile), then record what became durable.
    func backgroundSync() {
        let job = state.withLock { (state) -> (fd: Int32, end: Int, injected: Int32?)? in
            state.syncScheduled = false
            guard state.fd >= 0, state.failure == nil, state.durableEnd < state.end else { return nil }
            let injected = state.injectedSyncFailure
            state.injectedSyncFailure = nil
            do throws(StorageError) {
                return (try Syscall.dup(state.fd, path: path), state.end, injected)
            } catch {
                state.failure = poisoned(error, "the interval flush could not run")
                return nil
            }
        }
        guard let job else { return }
        var failure: StorageError?
        do throws(StorageError) {
            if let code = job.injected { throw StorageError.syscall("fdatasync", errno: code, path: path) }
            try Syscall.fdatasync(job.fd, path: path)
        } catch {
            failure = error
        }
        try? Syscall.close(job.fd, path: path)
        state.withLock { state in
            if let failure {
                if state.failure == nil { state.failure = poisoned(failure, "the log's durable content is unknown") }
            } else {
                state.durableEnd = max(state.durableEnd, job.end)
                state.syncCount += 1
            }
        }
    }

    // MARK: Inspecting

    /// The file's logical size in bytes: the 32-byte header plus every record (32 + payload bytes each).
    public var byteCount: Int { state.withLock { $0.end } }

    /// The number of records in the file (recovered plus appended).
    public var recordCount: Int { state.withLock { Int($0.nextSequence) } }

    /// Bytes known to be on stable storage: the file size at the start of the last successful
    /// `fdatasync`, or when the log was opened or created.
    public var durableByteCount: Int { state.withLock { $0.durableEnd } }

    /// How many `fdatasync` calls on appended data have completed (by ``sync()``, by appends under
    /// ``FsyncPolicy/always`` and by the interval flush); for tests and metrics.
    public var syncCount: Int { state.withLock { $0.syncCount } }

    /// The error that made the log unusable (``StorageError/Kind/failed``), if any; the interval flush
    /// reports its failures here and through the next operation.
    public var failure: StorageError? { state.withLock { $0.failure } }

    // MARK: Closing

    /// Syncs (unless the policy is ``FsyncPolicy/never`` or the log failed) and closes the file. Later
    /// operations throw ``StorageError/Kind/closed``; closing twice is harmless.
    /// - Throws: ``StorageError`` from the final `fdatasync` or `close`; the descriptor is released anyway.
    public func close() throws(StorageError) {
        try close(syncing: policy != .never)
    }

    /// Closes, syncing first only if `syncing` (compaction drops a log whose content is in a snapshot).
    func close(syncing: Bool) throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            guard state.fd >= 0 else { return }
            let fd = state.fd
            state.fd = -1
            var syncError: StorageError?
            if syncing, state.failure == nil, state.durableEnd < state.end {
                do throws(StorageError) {
                    try Syscall.fdatasync(fd, path: path)
                    state.durableEnd = state.end
                    state.syncCount += 1
                } catch {
                    syncError = error
                }
            }
            try Syscall.close(fd, path: path)
            if let syncError { throw syncError }
        }
    }

    /// The first `count` bytes of the concatenation of `buffers`.
    private func prefix(of buffers: [UnsafeRawBufferPointer], _ count: Int) -> [UnsafeRawBufferPointer] {
        var remaining = count
        var result: [UnsafeRawBufferPointer] = []
        for buffer in buffers where remaining > 0 {
            let take = min(buffer.count, remaining)
            result.append(UnsafeRawBufferPointer(rebasing: buffer[0..<take]))
            remaining -= take
        }
        return result
    }

    private func check(_ state: State) throws(StorageError) {
        if let failure = state.failure { throw failure }
        if state.fd < 0 { throw StorageError(kind: .closed, path: path, detail: "the log is closed") }
    }

    private func poisoned(_ error: StorageError, _ consequence: String) -> StorageError {
        StorageError(
            kind: .failed, path: path, operation: error.operation, errno: error.errno,
            detail: "\(error.detail); \(consequence); reopen the log to recover")
    }
}
