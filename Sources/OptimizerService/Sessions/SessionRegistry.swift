import OptimizerCore
import Synchronization

/// Every live session, with the resource limits enforced before any state is allocated: the number
/// of sessions, and the memory budget shared by all session state and by the requests and responses
/// in flight (leases; `MemoryFootprint` says what each counts).
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
        /// Bytes held by sessions in memory (and sessions being created), per `MemoryFootprint.session`.
        var reservedBytes = 0
        /// Each session's share of `reservedBytes`.
        var bytesBySession: [SessionID: Int] = [:]
        /// Bytes lent to requests and responses in flight (`MemoryLease`).
        var leasedBytes = 0
        var parameters = 0

        /// Whether `bytes` more fit the budget, and the new total of reserved and leased bytes.
        func admits(_ bytes: Int, budget: Int) -> Bool {
            let (held, o1) = reservedBytes.addingReportingOverflow(leasedBytes)
            let (total, o2) = held.addingReportingOverflow(bytes)
            return !o1 && !o2 && bytes >= 0 && total <= budget
        }
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
            guard inner.admits(bytes, budget: memoryBudgetBytes) else {
                throw budgetExceeded(inner, needed: bytes, for: "this session")
            }
            inner.pendingSessions += 1
            inner.reservedBytes += bytes
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

    /// The 507 `limit_exceeded` for `needed` bytes that do not fit, naming what needed them.
    func budgetExceeded(needed: Int, for what: String) -> ServiceError {
        inner.withLock { budgetExceeded($0, needed: needed, for: what) }
    }

    private func budgetExceeded(_ inner: Inner, needed: Int, for what: String) -> ServiceError {
        let free = max(0, memoryBudgetBytes - inner.reservedBytes - inner.leasedBytes)
        return .limitExceeded(
            limit: "memory_budget", status: 507,
            "\(what) needs \(needed) bytes; \(free) of the memory budget of \(memoryBudgetBytes) bytes "
                + "(--memory-budget) are free (sessions hold \(inner.reservedBytes), requests in flight \(inner.leasedBytes))"
        )
    }

    /// Grows a session's share by `bytes` (a PATCH that adds optimizer state), before the state is
    /// allocated. - Throws: 507 `limit_exceeded` (`memory_budget`) when they do not fit.
    func grow(_ session: Session, by bytes: Int) throws(ServiceError) {
        guard bytes > 0 else { return }
        try inner.withLock { (inner) throws(ServiceError) in
            guard inner.sessions[session.id] != nil else { return }
            guard inner.admits(bytes, budget: memoryBudgetBytes) else {
                throw budgetExceeded(inner, needed: bytes, for: "this change adds optimizer state that")
            }
            inner.reservedBytes += bytes
            inner.bytesBySession[session.id, default: 0] += bytes
        }
    }

    /// Lends `bytes` of the budget to a request or response in flight until the lease is freed.
    /// - Parameter what: what needs them, for the 507's detail ("the JSON response").
    /// - Throws: 507 `limit_exceeded` (`memory_budget`) when they do not fit.
    func lease(bytes: Int, for what: String) throws(ServiceError) -> MemoryLease {
        guard let lease = tryLease(bytes: bytes) else { throw budgetExceeded(needed: bytes, for: what) }
        return lease
    }

    /// A lease without the 507: nil when `bytes` do not fit (for the HTTP layer's body gate).
    func tryLease(bytes: Int) -> MemoryLease? {
        let granted = inner.withLock { inner in
            guard inner.admits(bytes, budget: memoryBudgetBytes) else { return false }
            inner.leasedBytes += bytes
            return true
        }
        return granted ? MemoryLease(bytes: bytes, registry: self) : nil
    }

    /// Called by a lease when it is freed.
    fileprivate func endLease(bytes: Int) {
        inner.withLock { $0.leasedBytes -= bytes }
    }

    /// Makes a reserved session visible.
    func insert(_ session: Session, for reservation: Reservation) {
        inner.withLock { inner in
            inner.pendingSessions -= 1
            inner.sessions[session.id] = session
            inner.bytesBySession[session.id] = reservation.bytes
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
            inner.reservedBytes -= inner.bytesBySession.removeValue(forKey: id) ?? 0
            inner.parameters -= session.layout.totalCount
            return session
        }
    }

    /// Moves an idle session out of memory, keeping its summary; it is loaded again on first use.
    func rest(_ session: Session, summary: SessionSummary) {
        inner.withLock { inner in
            guard inner.sessions.removeValue(forKey: session.id) != nil else { return }
            inner.resting[session.id] = summary
            inner.reservedBytes -= inner.bytesBySession.removeValue(forKey: session.id) ?? 0
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
                sessions: inner.sessions.count + inner.resting.count, parameters: inner.parameters,
                stateBytes: inner.reservedBytes,
                leasedBytes: inner.leasedBytes,
                memoryBudgetBytes: memoryBudgetBytes)
        }
    }
}

/// Bytes of the memory budget lent to one request or response in flight; given back when the lease is
/// freed, so a lease kept beside a buffer (a request body, a response body) lasts exactly as long as it.
final class MemoryLease: Sendable {
    let bytes: Int
    private let registry: SessionRegistry

    fileprivate init(bytes: Int, registry: SessionRegistry) {
        self.bytes = bytes
        self.registry = registry
    }

    deinit {
        registry.endLease(bytes: bytes)
    }
}
