import Dispatch
import DurableStorage
public import Logging
import MicroHTTP
import OptimizerCore
import Synchronization

/// What every route shares: configuration, the session registry, metrics, the logger and the
/// readiness of the service.
public final class ServiceContext: Sendable {
    /// Where the service is in its life, for `/readyz`.
    public enum Phase: Int, Sendable {
        case starting = 0
        case ready = 1
        case stopping = 2
    }

    public let configuration: ServiceConfiguration
    public let metrics = ServiceMetrics()
    public let logger: Logger
    let registry: SessionRegistry
    /// The data directory's sessions, when the service runs with `--data-dir`.
    let persistence: SessionPersistence?
    private let phaseValue = Atomic<Int>(Phase.starting.rawValue)
    /// Weak: the server's routes hold the context, so a strong reference back would keep a stopped
    /// service (and all its sessions) alive for as long as the process runs.
    private let server = Mutex(WeakServer())

    private struct WeakServer: Sendable {
        weak var server: HTTPServer?
    }

    /// - Throws: `StorageError` when the data directory cannot be opened (or another process holds it).
    public init(configuration: ServiceConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.persistence = try configuration.dataDirectory.map { (path) throws in
            try SessionPersistence(path: path, policy: configuration.fsync, logger: logger)
        }
        self.registry = SessionRegistry(
            maxSessions: configuration.maxSessions, memoryBudgetBytes: configuration.memoryBudgetBytes)
    }

    /// The current phase; `stopping` as soon as the HTTP server drains.
    public var phase: Phase {
        if server.withLock({ $0.server?.isShuttingDown }) == true { return .stopping }
        return Phase(rawValue: phaseValue.load(ordering: .acquiring)) ?? .starting
    }

    /// Sets the phase (the runner marks the service ready once state is restored).
    public func setPhase(_ phase: Phase) {
        phaseValue.store(phase.rawValue, ordering: .releasing)
    }

    /// Attaches the server whose shutdown makes the service `stopping`.
    func attach(_ server: HTTPServer) {
        self.server.withLock { $0.server = server }
    }

    /// Serialises loads of evicted sessions, so one is never loaded twice.
    private let loading = Mutex(())

    /// The session named by the request's `:id` (loaded from the data directory if it was evicted),
    /// or 404 `session_not_found`.
    func session(for request: HTTPRequest) throws(ServiceError) -> Session {
        let text = request.pathParameters["id"] ?? ""
        guard let id = SessionID(text) else { throw .sessionNotFound(text) }
        return try session(id)
    }

    /// The session `id`, loading it from the data directory if it was evicted.
    func session(_ id: SessionID) throws(ServiceError) -> Session {
        if let session = registry.session(id) {
            session.touch()
            return session
        }
        guard let persistence, registry.isResting(id) else { throw .sessionNotFound(id.description) }
        return try loading.withLock { (_) throws(ServiceError) -> Session in
            if let session = registry.session(id) { return session }  // loaded while this one waited
            let session = try persistence.load(id, into: registry, configuration: configuration)
            logger.info("reloaded an evicted session", metadata: ["session": "\(id)"])
            session.touch()
            return session
        }
    }

    /// Bodies up to this size (64 KiB, about 5,000 JSON numbers) are small: they are decoded on the
    /// connection's I/O queue, and their change may run there too (`enqueue(on:_:now:_:)`).
    static let smallBodyLimit = 64 << 10

    /// Sessions up to this many elements (64 KiB of float32) are small: a change to one costs
    /// microseconds, where a larger one may zero-fill or sweep its whole state (a JSON step that names
    /// one small tensor of a 100M-parameter session still fills a 400 MB gradient buffer).
    static let smallSessionLimit = 16_384

    /// Whether a change with a body of `bodyCount` bytes to `session` takes only microseconds, so that
    /// it may run on the connection's I/O queue: a small body, a small session, and no `fdatasync` per
    /// change (no data directory, or `--fsync` other than `always`).
    func isQuickChange(bodyCount: Int, session: Session) -> Bool {
        bodyCount <= Self.smallBodyLimit && session.layout.totalCount <= Self.smallSessionLimit
            && (persistence == nil || configuration.fsync != .always)
    }

    /// Runs a change on the session's lane (in arrival order): on the calling thread if `now` and
    /// the lane is idle, else on the lane's queue. If the session was evicted while the change
    /// waited, it runs again on the session reloaded from disk, in order there.
    func enqueue(
        on session: Session, _ responder: HTTPResponder, now: Bool = false,
        _ work: @escaping @Sendable (Session) -> HTTPResponse
    ) {
        let run: @Sendable () -> Void = { [self] in
            if session.state.withLock({ $0.evicted }) {
                do {
                    enqueue(on: try self.session(session.id), responder, work)
                } catch {
                    responder.send(error: error)
                }
                return
            }
            responder.send(work(session))
            session.touch()
        }
        if now { session.lane.runNowOrQueue(run) } else { session.lane.async(run) }
    }

    private let sweepTimer = Mutex<TimerBox?>(nil)

    /// Starts the periodic eviction sweep when `--session-idle-timeout` is set: every quarter of the
    /// timeout, at least every 10 s and at most every 50 ms.
    func startEvictionSweep() {
        guard let limit = configuration.sessionIdleTimeout else { return }
        let period = min(max(limit / 4, 0.05), 10)
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + period, repeating: period, leeway: .milliseconds(10))
        timer.setEventHandler { [weak self] in self?.evictIdleSessions() }
        timer.resume()
        sweepTimer.withLock { $0 = TimerBox(timer: timer) }
    }

    /// Evicts sessions idle longer than `--session-idle-timeout`: with a data directory they rest on
    /// disk and come back on first use; without one they are deleted. Each eviction runs on the
    /// session's lane, after any change already queued.
    func evictIdleSessions() {
        guard let limit = configuration.sessionIdleTimeout else { return }
        for session in registry.idle(longerThan: limit) {
            session.lane.async { [self] in
                guard session.idleSeconds > limit else { return }
                let summary = session.state.withLock { (s) -> SessionSummary? in
                    guard !s.deleted, !s.evicted else { return nil }
                    if persistence == nil { s.deleted = true } else { s.evicted = true }
                    return session.summary(of: s)
                }
                guard let summary else { return }
                if let persistence {
                    registry.rest(session, summary: summary)
                    persistence.close(session)
                    logger.info("evicted an idle session to the data directory", metadata: ["session": "\(session.id)"])
                } else {
                    _ = registry.remove(session.id)
                    logger.notice("deleted an idle session (no data directory)", metadata: ["session": "\(session.id)"])
                }
            }
        }
    }
}

/// Keeps the eviction timer alive for the context's lifetime.
///
/// `@unchecked Sendable`: libdispatch sources are thread-safe objects, and the box is only stored
/// (under `ServiceContext.sweepTimer`'s lock), never mutated.
private final class TimerBox: @unchecked Sendable {
    let timer: any DispatchSourceTimer

    init(timer: any DispatchSourceTimer) {
        self.timer = timer
    }

    deinit {
        timer.cancel()
    }
}
