import OptimizerCore
import Synchronization

/// Every live session, with the resource limits enforced before any state is allocated: the number
/// of sessions and the memory budget for all session state.
final class SessionRegistry: Sendable {
    /// Resources held for a session being created, counted against the limits until it is inserted
    /// or released.
    struct Reservation: Sendable {
        let bytes: Int
        let parameters: Int
    }

    private struct Inner {
        var sessions: [SessionID: Session] = [:]
        /// Sessions evicted from memory after their idle time and kept in the data directory, with
        /// the summary they had (listed without loading them).
        var resting: [SessionID: SessionSummary] = [:]
        /// Creation order, for listing oldest first.
        var order: [SessionID] = []
        var pendingSessions = 0
        var reservedBytes = 0
        var parameters = 0
    }

    let maxSessions: Int
    let memoryBudgetBytes: Int
    private let inner = Mutex(Inner())

    init(maxSessions: Int, memoryBudgetBytes: Int) {
        self.maxSessions = maxSessions
        self.memoryBudgetBytes = memoryBudgetBytes
    }

    /// Reserves room for one more session of `bytes` and `parameters`.
    /// - Throws: `limit_exceeded` (507) naming `max_sessions` or `memory_budget`.
    func reserve(bytes: Int, parameters: Int) throws(ServiceError) -> Reservation {
        try inner.withLock { (inner) throws(ServiceError) -> Reservation in
            guard inner.sessions.count + inner.resting.count + inner.pendingSessions < maxSessions else {
                throw .limitExceeded(
                    limit: "max_sessions", status: 507,
                    "the service holds its maximum of \(maxSessions) sessions (--max-sessions); delete one first")
            }
            let (total, overflow) = inner.reservedBytes.addingReportingOverflow(bytes)
            guard !overflow, total <= memoryBudgetBytes else {
                throw .limitExceeded(
                    limit: "memory_budget", status: 507,
                    "this session needs \(bytes) bytes of state; \(memoryBudgetBytes - inner.reservedBytes) of the "
                        + "memory budget of \(memoryBudgetBytes) bytes (--memory-budget) are free")
            }
            inner.pendingSessions += 1
            inner.reservedBytes = total
            inner.parameters += parameters
            return Reservation(bytes: bytes, parameters: parameters)
        }
    }

    /// Gives a reservation back (the create failed).
    func release(_ reservation: Reservation) {
        inner.withLock { inner in
            inner.pendingSessions -= 1
            inner.reservedBytes -= reservation.bytes
            inner.parameters -= reservation.parameters
        }
    }

    /// Makes a reserved session visible.
    func insert(_ session: Session, for reservation: Reservation) {
        inner.withLock { inner in
            inner.pendingSessions -= 1
            inner.sessions[session.id] = session
            // A reloaded session keeps its place in the listing.
            if inner.resting.removeValue(forKey: session.id) == nil { inner.order.append(session.id) }
        }
    }

    /// The session with `id`, if it exists.
    func session(_ id: SessionID) -> Session? {
        inner.withLock { $0.sessions[id] }
    }

    /// Removes the session and frees its resources; nil if there was none.
    func remove(_ id: SessionID) -> Session? {
        inner.withLock { inner in
            guard let session = inner.sessions.removeValue(forKey: id) else { return nil }
            inner.order.removeAll { $0 == id }
            inner.reservedBytes -= session.reservedBytes
            inner.parameters -= session.layout.totalCount
            return session
        }
    }

    /// Moves an idle session out of memory, keeping its summary; it is loaded again on first use.
    func rest(_ session: Session, summary: SessionSummary) {
        inner.withLock { inner in
            guard inner.sessions.removeValue(forKey: session.id) != nil else { return }
            inner.resting[session.id] = summary
            inner.reservedBytes -= session.reservedBytes
            inner.parameters -= session.layout.totalCount
        }
    }

    /// Whether the session rests in the data directory.
    func isResting(_ id: SessionID) -> Bool {
        inner.withLock { $0.resting[id] != nil }
    }

    /// Sessions in memory that have been idle longer than `seconds`.
    func idle(longerThan seconds: Double) -> [Session] {
        inner.withLock { inner in inner.sessions.values.filter { $0.idleSeconds > seconds } }
    }

    /// Every session's summary, oldest first: those in memory as they are now, resting ones as they
    /// were when evicted.
    func summaries() -> [SessionSummary] {
        // One snapshot of the registry; live summaries are read afterwards, outside its lock.
        let (order, sessions, resting) = inner.withLock { ($0.order, $0.sessions, $0.resting) }
        return order.compactMap { id in sessions[id]?.summary() ?? resting[id] }
    }

    /// Counts for `/metrics`.
    func gauges() -> ServiceMetrics.Gauges {
        inner.withLock { inner in
            ServiceMetrics.Gauges(
                sessions: inner.sessions.count + inner.resting.count, parameters: inner.parameters, stateBytes: inner.reservedBytes,
                memoryBudgetBytes: memoryBudgetBytes)
        }
    }
}
