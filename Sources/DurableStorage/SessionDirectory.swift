import Glibc
import Synchronization

/// One session's durable state: a directory holding a snapshot (the whole state, opaque bytes) and a
/// log of the records appended since that snapshot. Recovery is: the snapshot, then replay the records.
///
/// Files carry a generation number `g` (16 hex digits): `snapshot-<g>.snap` (an ``AtomicFile``) and
/// `log-<g>.log` (a ``RecordLog`` whose header also says `g`). Log `g` holds the records appended after
/// snapshot `g`; the newest snapshot's generation is the current one. Files starting with `.tmp-` are
/// leftovers of interrupted writes.
///
/// ``compact(snapshot:)`` moves from generation `g` to `g + 1` in steps, and a crash between any two
/// system calls recovers a consistent state:
/// 1. write `snapshot-<g+1>.snap` to a temporary file, `fsync`, `rename`, `fsync` the directory:
///    before the rename, recovery uses snapshot `g` + log `g`; after it, snapshot `g + 1`;
/// 2. create the empty `log-<g+1>.log` (temporary file, `fsync`, `link`, `fsync` the directory): if the
///    crash came before it, recovery sees snapshot `g + 1` without its log and creates an empty one,
///    never replaying log `g` on top of snapshot `g + 1`;
/// 3. switch appends to log `g + 1`, then delete log `g` and snapshot `g` (recovery deletes them too).
/// So the state after a crash is either old snapshot + old log or new snapshot + new log, never a mix
/// that loses or doubles a record. A log newer than the newest snapshot, or a damaged newest snapshot,
/// is reported as corruption rather than silently falling back to an older generation.
///
/// Creation builds the directory under a temporary name and renames it into place; ``destroy()`` renames
/// it to `.deleted-<name>-<random>` (durably) before deleting the files, so a half-deleted session is
/// never mistaken for a valid one. Creation, compaction and deletion always `fsync`, whatever the
/// policy; the policy governs appends (see ``FsyncPolicy``).
///
/// Thread-safe: a `Mutex` serialises appends, compaction and deletion. Open each directory through
/// one object only: two objects appending to the same log would interleave their writes (the
/// ``DataDirectory`` lock keeps other processes out, not other objects in this process).
public final class SessionDirectory: Sendable {
    /// The session directory.
    public let path: String
    /// The fsync policy for appends.
    public let policy: FsyncPolicy
    private let state: Mutex<State>

    struct State {
        var generation: UInt64
        var log: RecordLog
        var snapshotByteCount: Int
        var failure: StorageError?
        var destroyed: Bool
    }

    init(path: String, policy: FsyncPolicy, generation: UInt64, log: RecordLog, snapshotByteCount: Int) {
        self.path = path
        self.policy = policy
        self.state = Mutex(
            State(
                generation: generation, log: log, snapshotByteCount: snapshotByteCount, failure: nil,
                destroyed: false))
    }

    // MARK: File names

    /// `snapshot-<16 hex digits>.snap`.
    static func snapshotName(_ generation: UInt64) -> String { "snapshot-" + hex16(generation) + ".snap" }
    /// `log-<16 hex digits>.log`.
    static func logName(_ generation: UInt64) -> String { "log-" + hex16(generation) + ".log" }

    enum FileName: Equatable {
        case snapshot(UInt64), log(UInt64), temporary, other
    }

    static func classify(_ name: String) -> FileName {
        if name.hasPrefix(AtomicFile.temporaryPrefix) { return .temporary }
        if let generation = generation(in: name, prefix: "snapshot-", suffix: ".snap") { return .snapshot(generation) }
        if let generation = generation(in: name, prefix: "log-", suffix: ".log") { return .log(generation) }
        return .other
    }

