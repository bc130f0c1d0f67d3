import Dispatch
import Logging
import Synchronization

/// What every connection of one server shares: configuration, router, logger and counters.
final class ServerCore: Sendable {
    let configuration: HTTPServer.Configuration
    let limits: HTTPRequestParser.Limits
    let timeouts: ConnectionStateMachine.Timeouts
    let router: Router
    let logger: Logger
    let dateCache = DateCache()
    let workerQueue = DispatchQueue.global(qos: .userInitiated)
    let connectionCount = Atomic<Int>(0)
    let shuttingDown = Atomic<Bool>(false)
    /// The server to tell (on any queue) when a connection closed, so that it can finish a shutdown.
    /// A weak reference, not a stored closure: reading a closure out of a `Mutex` through
    /// `withLock { $0 }` reabstracts it through an `inout` each time, wrapping the stored closure
    /// in two more thunks per read, so a closure here made every close slower than the last.
    let owner = Mutex(WeakServer())

    struct WeakServer: Sendable {
        weak var server: HTTPServer?
    }

    init(configuration: HTTPServer.Configuration, router: Router, logger: Logger) {
        self.configuration = configuration
        self.limits = configuration.parserLimits
        self.timeouts = configuration.timeouts
        self.router = router
        self.logger = logger
    }

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    func connectionClosed() {
        connectionCount.subtract(1, ordering: .relaxed)
        let server = owner.withLock { $0.server }
        server?.connectionClosed()
    }
}
