import Dispatch
public import Logging
import Synchronization

/// MicroHTTP's HTTP/1.1 server: POSIX sockets, one `DispatchSourceRead` per connection on a few
/// serial I/O queues, strict parsing, limits, timeouts, gzip and graceful shutdown.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(host: "::", port: 8080), router: router, logger: logger)
/// let port = try server.start()
/// HTTPServer.installShutdownSignalHandlers(for: server)   // SIGTERM/SIGINT → shutdown(grace:)
/// server.waitUntilStopped()
/// ```
/// An idle or slow connection holds no thread. Requests on one connection are answered in order;
/// while a response is pending the connection is not read (pipelining backpressure).
public final class HTTPServer: Sendable {
    /// Signals that ``installShutdownSignalHandlers(for:signals:grace:)`` can handle.
    public enum Signal: Sendable, CaseIterable {
        /// SIGTERM (`docker stop`, Kubernetes).
        case terminate
        /// SIGINT (Ctrl-C).
        case interrupt

        var number: Int32 { self == .terminate ? Socket.terminateSignal : Socket.interruptSignal }
    }

    private enum Phase {
        case idle
        case running
        case shuttingDown
        case stopped
    }

    /// `@unchecked Sendable`: dispatch sources are thread-safe objects; the fields are immutable.
    private struct Listener: @unchecked Sendable {
        let socket: Socket
        let source: any DispatchSourceRead
        let address: String
    }

    /// `@unchecked Sendable`: dispatch sources are thread-safe objects.
    private struct SourceBox: @unchecked Sendable {
        let source: any DispatchSourceProtocol
    }

    private struct State {
        var phase = Phase.idle
        var listeners: [Listener] = []
        var port: Int?
        var acceptPaused = false
        var nextLoop = 0
        var signalSources: [SourceBox] = []
        var graceTimer: SourceBox?
    }

    /// The configuration the server was created with.
    public let configuration: Configuration
    private let core: ServerCore
    private let loops: [IOLoop]
    private let acceptQueue = DispatchQueue(label: "microhttp.accept", qos: .userInitiated)
    private let state = Mutex(State())
    private let stoppedGroup = DispatchGroup()

