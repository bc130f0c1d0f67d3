public import Logging
import Dispatch
import DurableStorage
public import MicroHTTP

/// Starts and stops the whole service: the session registry, the routes and the HTTP server.
public enum ServiceRunner {
    /// A started service (tests use it on port 0).
    public struct Running: Sendable {
        public let context: ServiceContext
        public let server: HTTPServer
        /// The bound port (the configured one, or the one the system picked for 0).
        public let port: Int
    }

    /// Binds and starts serving; returns at once. Process-wide tuning (the allocator's) is the
    /// executable's to do at start-up, not this call's.
    public static func start(configuration: ServiceConfiguration, logger: Logger) throws -> Running {
        let context = try ServiceContext(configuration: configuration, logger: logger)
        if let persistence = context.persistence {
            let start = DispatchTime.now().uptimeNanoseconds
            let (restored, skipped) = persistence.restoreAll(into: context.registry, configuration: configuration)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            logger.notice(
                "restored sessions from the data directory",
                metadata: [
                    "path": "\(persistence.directory.path)", "restored": "\(restored)", "skipped": "\(skipped)",
                    "milliseconds": "\(ms.formatted3)", "fsync": "\(configuration.fsync)",
                ])
        }
        let server = HTTPServer(
            configuration: httpConfiguration(configuration, context: context),
            router: ServiceRoutes.router(context: context), logger: logger)
        context.attach(server)
        let port = try server.start()
        context.startEvictionSweep()
        context.setPhase(.ready)
        logger.notice(
            "optd listening",
            metadata: [
                "host": "\(configuration.host)", "port": "\(port)",
                "memory_budget_bytes": "\(configuration.memoryBudgetBytes)",
            ])
        return Running(context: context, server: server, port: port)
    }

    /// Serves until SIGTERM or SIGINT, then drains in-flight requests within the grace period and returns.
    public static func run(configuration: ServiceConfiguration, logger: Logger) throws {
        let running = try start(configuration: configuration, logger: logger)
        HTTPServer.installShutdownSignalHandlers(for: running.server)
        running.server.waitUntilStopped()
        logger.notice("optd stopped")
    }

    /// Probes `GET /healthz` of the service that `configuration` describes on this machine: a
    /// wildcard listener (`0.0.0.0`, `::`) is probed on loopback. Returns whether it answered 200,
    /// and a one-line report.
    public static func checkHealth(configuration: ServiceConfiguration) -> (healthy: Bool, report: String) {
        let host = ["0.0.0.0", "::", ""].contains(configuration.host) ? "127.0.0.1" : configuration.host
        do {
            let status = try HealthProbe.status(
                host: host, port: configuration.port, path: "/healthz", timeout: .seconds(2))
            return (status == 200, "healthz: \(status)")
        } catch {
            return (false, "healthz: unreachable at \(host):\(configuration.port): \(error)")
        }
    }

    /// The HTTP layer's configuration from the service's, with the request observer that feeds the
    /// metrics and writes one log line per request.
    static func httpConfiguration(_ c: ServiceConfiguration, context: ServiceContext) -> HTTPServer.Configuration {
        var http = HTTPServer.Configuration(host: c.host, port: c.port)
        http.maxBody = c.maxBodyBytes
        http.maxDecompressedBody = c.maxBodyBytes
        http.headerTimeout = .seconds(c.headerTimeout)
        http.bodyIdleTimeout = .seconds(c.bodyIdleTimeout)
        http.keepAliveIdle = .seconds(c.keepAliveTimeout)
        http.writeIdleTimeout = .seconds(c.writeIdleTimeout)
        http.maxConnections = c.maxConnections
        http.busyPoll = .microseconds(c.busyPollMicroseconds)
        http.shutdownGrace = .seconds(c.shutdownGrace)
        http.bodyMemoryGate = BudgetBodyGate(registry: context.registry)
        let metrics = context.metrics
        let logger = context.logger
        http.requestObserver = { record in
            let method = record.method?.rawValue ?? "-"
            metrics.recordRequest(
                method: method, route: record.routePattern, status: record.status.code, bytesIn: record.bytesIn,
                bytesOut: record.bytesOut)
            if logger.logLevel <= .info {
                let (seconds, attoseconds) = record.duration.components
                let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
                logger.info("\(method) \(record.path ?? "-") \(record.status.code) \(ms.formatted3)ms")
            }
        }
        return http
    }
}

extension Double {
    /// Three decimals, without Foundation.
    fileprivate var formatted3: String {
        let thousandths = (self * 1000).rounded()
        let whole = Int(thousandths / 1000)
        let fraction = Int(abs(thousandths).truncatingRemainder(dividingBy: 1000))
        let digits = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 3 - digits.count))\(digits)"
    }
}
