import Dispatch
import DurableStorage
import OptimizerCore
import Synchronization

/// One optimizer session: its engine and bookkeeping behind a lock, and a lane on which every
/// change runs, so that changes apply one at a time in arrival order while readers only take
/// the lock (and never see a half-applied step).
///
/// This is `Sendable` because all mutable state is inside `state`, a `Mutex`.
final class Session: Sendable {
    /// Mutable state, guarded by the session's lock.
    struct State: Sendable {
        var engine: SessionEngine
        var name: String?
        var updatedAt: Timestamp
        /// Incremented by every change; the ETag is derived from it.
        var version: UInt64 = 0
        var idempotency: IdempotencyCache
        /// Set when the session is deleted; queued changes then answer 404.
        var deleted = false
        /// Set when the session was evicted from memory after its idle time; queued changes then run
        /// again on the session reloaded from the data directory.
        var evicted = false
    }

    let id: SessionID
    let dtype: DType
    let layout: ParameterLayout
    let createdAt: Timestamp
    /// An upper bound on the JSON text of the parameters' values (`MemoryFootprint.parametersJSON`),
    /// leased before a JSON response with them is built.
    let parametersJSONBytes: Int
    /// Runs every change (step, PUT, PATCH, DELETE, eviction) in arrival order.
    let lane: SessionLane
    let state: Mutex<State>
    /// The session's files when the service has a data directory; every change is appended there
    /// (from the session's lane, in order) before it is acknowledged.
    let storage: SessionDirectory?
    /// When a request last used the session (`DispatchTime` nanoseconds), for idle eviction.
    private let lastUse = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

    /// Records a use now.
    func touch() {
        lastUse.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed)
    }

    /// Seconds since the last use.
    var idleSeconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds &- lastUse.load(ordering: .relaxed)) / 1e9
    }

    init(id: SessionID, state: State, createdAt: Timestamp, storage: SessionDirectory?) {
        self.id = id
        self.dtype = state.engine.dtype
        self.layout = state.engine.layout
        self.createdAt = createdAt
        self.parametersJSONBytes = MemoryFootprint.parametersJSON(
            layout: state.engine.layout, dtype: state.engine.dtype)
        self.storage = storage
        self.lane = SessionLane(label: "optd.session.\(id)")
        self.state = Mutex(state)
    }

    /// The snapshot bytes of a locked state (engine, name, times, version, idempotency keys).
    func snapshot(of s: State) -> [UInt8] {
        Session.snapshot(id: id, createdAt: createdAt, state: s)
    }

    /// The snapshot bytes of a session's state.
    static func snapshot(id: SessionID, createdAt: Timestamp, state s: State) -> [UInt8] {
        let meta = SessionCodec.Metadata(
            id: id, name: s.name, createdAt: createdAt, updatedAt: s.updatedAt, version: s.version,
            idempotency: s.idempotency.finished)
        switch s.engine {
        case .float32(let e): return SessionCodec.encodeSnapshot(e.checkpoint(), meta)
        case .float64(let e): return SessionCodec.encodeSnapshot(e.checkpoint(), meta)
        }
    }

    /// The entity tag of a state version: opaque, quoted, and different for every change.
    func etag(version: UInt64) -> String {
        "\"\(id.description.prefix(8))-\(version)\""
    }

    /// The summary as of now.
    func summary() -> SessionSummary {
        state.withLock { s in summary(of: s) }
    }

    /// The summary of a locked state.
    func summary(of s: State) -> SessionSummary {
        SessionSummary(
            id: id, name: s.name, dtype: dtype, step: s.engine.stepCount, lr: s.engine.lr, spec: s.engine.spec,
            layout: layout, createdAt: createdAt, updatedAt: s.updatedAt)
    }

    /// Changes the locked state of a session that is not deleted and whose version matches `ifMatch`
    /// (when a request sent one): runs `body` under the session's lock and returns what it returns.
    /// - Throws: 404 `session_not_found` once the session is deleted and 412 `precondition_failed`
    ///   when `ifMatch` does not match (both before `body` runs), or what `body` throws.
    func change<Result: Sendable>(
        ifMatch: String?, _ body: (inout State) throws(ServiceError) -> Result
    ) throws(ServiceError) -> Result {
        try state.withLock { (s) throws(ServiceError) -> Result in
            guard !s.deleted else { throw .sessionNotFound(id.description) }
            if let ifMatch, !matches(ifMatch: ifMatch, version: s.version) {
                throw .preconditionFailed(expected: ifMatch, current: etag(version: s.version))
            }
            return try body(&s)
        }
    }

    /// Whether `If-Match` (a list of entity tags, or `*`) matches the current version.
    func matches(ifMatch header: String, version: UInt64) -> Bool {
        let current = etag(version: version)
        return header.split(separator: ",").contains { tag in
            let t = tag.trimmingSpaces()
            return t == "*" || t == current
        }
    }
}