    private static func generation(in name: String, prefix: String, suffix: String) -> UInt64? {
        guard name.utf8.count == prefix.utf8.count + 16 + suffix.utf8.count, name.hasPrefix(prefix),
            name.hasSuffix(suffix)
        else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return UInt64(digits, radix: 16)
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    // MARK: Creating

    /// Creates the session directory `path` (its parent must exist) holding `snapshot` as generation 0
    /// and an empty log, and opens it for appending.
    ///
    /// The files are written and `fsync`ed in `.tmp-<name>-<random>` next to `path`, which is then
    /// renamed to `path` and the parent `fsync`ed: after a crash the session either does not exist or is
    /// complete.
    /// - Throws: ``StorageError/Kind/alreadyExists`` if `path` exists; otherwise the failed call.
    public static func create(
        at path: String, snapshot: [UInt8], policy: FsyncPolicy
    ) throws(StorageError)
        -> SessionDirectory
    {
        try policy.validate()
        if try Syscall.fileType(path) != nil {
            throw StorageError(kind: .alreadyExists, path: path, detail: "the session directory already exists")
        }
        let (parent, name) = splitPath(path)
        let staging = joinPath(parent, AtomicFile.temporaryName(for: name))
        try Syscall.mkdir(staging)
        do throws(StorageError) {
            try AtomicFile.write(path: joinPath(staging, snapshotName(0)), bytes: snapshot, fsync: true)
            try RecordLog.create(at: joinPath(staging, logName(0)), generation: 0, policy: .never).close(syncing: false)
            try Syscall.rename(staging, path)
        } catch {
            try? Syscall.removeTree(staging)
            throw error
        }
        try Syscall.syncDirectory(parent)
        let opened = try RecordLog.open(at: joinPath(path, logName(0)), policy: policy, expectedGeneration: 0)
        return SessionDirectory(
            path: path, policy: policy, generation: 0, log: opened.log,
            snapshotByteCount: FileFormat.headerSize + snapshot.count)
    }

    // MARK: Opening

    /// Recovers the session in `path`: reads the newest snapshot, validates and returns the records of its
    /// log (truncating a torn tail), finishes or cleans up an interrupted compaction, and opens the log
    /// for appending.
    ///
    /// Rules: the newest `snapshot-<G>.snap` is the state; it must validate (a damaged one is an error
    /// naming it, never a silent fall-back to an older generation). `log-<G>.log` holds its records; if
    /// it is missing (a crash inside compaction) an empty one is created. Temporary files and every file
    /// of an older generation are deleted. A log newer than the newest snapshot is an error.
    /// - Parameters:
    ///   - path: the session directory.
    ///   - policy: the fsync policy for appends.
    /// - Returns: the open session, the snapshot bytes, the records to replay in order, and a report.
    /// - Throws: ``StorageError`` naming the file and what is wrong.
    public static func open(at path: String, policy: FsyncPolicy) throws(StorageError) -> RecoveredSession {
        try policy.validate()
        let names = try Syscall.listDirectory(path)
        var snapshots: [UInt64] = []
        var logs: [UInt64] = []
        var temporaries: [String] = []
        var unexpected: [String] = []
        for name in names {
            switch classify(name) {
            case .snapshot(let generation): snapshots.append(generation)
            case .log(let generation): logs.append(generation)
            case .temporary: temporaries.append(name)
            case .other: unexpected.append(name)
            }
        }
        guard let generation = snapshots.max() else {
            throw StorageError.corrupt(
                path,
                "no snapshot file in the session directory (found: \(names.isEmpty ? "nothing" : names.joined(separator: ", ")))"
            )
        }
        if let newer = logs.filter({ $0 > generation }).max() {
            throw StorageError.corrupt(
                joinPath(path, logName(newer)),
                "log generation \(newer) is newer than the newest snapshot (\(generation)); its snapshot is missing")
        }
        let snapshotPath = joinPath(path, snapshotName(generation))
        let snapshot: [UInt8]
        do throws(StorageError) {
            snapshot = try AtomicFile.read(path: snapshotPath)
        } catch {
            var error = error
            if snapshots.contains(where: { $0 < generation }) {
                error.detail += " (an older snapshot generation is still present; not used automatically)"
            }
            throw error
        }
        let logPath = joinPath(path, logName(generation))
        let log: RecordLog
        let records: [[UInt8]]
        let logReport: LogRecovery
        let createdLog: Bool
        if logs.contains(generation) {
            let opened = try RecordLog.open(at: logPath, policy: policy, expectedGeneration: generation)
            (log, records, logReport) = (opened.log, opened.records, opened.recovery)
            createdLog = false
        } else {
            log = try RecordLog.create(at: logPath, generation: generation, policy: policy)
            records = []
            logReport = LogRecovery(path: logPath, recordCount: 0, validByteCount: FileFormat.headerSize)
            createdLog = true
        }
        var removed: [String] = []
        let superseded =
            temporaries + snapshots.filter { $0 < generation }.map(snapshotName)
            + logs.filter { $0 < generation }.map(logName)
        for name in superseded {
            do throws(StorageError) {
                try Syscall.removeTree(joinPath(path, name))
                removed.append(name)
            } catch {
                // Harmless leftovers: the next open tries again.
            }
        }
        if !removed.isEmpty { try? Syscall.syncDirectory(path) }
        let session = SessionDirectory(
            path: path, policy: policy, generation: generation, log: log,
            snapshotByteCount: FileFormat.headerSize + snapshot.count)
        let report = SessionRecovery(
            path: path, generation: generation, snapshotByteCount: snapshot.count, log: logReport,
            createdMissingLog: createdLog, removedFiles: removed, unexpectedFiles: unexpected)
        return RecoveredSession(
            name: splitPath(path).name, session: session, snapshot: snapshot, records: records, recovery: report)
    }

    // MARK: Appending

    /// Appends one record (a state change after the current snapshot) to the current log, with the
    /// guarantees of ``RecordLog/append(gathering:)`` under this session's ``policy``.
    /// - Returns: the record's sequence number within the current generation's log.
    /// - Throws: ``StorageError``; ``StorageError/Kind/closed`` after ``destroy()`` or ``close()``.
    @discardableResult
    public func append(_ record: [UInt8]) throws(StorageError) -> UInt64 {
        try state.withLock { (state) throws(StorageError) -> UInt64 in
            try check(state)
            return try record.withStorageBytes { (raw) throws(StorageError) -> UInt64 in
                try state.log.append(gathering: [raw])
            }
        }
    }

    // MARK: Compacting

    /// Replaces snapshot + log by `snapshot` and an empty log, moving to the next generation.
    ///
    /// `snapshot` must encode the state that results from the current snapshot plus every record
    /// appended so far (the caller holds off appends meanwhile; this method's lock blocks concurrent ones).
    /// The steps and why every crash point is safe are in the type's documentation. The new snapshot is
    /// `fsync`ed whatever the policy. If a step fails without a crash, the steps done so far are undone
    /// and the session continues on the old generation; if undoing fails too the session becomes
    /// ``StorageError/Kind/failed`` and must be reopened (which recovers the new generation).
    /// - Throws: ``StorageError``.
    public func compact(snapshot: [UInt8]) throws(StorageError) {
        try compact(snapshot: snapshot, crashAfter: nil)
    }

    /// The points between the system calls of a compaction, for crash tests.
    enum CompactionStep: CaseIterable, Sendable {
        case snapshotTemporaryWritten, snapshotRenamed, snapshotDirectorySynced, logTemporaryWritten, logLinked,
            logTemporaryRemoved, logDirectorySynced, oldLogRemoved, oldSnapshotRemoved
    }

    /// ``compact(snapshot:)`` that, for tests, stops dead after `crashAfter` (no rollback, no cleanup),
    /// leaving the files exactly as a crash at that point would, and throws ``StorageError/Kind/failed``.
    func compact(snapshot: [UInt8], crashAfter: CompactionStep?) throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            try check(state)
            func step(_ done: CompactionStep) throws(StorageError) {
                if done == crashAfter {
                    state.failure = StorageError(kind: .failed, path: path, detail: "simulated crash after \(done)")
                    throw StorageError(kind: .failed, path: path, detail: "simulated crash after \(done)")
                }
            }
            let old = state.generation
            let next = old + 1
            let snapshotPath = joinPath(path, SessionDirectory.snapshotName(next))
            let logPath = joinPath(path, SessionDirectory.logName(next))
            var installed: [String] = []
            let newLog: RecordLog
            do throws(StorageError) {
                let temporarySnapshot = try snapshot.withStorageBytes { (raw) throws(StorageError) in
                    try AtomicFile.writeTemporaryFile(path: snapshotPath, gathering: [raw], fsync: true)
                }
                installed.append(temporarySnapshot)
                try step(.snapshotTemporaryWritten)
                try Syscall.rename(temporarySnapshot, snapshotPath)
                installed = [snapshotPath]
                try step(.snapshotRenamed)
                try Syscall.syncDirectory(path)
                try step(.snapshotDirectorySynced)
                let (temporaryLog, header) = try RecordLog.writeTemporaryLog(for: logPath, generation: next)
                installed.append(temporaryLog)
                try step(.logTemporaryWritten)
                try Syscall.link(temporaryLog, logPath)
                installed.append(logPath)
                try step(.logLinked)
                try Syscall.unlink(temporaryLog)
                installed.removeAll { $0 == temporaryLog }
                try step(.logTemporaryRemoved)
                try Syscall.syncDirectory(path)
                try step(.logDirectorySynced)
                newLog = try RecordLog.openCreated(at: logPath, header: header, policy: policy)
            } catch {
                if state.failure != nil { throw error }  // simulated crash: leave everything as it is
                var undone = true
                for name in installed.reversed() {
                    do throws(StorageError) { try Syscall.unlink(name) } catch  where error.kind != .notFound {
                        undone = false
                    } catch {}
                }
                if installed.contains(snapshotPath) {
                    do throws(StorageError) { try Syscall.syncDirectory(path) } catch { undone = false }
                }
                if !undone {
                    state.failure = StorageError(
                        kind: .failed, path: path, operation: error.operation, errno: error.errno,
                        detail: "compaction to generation \(next) failed (\(error.detail)) and could not be undone; "
                            + "reopen the session")
                }
                throw error
            }
            try? state.log.close(syncing: false)
            state.log = newLog
            state.generation = next
            state.snapshotByteCount = FileFormat.headerSize + snapshot.count
            // The new generation is durable; the old files are garbage (open() deletes them too).
            try? Syscall.unlink(joinPath(path, SessionDirectory.logName(old)))
            try step(.oldLogRemoved)
            try? Syscall.unlink(joinPath(path, SessionDirectory.snapshotName(old)))
            try step(.oldSnapshotRemoved)
            try? Syscall.syncDirectory(path)
        }
    }

    // MARK: Inspecting

    /// The current generation: 0 after ``create(at:snapshot:policy:)``, +1 per compaction.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The current snapshot file's size in bytes (32-byte header + snapshot).
    public var snapshotByteCount: Int { state.withLock { $0.snapshotByteCount } }

    /// The current log file's size in bytes (32-byte header + 32 bytes and the payload per record).
    public var logByteCount: Int { state.withLock { $0.log.byteCount } }

    /// The number of records in the current log.
    public var recordCount: Int { state.withLock { $0.log.recordCount } }

    // MARK: Closing and deleting

    /// Syncs (unless the policy is ``FsyncPolicy/never``) and closes the log; later operations throw
    /// ``StorageError/Kind/closed``. The files stay.
    /// - Throws: ``StorageError`` from the final sync or close.
    public func close() throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            guard !state.destroyed else { return }
            state.destroyed = true
            try state.log.close()
        }
    }

    /// Deletes the session: closes the log, renames the directory to `.deleted-<name>-<random>` and
    /// `fsync`s the parent (from here on the session is gone, even after a crash), then removes the files.
    /// A failure while removing files is not reported: ``DataDirectory/scan()`` removes leftovers.
    /// - Throws: ``StorageError`` if the rename fails (the session then still exists and stays usable) or
    ///   if the parent's `fsync` fails (the session is gone, but a power loss could bring it back).
    public func destroy() throws(StorageError) {
        try state.withLock { (state) throws(StorageError) in
            guard !state.destroyed else {
                throw StorageError(kind: .closed, path: path, detail: "the session was already closed or destroyed")
            }
            let tombstone = try SessionDirectory.renameToTombstone(path)
            state.destroyed = true
            try? state.log.close(syncing: false)
            try Syscall.syncDirectory(splitPath(path).directory)
            try? Syscall.removeTree(tombstone)
        }
    }

    /// Deletes the session directory `path` without opening it (for example a session that failed to
    /// recover), the same crash-safe way as ``destroy()``. Do not use it on a directory that is open.
    /// - Throws: ``StorageError/Kind/notFound`` if it does not exist; the failed call otherwise.
    public static func destroy(at path: String) throws(StorageError) {
        let tombstone = try renameToTombstone(path)
        try Syscall.syncDirectory(splitPath(path).directory)
        try? Syscall.removeTree(tombstone)
    }

    /// Renames `path` to `.deleted-<name>-<random>` next to it; returns the new path.
    private static func renameToTombstone(_ path: String) throws(StorageError) -> String {
        let (parent, name) = splitPath(path)
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let tombstone = joinPath(parent, tombstonePrefix + name + "-" + suffix)
        try Syscall.rename(path, tombstone)
        return tombstone
    }

    /// Prefix of a session directory being deleted.
    static let tombstonePrefix = ".deleted-"

    private func check(_ state: State) throws(StorageError) {
        if let failure = state.failure { throw failure }
        if state.destroyed {
            throw StorageError(kind: .closed, path: path, detail: "the session was closed or destroyed")
        }
    }
}
