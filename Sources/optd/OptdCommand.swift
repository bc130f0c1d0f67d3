import ArgumentParser
import Logging
import OptimizerService

#if canImport(Glibc)
import Glibc
#endif

/// The `optd` command: resolves configuration (flags over `OPTD_*` environment variables over
/// defaults) and runs the service until SIGTERM or SIGINT.
@main
struct OptdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optd",
        abstract: "An HTTP optimization service: optimizer sessions with PyTorch's exact numerics.",
        discussion: """
            Every option can also be set by the environment variable named in its help; a flag \
            wins over the environment, which wins over the default.
            """
    )

    @Option(help: "Address to listen on; 0.0.0.0 or :: for every interface. (env OPTD_HOST, default 127.0.0.1)")
    var host: String?

    @Option(help: "TCP port; 0 picks a free one. (env OPTD_PORT, default 8080)")
    var port: Int?

    @Option(help: "Largest request body, before and after gzip, e.g. 64MiB. (env OPTD_MAX_BODY, default 64MiB)")
    var maxBody: String?

    @Option(help: "Most sessions held at once. (env OPTD_MAX_SESSIONS, default 10000)")
    var maxSessions: Int?

    @Option(help: "Most parameters in one session. (env OPTD_MAX_PARAMETERS, default 100000000)")
    var maxParameters: Int?

    @Option(help: "Memory for all session state, e.g. 8GiB. (env OPTD_MEMORY_BUDGET, default half of the machine's or container's memory)")
    var memoryBudget: String?

    @Option(help: "Seconds to receive a request's headers. (env OPTD_HEADER_TIMEOUT, default 10)")
    var headerTimeout: Double?

    @Option(help: "Seconds a request body may stall. (env OPTD_BODY_TIMEOUT, default 30)")
    var bodyTimeout: Double?

    @Option(help: "Seconds an idle keep-alive connection stays open. (env OPTD_KEEPALIVE_TIMEOUT, default 30)")
    var keepAliveTimeout: Double?

    @Option(help: "Seconds a response write may stall. (env OPTD_WRITE_TIMEOUT, default 30)")
    var writeTimeout: Double?

    @Option(help: "Microseconds a connection keeps checking for its next request after each response before it waits to be woken; saves a thread wake-up (tens of microseconds on virtual machines) per request for clients that call in a loop, at up to this much CPU per response. 0 turns it off. (env OPTD_BUSY_POLL, default 50)")
    var busyPoll: Int?

    @Option(help: "Most open connections. (env OPTD_MAX_CONNECTIONS, default 1024)")
    var maxConnections: Int?

    @Option(help: "Seconds in-flight requests get after SIGTERM. (env OPTD_SHUTDOWN_GRACE, default 8)")
    var shutdownGrace: Double?

    @Option(help: "Directory for durable sessions; without it sessions live in memory and a restart loses them. (env OPTD_DATA_DIR, default none)")
    var dataDir: String?

    @Option(help: "With --data-dir: always (each acknowledged change survives power loss), interval=<seconds> (at most that window is lost on power loss) or never (survives a process crash only). (env OPTD_FSYNC, default always)")
    var fsync: String?

    @Option(help: "Seconds without a request after which a session leaves memory: with --data-dir it stays on disk and is loaded again on first use; without, it is deleted. (env OPTD_SESSION_IDLE_TIMEOUT, default never)")
    var sessionIdleTimeout: Double?

    @Option(help: "Require 'Authorization: Bearer <token>' on every endpoint but /healthz and /readyz. Prefer the environment variable, which other users cannot read from the process list. (env OPTD_AUTH_TOKEN, default none)")
    var authToken: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. (env OPTD_LOG_LEVEL, default info)")
    var logLevel: String?

    @Flag(help: "Probe GET /healthz of the optd configured by these flags and variables on this machine, then exit 0 if it answers 200 and 1 otherwise (the container's HEALTHCHECK).")
    var checkHealth = false

    func run() throws {
        let configuration = try resolve(environment: ProcessEnvironment.current())
        if checkHealth {
            let (healthy, report) = ServiceRunner.checkHealth(configuration: configuration)
            print(report)
            throw ExitCode(healthy ? 0 : 1)
        }
        var logger = Logger(label: "optd")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try ServiceRunner.run(configuration: configuration, logger: logger)
    }

    /// Flags over environment over defaults; a malformed value names its flag or variable.
    func resolve(environment: [String: String]) throws -> ServiceConfiguration {
        var c = ServiceConfiguration()
        func pick<T>(_ flag: T?, _ variable: String, _ parse: (String) -> T?) throws -> T? {
            if let flag { return flag }
            guard let text = environment[variable] else { return nil }
            guard let value = parse(text) else { throw ValidationError("\(variable)=\(text) is not a valid value") }
            return value
        }
        func size(_ flag: String?, _ variable: String, _ name: String) throws -> Int? {
            guard let text = try pick(flag, variable, { $0 }) else { return nil }
            guard let bytes = ByteSize.parse(text) else {
                throw ValidationError("\(name) \(text) is not a size (examples: 1048576, 64MiB, 8GiB, 500MB)")
            }
            return bytes
        }
        c.host = try pick(host, "OPTD_HOST", { $0 }) ?? c.host
        c.port = try pick(port, "OPTD_PORT", { Int($0) }) ?? c.port
        c.maxBodyBytes = try size(maxBody, "OPTD_MAX_BODY", "--max-body") ?? c.maxBodyBytes
        c.maxSessions = try pick(maxSessions, "OPTD_MAX_SESSIONS", { Int($0) }) ?? c.maxSessions
        c.maxParametersPerSession = try pick(maxParameters, "OPTD_MAX_PARAMETERS", { Int($0) }) ?? c.maxParametersPerSession
        c.memoryBudgetBytes = try size(memoryBudget, "OPTD_MEMORY_BUDGET", "--memory-budget") ?? c.memoryBudgetBytes
        c.headerTimeout = try pick(headerTimeout, "OPTD_HEADER_TIMEOUT", { Double($0) }) ?? c.headerTimeout
        c.bodyIdleTimeout = try pick(bodyTimeout, "OPTD_BODY_TIMEOUT", { Double($0) }) ?? c.bodyIdleTimeout
        c.keepAliveTimeout = try pick(keepAliveTimeout, "OPTD_KEEPALIVE_TIMEOUT", { Double($0) }) ?? c.keepAliveTimeout
        c.writeIdleTimeout = try pick(writeTimeout, "OPTD_WRITE_TIMEOUT", { Double($0) }) ?? c.writeIdleTimeout
        c.busyPollMicroseconds = try pick(busyPoll, "OPTD_BUSY_POLL", { Int($0) }) ?? c.busyPollMicroseconds
        c.maxConnections = try pick(maxConnections, "OPTD_MAX_CONNECTIONS", { Int($0) }) ?? c.maxConnections
        c.shutdownGrace = try pick(shutdownGrace, "OPTD_SHUTDOWN_GRACE", { Double($0) }) ?? c.shutdownGrace
        c.dataDirectory = try pick(dataDir, "OPTD_DATA_DIR", { $0 }) ?? c.dataDirectory
        if let text = try pick(fsync, "OPTD_FSYNC", { $0 }) {
            guard let policy = ServiceConfiguration.fsyncPolicy(text) else {
                throw ValidationError("fsync \(text) must be always, never or interval=<seconds> (0 < seconds <= 86400)")
            }
            c.fsync = policy
        }
        c.sessionIdleTimeout = try pick(sessionIdleTimeout, "OPTD_SESSION_IDLE_TIMEOUT", { Double($0) }) ?? c.sessionIdleTimeout
        if let idle = c.sessionIdleTimeout, !(idle > 0 && idle.isFinite) {
            throw ValidationError("session idle timeout must be a positive number of seconds, got \(idle)")
        }
        c.authToken = try pick(authToken, "OPTD_AUTH_TOKEN", { $0 }) ?? c.authToken
        if c.authToken?.isEmpty == true { throw ValidationError("the auth token must not be empty") }
        c.logLevel = try pick(logLevel, "OPTD_LOG_LEVEL", { $0 }) ?? c.logLevel
        try validate(c)
        return c
    }

    private func validate(_ c: ServiceConfiguration) throws {
        guard (0...65535).contains(c.port) else { throw ValidationError("port \(c.port) must be in 0...65535") }
        guard Logger.Level(rawValue: c.logLevel) != nil else {
            throw ValidationError("log level \(c.logLevel) must be one of trace, debug, info, notice, warning, error, critical")
        }
        for (name, value) in [("max body", c.maxBodyBytes), ("max sessions", c.maxSessions),
                              ("max parameters", c.maxParametersPerSession), ("memory budget", c.memoryBudgetBytes),
                              ("max connections", c.maxConnections)] where value <= 0 {
            throw ValidationError("\(name) must be positive, got \(value)")
        }
        guard (0...10_000).contains(c.busyPollMicroseconds) else {
            throw ValidationError("busy poll must be 0...10000 microseconds, got \(c.busyPollMicroseconds)")
        }
        for (name, value) in [("header timeout", c.headerTimeout), ("body timeout", c.bodyIdleTimeout),
                              ("keep-alive timeout", c.keepAliveTimeout), ("write timeout", c.writeIdleTimeout),
                              ("shutdown grace", c.shutdownGrace)] where !(value > 0 && value.isFinite) {
            throw ValidationError("\(name) must be a positive number of seconds, got \(value)")
        }
    }
}

/// The process environment as a dictionary (read once, at start-up, by the executable only).
enum ProcessEnvironment {
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
