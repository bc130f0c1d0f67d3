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
    /// Called (on any queue) after a connection closed; the server uses it to finish a shutdown.
    let onConnectionClosed: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

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
        let callback = onConnectionClosed.withLock { $0 }
        callback?()
    }
}
