import Dispatch
import DurableStorage
import Logging
import OptimizerCore
import Synchronization

/// Keeps sessions durable in a data directory (`--data-dir`): one directory per session with a
/// snapshot and an append-only, checksummed log of every change after it.
///
/// - A change is applied in memory, appended to the log (synced per `--fsync`) and only then
///   acknowledged, all on the session's lane (one change at a time), so the log order is the apply order.
/// - When the log outgrows the snapshot (`shouldCompact`), a new snapshot replaces both (crash-safe:
///   see `DurableStorage.SessionDirectory`), so a step costs one gradient-sized append plus, amortised,
///   a fraction of a snapshot, never a full rewrite.
/// - At start-up every session is restored: snapshot, then its log replayed through the same
///   deterministic engine (bit-identical). A corrupt session is reported by file and skipped.
final class SessionPersistence: Sendable {
    let directory: DataDirectory
    private let logger: Logger

    init(path: String, policy: FsyncPolicy, logger: Logger) throws(StorageError) {
        self.directory = try DataDirectory(path: path, policy: policy)
        self.logger = logger
    }

    /// Writes a new session's first snapshot; the session exists on disk once this returns.
    func create(id: SessionID, snapshot: [UInt8]) throws(ServiceError) -> SessionDirectory {
        do {
            return try directory.createSession(id.description, snapshot: snapshot)
        } catch {
            logger.error("cannot create session files", metadata: ["session": "\(id)", "error": "\(error)"])
            throw .storageFailed(id.description)
        }
    }

    /// Appends one change, then compacts when the log has outgrown the snapshot. Runs on the
    /// session's lane. A failed append unloads the session (memory is ahead of the disk) and
    /// throws 500 `storage_failure`.
    func append(_ record: SessionCodec.Record, to session: Session, registry: SessionRegistry) throws(ServiceError) {
        guard let storage = session.storage else { return }
        do {
            _ = try storage.append(SessionCodec.encode(record))
        } catch {
            logger.error(
                "cannot append to session log; unloading the session",
                metadata: ["session": "\(session.id)", "error": "\(error)"])
            _ = registry.remove(session.id)
            session.state.withLock { $0.deleted = true }
            try? storage.close()
            throw .storageFailed(session.id.description)
        }
        if Self.shouldCompact(logBytes: storage.logByteCount, snapshotBytes: storage.snapshotByteCount) {
            // Encoded outside the lock (readers never wait for it) from a copy-on-write copy of the
            // state; this runs on the session's lane, so no change can make that copy real meanwhile.
            let snapshot = session.snapshot(of: session.state.withLock { $0 })
            do {
                try storage.compact(snapshot: snapshot)
            } catch {
                // The log still holds every change; compaction is retried after the next one.
                logger.warning(
                    "session compaction failed", metadata: ["session": "\(session.id)", "error": "\(error)"])
            }
        }
    }

    /// The log is folded into a new snapshot once it holds more than twice the snapshot and at least
    /// 64 MiB: a step then costs one append plus, amortised, at most half a snapshot write, small
    /// sessions do not pay a snapshot's fsyncs every few steps, and start-up replays a bounded log.
    static func shouldCompact(logBytes: Int, snapshotBytes: Int) -> Bool {
        logBytes > max(2 * snapshotBytes, 64 << 20)
    }

    /// Removes a session's files (atomically: a rename to a tombstone, then the tree), before the
    /// session is deleted in memory.
    /// - Throws: 500 `storage_failure` when the files cannot be removed; the session is then intact on
    ///   disk (the rename did not happen) and stays as it was.
    func destroy(_ session: Session) throws(ServiceError) {
        guard let storage = session.storage else { return }
        do {
            try storage.destroy()
        } catch {
            logger.error(
                "cannot remove session files; the session is kept",
                metadata: ["session": "\(session.id)", "error": "\(error)"])
            throw .storageFailed(session.id.description)
        }
    }

    /// Restores every stored session into `registry`; returns how many were restored and skipped.
    func restoreAll(
        into registry: SessionRegistry, configuration: ServiceConfiguration
    ) -> (restored: Int, skipped: Int) {
        let recovery: DataDirectory.Recovery
        do {
            recovery = try directory.recoverAll()
        } catch {
            logger.critical(
                "cannot read the data directory", metadata: ["path": "\(directory.path)", "error": "\(error)"])
            return (0, 0)
        }
        for failed in recovery.failed {
            logger.error(
                "skipping a corrupt session", metadata: ["session": "\(failed.name)", "error": "\(failed.error)"])
        }
        var restored = 0
        var skipped = recovery.failed.count
        for item in recovery.recovered {
            do {
                let session = try restore(item, registry: registry, configuration: configuration)
                restored += 1
                if !item.recovery.isClean {
                    logger.warning(
                        "session recovered after an interrupted write",
                        metadata: [
                            "session": "\(session.id)", "discarded_bytes": "\(item.recovery.log.discardedByteCount)",
                        ])
                }
            } catch {
                skipped += 1
                logger.error(
                    "skipping a session that cannot be restored",
                    metadata: [
                        "session": "\(item.name)", "path": "\(item.session.path)", "error": "\(error.detail)",
                    ])
                try? item.session.close()
            }
        }
        return (restored, skipped)
    }

