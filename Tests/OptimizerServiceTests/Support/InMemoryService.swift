import Logging
import MicroHTTP
import OptimizerService
import TestSupport

/// The service's routes without a server: a `ServiceContext` and `ServiceRoutes.router(context:)`
/// answered in memory by a `RouterClient`. For route behaviour that is not about HTTP or concurrency
/// (status, problem codes, bodies, session state); framing, gzip, `100 Continue`, connection limits,
/// the body memory gate on request bodies and the request metrics need a live `TestService`.
final class InMemoryService: Sendable {
    let context: ServiceContext
    let client: RouterClient

    /// The same configuration as `TestService` (2 GiB budget, quiet logs), then `configure`.
    /// Nothing is restored from a data directory and there is no eviction sweep: those are the runner's.
    init(_ configure: (inout ServiceConfiguration) -> Void = { _ in }, timeout: Double = 15) throws {
        var c = ServiceConfiguration()
        c.host = "127.0.0.1"
        c.port = 0
        c.memoryBudgetBytes = 2 << 30
        c.logLevel = "critical"
        configure(&c)
        var logger = Logger(label: "optd-test")
        logger.logLevel = .critical
        context = try ServiceContext(configuration: c, logger: logger)
        context.setPhase(.ready)
        client = RouterClient(router: ServiceRoutes.router(context: context), timeout: timeout)
    }
}

/// Builds the service's router in memory and runs `body` with a client for it.
func withRouterClient<T>(
    _ configure: (inout ServiceConfiguration) -> Void = { _ in }, _ body: (RouterClient, InMemoryService) throws -> T
) throws -> T {
    let service = try InMemoryService(configure)
    return try body(service.client, service)
}
