public import DurableStorage

/// Everything the service can be configured with, resolved once at start-up.
///
/// The executable resolves command-line flags over `OPTD_*` environment variables over these
/// defaults; libraries never read the environment themselves.
public struct ServiceConfiguration: Sendable, Equatable {
    /// Address to listen on. Default `127.0.0.1`; `0.0.0.0` or `::` listen on every interface.
    public var host: String = "127.0.0.1"
    /// TCP port. Default 8080; 0 picks a free port (reported at start-up).
    public var port: Int = 8080
    /// Largest request body accepted, in bytes, before and after gzip inflation. Default 64 MiB.
    public var maxBodyBytes: Int = 64 << 20
    /// Most sessions held at once. Default 10,000.
    public var maxSessions: Int = 10_000
    /// Most parameters (elements, over all tensors) in one session. Default 100 million.
    public var maxParametersPerSession: Int = 100_000_000
    /// Memory for all session state (parameters, optimizer state, step scratch), in bytes.
    /// Default: half of the machine's or the container's memory.
    public var memoryBudgetBytes: Int = MemoryInfo.defaultBudget()
    /// Idempotency keys remembered per session (the oldest are forgotten first). Default 1,024.
    public var idempotencyKeysPerSession: Int = 1024
    /// Seconds allowed from the first byte of a request to the end of its headers. Default 10.
    public var headerTimeout: Double = 10
    /// Seconds a request body may go without progress. Default 30.
    public var bodyIdleTimeout: Double = 30
    /// Seconds an idle keep-alive connection is kept open. Default 30.
    public var keepAliveTimeout: Double = 30
    /// Seconds a response write may go without progress. Default 30.
    public var writeIdleTimeout: Double = 30
    /// Microseconds a connection keeps checking for its next request after each response before it
    /// waits to be woken (`HTTPServer.Configuration.busyPoll`); 0 turns it off. Default 50: on a VM
    /// whose idle CPUs halt, it lifted 1-connection 1k-parameter steps from about 5,300 to about
    /// 8,000 per second (BENCHMARKS.md).
    public var busyPollMicroseconds: Int = 50
    /// Most open connections; past it the server stops accepting. Default 1,024.
    public var maxConnections: Int = 1024
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT. Default 8 (below `docker stop`'s 10).
    public var shutdownGrace: Double = 8
    /// Directory for durable session state; nil keeps every session in memory only (lost on restart).
    public var dataDirectory: String?
    /// When acknowledged changes reach stable storage (with a data directory). Default `always`:
    /// every acknowledged step survives kill -9 and power loss.
    public var fsync: FsyncPolicy = .always
    /// Seconds without a request after which a session leaves memory: with a data directory it stays
    /// on disk and is loaded again on first use; without one it is deleted. Default: never.
    public var sessionIdleTimeout: Double?
    /// With a token, every endpoint but `/healthz` and `/readyz` requires `Authorization: Bearer
    /// <token>` (401 otherwise). Default: none (no access control; keep the service on loopback).
    public var authToken: String?
    /// Minimum level of log lines: trace, debug, info, notice, warning, error, critical. Default info.
    public var logLevel: String = "info"

    /// A configuration with every default.
    public init() {}

    /// Parses `--fsync`: `always`, `never` or `interval=<seconds>`.
    public static func fsyncPolicy(_ text: String) -> FsyncPolicy? {
        FsyncPolicy(argument: text)
    }
}
