import DurableStorage
import Glibc
import Logging
import MicroHTTP
import OptimizerService
import Testing
import TestSupport

/// An optd service started in-process on a free loopback port for one test, with the helpers every
/// live suite uses. Always use it through `withService`, which stops it even when the test throws.
final class TestService: Sendable {
    let running: ServiceRunner.Running
    var port: Int { running.port }

    init(_ configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        var c = ServiceConfiguration()
        c.host = "127.0.0.1"
        c.port = 0
        c.memoryBudgetBytes = 2 << 30
        c.shutdownGrace = 1
        c.logLevel = "critical"
        configure(&c)
        var logger = Logger(label: "optd-test")
        logger.logLevel = .critical
        running = try Self.start(c, logger)
    }

    /// Starts the service; a data directory still locked by a service a test just stopped (Dispatch may
    /// still be releasing its last blocks, and with them its context) is retried for up to 2 s.
    private static func start(_ c: ServiceConfiguration, _ logger: Logger) throws -> ServiceRunner.Running {
        for _ in 0..<200 {
            do {
                return try ServiceRunner.start(configuration: c, logger: logger)
            } catch let error as StorageError where error.kind == .locked {
                usleep(10_000)
            }
        }
        return try ServiceRunner.start(configuration: c, logger: logger)
    }

    func stop() {
        running.server.shutdown(grace: .seconds(1))
        running.server.waitUntilStopped()
    }

    /// A new keep-alive connection.
    func client(timeout: Double = 15) throws -> HTTPClient { try HTTPClient(port: port, timeout: timeout) }
}

/// Starts a service, runs `body` with it and stops it.
func withService<T>(
    _ configure: (inout ServiceConfiguration) -> Void = { _ in }, _ body: (TestService) throws -> T
) throws -> T {
    let service = try TestService(configure)
    defer { service.stop() }
    return try body(service)
}

/// Starts a service and opens one connection to it.
func withClient<T>(
    _ configure: (inout ServiceConfiguration) -> Void = { _ in }, _ body: (HTTPClient, TestService) throws -> T
) throws -> T {
    try withService(configure) { service in try body(try service.client(), service) }
}