    /// Loads a session that was evicted after its idle time (its files were closed) back into memory.
    /// - Throws: 500 `storage_failure` naming the session when its files cannot be opened or do not
    ///   hold a session that restores (corrupt, unreadable, or replaying wrongly): the fault is the
    ///   server's, never the request's, and the files stay as they are. 507 `limit_exceeded` when the
    ///   memory budget cannot hold it now.
    func load(
        _ id: SessionID, into registry: SessionRegistry, configuration: ServiceConfiguration
    )
        throws(ServiceError) -> Session
    {
        let item: RecoveredSession
        do {
            item = try directory.openSession(id.description)
        } catch {
            logger.error("cannot reopen an evicted session", metadata: ["session": "\(id)", "error": "\(error)"])
            throw .storageUnreadable(id.description)
        }
        let decoded: (state: Session.State, meta: SessionCodec.Metadata)
        do {
            decoded = try decode(item, configuration: configuration)
        } catch {
            logger.error(
                "cannot restore an evicted session",
                metadata: [
                    "session": "\(id)", "path": "\(item.session.path)", "error": "\(error.detail)",
                ])
            try? item.session.close()
            throw .storageUnreadable(id.description)
        }
        do {
            return try admit(item, decoded, registry: registry, configuration: configuration)
        } catch {
            try? item.session.close()
            throw error
        }
    }

    /// Closes an evicted session's files (they stay on disk).
    func close(_ session: Session) {
        try? session.storage?.close()
    }

    private func restore(
        _ item: RecoveredSession, registry: SessionRegistry, configuration: ServiceConfiguration
    )
        throws(ServiceError) -> Session
    {
        try admit(
            item, try decode(item, configuration: configuration), registry: registry, configuration: configuration)
    }

    /// The state a stored session holds: its snapshot, then every logged change replayed.
    /// - Throws: `invalid_checkpoint` naming what is wrong with the stored files.
    private func decode(
        _ item: RecoveredSession, configuration: ServiceConfiguration
    )
        throws(ServiceError) -> (state: Session.State, meta: SessionCodec.Metadata)
    {
        var state: Session.State
        let meta: SessionCodec.Metadata
        switch try SessionCodec.decodeSnapshot(item.snapshot) {
        case .float32(let checkpoint, let m):
            meta = m
            state = try Self.state(.float32(Self.engine(checkpoint)), m, configuration)
        case .float64(let checkpoint, let m):
            meta = m
            state = try Self.state(.float64(Self.engine(checkpoint)), m, configuration)
        }
        guard meta.id.description == item.name else {
            throw .invalidCheckpoint("stored session: directory \(item.name) holds session \(meta.id)")
        }
        for (index, bytes) in item.records.enumerated() {
            let record = try SessionCodec.decodeRecord(bytes, layout: state.engine.layout, dtype: state.engine.dtype)
            do {
                try Self.replay(record, on: &state)
            } catch {
                throw .invalidCheckpoint("stored session: record \(index) does not replay: \(error.detail)")
            }
        }
        return (state, meta)
    }

    /// Reserves the decoded session's memory and registers it.
    /// - Throws: 507 `limit_exceeded` when the limits cannot hold it.
    private func admit(
        _ item: RecoveredSession, _ decoded: (state: Session.State, meta: SessionCodec.Metadata),
        registry: SessionRegistry, configuration: ServiceConfiguration
    ) throws(ServiceError) -> Session {
        let engine = decoded.state.engine
        let bytes = MemoryFootprint.session(
            layout: engine.layout, stateBytes: engine.stateBytes(under: engine.spec), dtype: engine.dtype,
            idempotencyKeys: configuration.idempotencyKeysPerSession)
        let reservation = try registry.reserve(bytes: bytes, parameters: engine.layout.totalCount)
        let session = Session(
            id: decoded.meta.id, state: decoded.state, createdAt: decoded.meta.createdAt, storage: item.session)
        registry.insert(session, for: reservation)
        return session
    }

    private static func engine<S: WireScalar>(
        _ checkpoint: EngineCheckpoint<S>
    ) throws(ServiceError) -> OptimizerEngine<S> {
        do {
            return try OptimizerEngine(checkpoint: checkpoint)
        } catch {
            throw .invalidCheckpoint("stored session: \(error)")
        }
    }

    private static func state(
        _ engine: SessionEngine, _ meta: SessionCodec.Metadata, _ configuration: ServiceConfiguration
    )
        throws(ServiceError) -> Session.State
    {
        var cache = IdempotencyCache(capacity: configuration.idempotencyKeysPerSession)
        for (key, digest, report) in meta.idempotency {
            _ = cache.begin(key)
            cache.complete(key, digest: digest, report: report)
        }
        return Session.State(
            engine: engine, name: meta.name, updatedAt: meta.updatedAt, version: meta.version,
            idempotency: cache)
    }

    /// Applies a logged change exactly as it was applied live.
    static func replay(_ record: SessionCodec.Record, on state: inout Session.State) throws(ServiceError) {
        try ServiceError.bridging { () throws(OptimizerError) in
            switch record {
            case .step(let at, let present, let gradients, let key, let digest, let report):
                let replayed = try state.engine.step(gradients: gradients, present: present)
                guard replayed.step == report.step else {
                    throw OptimizerError.invalidCheckpoint(
                        "step \(replayed.step) replayed where \(report.step) was logged")
                }
                if let key, let digest {
                    _ = state.idempotency.begin(key)
                    state.idempotency.complete(key, digest: digest, report: report)
                }
                state.updatedAt = at
            case .put(let at, let values):
                try state.engine.setParameters(values)
                state.updatedAt = at
            case .patch(let at, let name, let optimizer):
                if let optimizer { try state.engine.update(optimizer: optimizer) }
                if let name { state.name = name }
                state.updatedAt = at
            }
        }
        state.version += 1
    }
}
