public import Logging
import MicroHTTP
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
    private let server = Mutex<HTTPServer?>(nil)

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
        if server.withLock({ $0?.isShuttingDown }) == true { return .stopping }
        return Phase(rawValue: phaseValue.load(ordering: .acquiring)) ?? .starting
    }

    /// Sets the phase (the runner marks the service ready once state is restored).
    public func setPhase(_ phase: Phase) {
        phaseValue.store(phase.rawValue, ordering: .releasing)
    }

    /// Attaches the server whose shutdown makes the service `stopping`.
    func attach(_ server: HTTPServer) {
        self.server.withLock { $0 = server }
    }

    /// The session named by the request's `:id`, or 404 `session_not_found`.
    func session(for request: HTTPRequest) throws(ServiceError) -> Session {
        let text = request.pathParameters["id"] ?? ""
        guard let id = SessionID(text), let session = registry.session(id) else { throw .sessionNotFound(text) }
        return session
    }
}