    /// Creates a server; nothing is bound until ``start()``. The default logger discards everything.
    public init(
        configuration: Configuration = Configuration(),
        router: Router,
        logger: Logger = Logger(label: "microhttp", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.core = ServerCore(configuration: configuration, router: router, logger: logger)
        self.loops = (0..<max(1, configuration.ioQueueCount)).map { IOLoop(label: "microhttp.io.\($0)") }
    }

    /// The bound port once started, else nil.
    public var port: Int? { state.withLock { $0.port } }

    /// True from ``shutdown(grace:)`` on (a readiness endpoint answers 503 while true).
    public var isShuttingDown: Bool { core.isShuttingDown }

    /// Open client connections right now.
    public var connectionCount: Int { core.connectionCount.load(ordering: .relaxed) }

    /// Binds and listens on every address of `configuration.host` and starts serving.
    /// - Returns: The bound port (the chosen one when `port` is 0).
    /// - Throws: ``SocketError`` when resolving, binding or listening fails; nothing stays open then.
    @discardableResult
    public func start() throws -> Int {
        try state.withLock { s throws in
            guard s.phase == .idle else {
                if let port = s.port { return port }
                throw SocketError(operation: "start", code: 0, message: "the server was already stopped")
            }
            Socket.ignoreSIGPIPE()
            let limit = Socket.openFileLimit()
            core.logger.info(
                "RLIMIT_NOFILE",
                metadata: [
                    "soft": "\(limit.soft)", "hard": "\(limit.hard)",
                    "maxConnections": "\(configuration.maxConnections)",
                ]
            )
            if limit.soft > 0 && UInt64(configuration.maxConnections) + 32 > limit.soft {
                core.logger.warning(
                    "maxConnections is close to or above the open-file limit; accept will back off on EMFILE"
                )
            }
            var sockets: [(Socket, String)] = []
            var port = configuration.port
            do {
                let addresses = try Socket.resolve(host: configuration.host, port: port)
                guard !addresses.isEmpty else {
                    throw SocketError(
                        operation: "getaddrinfo",
                        code: 0,
                        message: "no address for \(configuration.host)"
                    )
                }
                for (i, var address) in addresses.enumerated() {
                    if i > 0 && configuration.port == 0 {
                        // Bind the other addresses on the port the kernel chose for the first.
                        address = try Socket.resolve(host: configuration.host, port: port)[i]
                    }
                    let socket = try Socket.listen(on: address, backlog: Int32(clamping: configuration.backlog))
                    sockets.append((socket, address.description))
                    if i == 0 { port = try socket.localPort() }
                }
            } catch {
                for (socket, _) in sockets { socket.close() }
                throw error
            }
            for loop in loops { loop.startSweep(interval: configuration.sweepInterval) }
            for (socket, address) in sockets {
                let source = DispatchSource.makeReadSource(fileDescriptor: socket.descriptor, queue: acceptQueue)
                source.setEventHandler { [weak self] in self?.acceptConnections(on: socket) }
                source.setCancelHandler { socket.close() }
                source.resume()
                s.listeners.append(Listener(socket: socket, source: source, address: address))
                core.logger.info("listening", metadata: ["address": "\(address)"])
            }
            core.owner.withLock { $0.server = self }
            s.port = port
            s.phase = .running
            stoppedGroup.enter()
            return port
        }
    }

    /// Starts (if needed) and blocks until the server has stopped.
    public func run() throws {
        try start()
        waitUntilStopped()
    }

    /// Blocks until a shutdown has finished (every connection closed, listeners closed).
    public func waitUntilStopped() {
        let started = state.withLock { $0.phase != .idle }
        guard started else { return }
        stoppedGroup.wait()
    }

    /// Blocks until the server has stopped or `timeout` passed; returns true if it stopped.
    public func waitUntilStopped(timeout: Duration) -> Bool {
        let started = state.withLock { $0.phase != .idle }
        guard started else { return true }
        return stoppedGroup.wait(timeout: .now() + .nanoseconds(Int(timeout.nanoseconds))) == .success
    }

    /// Graceful shutdown: stop accepting, close idle connections now, let in-flight requests finish
    /// (their responses carry `Connection: close`) for up to `grace` (default
    /// `configuration.shutdownGrace`), then close the rest. Idempotent; returns at once (use
    /// ``waitUntilStopped()``); safe from any thread, including a signal source handler.
    public func shutdown(grace: Duration? = nil) {
        let grace = grace ?? configuration.shutdownGrace
        // The grace timer is created and stored under the same lock that enters `.shuttingDown`,
        // so the final `connectionClosed()` always finds (and cancels) it.
        let started: (listeners: [Listener], timer: SourceBox)? = state.withLock { s in
            switch s.phase {
            case .idle:
                s.phase = .stopped
                return nil
            case .shuttingDown, .stopped:
                return nil
            case .running:
                s.phase = .shuttingDown
                core.shuttingDown.store(true, ordering: .relaxed)
                let l = s.listeners
                s.listeners = []
                if s.acceptPaused {
                    s.acceptPaused = false
                    for listener in l { listener.source.resume() }
                }
                let timer = DispatchSource.makeTimerSource(queue: acceptQueue)
                timer.schedule(deadline: .now() + .nanoseconds(Int(grace.nanoseconds)))
                timer.setEventHandler { [weak self] in self?.graceExpired() }
                s.graceTimer = SourceBox(source: timer)
                return (l, SourceBox(source: timer))
            }
        }
        guard let (listeners, timer) = started else { return }
        core.logger.info("shutting down", metadata: ["grace": "\(grace)", "connections": "\(connectionCount)"])
        acceptQueue.async {
            for listener in listeners { listener.source.cancel() }
        }
        for loop in loops {
            loop.queue.async { loop.forEachConnection { $0.shutdownRequested() } }
        }
        timer.source.resume()
        connectionClosed()
    }

    /// The grace period is over: close whatever is still open.
    private func graceExpired() {
        core.logger.info("grace period over", metadata: ["closing": "\(connectionCount)"])
        for loop in loops {
            loop.queue.async { loop.forEachConnection { $0.close() } }
        }
    }

    /// Installs `DispatchSource` handlers for `signals` that call ``shutdown(grace:)`` on `server`
    /// (the signals' default disposition is set to ignore first, so this works as PID 1).
    public static func installShutdownSignalHandlers(
        for server: HTTPServer,
        signals: [Signal] = Signal.allCases,
        grace: Duration? = nil
    ) {
        for signal in signals {
            // Only the first time per process: libdispatch installs its own forwarding handler
            // when the first source for a signal registers, and a later SIG_IGN would replace it.
            let first = HTTPServer.ignoredSignals.withLock { $0.insert(signal.number).inserted }
            if first { Socket.ignoreSignal(signal.number) }
            let source = DispatchSource.makeSignalSource(signal: signal.number, queue: server.acceptQueue)
            source.setEventHandler { [weak server] in
                server?.core.logger.info("signal received", metadata: ["signal": "\(signal)"])
                server?.shutdown(grace: grace)
            }
            source.resume()
            server.state.withLock { $0.signalSources.append(SourceBox(source: source)) }
        }
    }

    /// Signals whose disposition this process already set to ignore.
    private static let ignoredSignals = Mutex<Set<Int32>>([])

    // MARK: - Accepting

    /// Accepts up to 64 connections per wake-up (runs on `acceptQueue`).
    private func acceptConnections(on listener: Socket) {
        for _ in 0..<64 {
            switch listener.accept() {
            case .accepted(let socket, let peer):
                if core.isShuttingDown {
                    socket.close()
                    continue
                }
                if core.connectionCount.load(ordering: .relaxed) >= configuration.maxConnections {
                    rejectFull(socket)
                    continue
                }
                core.connectionCount.add(1, ordering: .relaxed)
                let loop = state.withLock { s -> IOLoop in
                    s.nextLoop = (s.nextLoop + 1) % loops.count
                    return loops[s.nextLoop]
                }
                let core = self.core
                loop.queue.async {
                    Connection(socket: socket, remoteAddress: peer, loop: loop, core: core).start()
                }
            case .wouldBlock:
                return
            case .retry:
                continue
            case .resourcesExhausted(let error), .failed(let error):
                core.logger.error(
                    "accept failed; pausing",
                    metadata: ["error": "\(error)", "backoff": "\(configuration.acceptBackoff)"]
                )
                pauseAccepting()
                return
            }
        }
    }

    /// Stops accepting for `acceptBackoff`, keeping open connections served (docs/http.md §1 F3).
    private func pauseAccepting() {
        let listeners: [Listener] = state.withLock { s in
            guard s.phase == .running, !s.acceptPaused else { return [] }
            s.acceptPaused = true
            return s.listeners
        }
        guard !listeners.isEmpty else { return }
        for l in listeners { l.source.suspend() }
        acceptQueue.asyncAfter(deadline: .now() + .nanoseconds(Int(configuration.acceptBackoff.nanoseconds))) {
            [weak self] in
            guard let self else { return }
            let resume: [Listener] = self.state.withLock { s in
                guard s.acceptPaused else { return [] }
                s.acceptPaused = false
                return s.listeners
            }
            for l in resume { l.source.resume() }
        }
    }

    private static let fullResponse: [UInt8] = {
        let body = HTTPProblem.connectionLimit.response(
            detail: "the server has reached its connection limit (maxConnections)"
        ).body.bytes
        return Array(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n"
                .utf8
        ) + body
    }()

    /// Over `maxConnections`: a canned 503 and close.
    private func rejectFull(_ socket: Socket) {
        HTTPServer.fullResponse.withUnsafeBytes { raw in
            _ = try? socket.send(raw, UnsafeRawBufferPointer(start: nil, count: 0))
        }
        socket.shutdownWrite()
        socket.close()
    }

    // MARK: - Stopping

    func connectionClosed() {
        guard core.isShuttingDown, core.connectionCount.load(ordering: .relaxed) == 0 else { return }
        let finish: Bool = state.withLock { s in
            guard s.phase == .shuttingDown else { return false }
            s.phase = .stopped
            s.graceTimer?.source.cancel()
            s.graceTimer = nil
            return true
        }
        guard finish else { return }
        for loop in loops { loop.stopSweep() }
        core.logger.info("stopped")
        stoppedGroup.leave()
    }
}
