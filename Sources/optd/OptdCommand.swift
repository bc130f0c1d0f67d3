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

    @Option(help: "TCP port, 0...65535; 0 picks a free one. (env OPTD_PORT, default 8080)")
    var port: Int?

    @Option(
        help:
            "Largest request body, before and after gzip, e.g. 64MiB; at most 4GiB. (env OPTD_MAX_BODY, default 64MiB)")
    var maxBody: String?

    @Option(help: "Most sessions held at once, 1...1000000. (env OPTD_MAX_SESSIONS, default 10000)")
    var maxSessions: Int?

    @Option(help: "Most parameters in one session, 1...1000000000000. (env OPTD_MAX_PARAMETERS, default 100000000)")
    var maxParameters: Int?

    @Option(
        help:
            "Memory for all session state, e.g. 8GiB; at most 1024TiB. (env OPTD_MEMORY_BUDGET, default half of the machine's or container's memory)"
    )
    var memoryBudget: String?

    @Option(
        help:
            "Seconds to receive a request's headers, more than 0 and at most 86400. (env OPTD_HEADER_TIMEOUT, default 10)"
    )
    var headerTimeout: Double?

    @Option(
        help: "Seconds a request body may stall, more than 0 and at most 86400. (env OPTD_BODY_TIMEOUT, default 30)")
    var bodyTimeout: Double?

    @Option(
        help:
            "Seconds an idle keep-alive connection stays open, more than 0 and at most 86400. (env OPTD_KEEPALIVE_TIMEOUT, default 30)"
    )
    var keepAliveTimeout: Double?

    @Option(
        help: "Seconds a response write may stall, more than 0 and at most 86400. (env OPTD_WRITE_TIMEOUT, default 30)")
    var writeTimeout: Double?

    @Option(
        help:
            "Microseconds a connection keeps checking for its next request after each response before it waits to be woken; saves a thread wake-up (tens of microseconds on virtual machines) per request for clients that call in a loop, at up to this much CPU per response. 0 turns it off; at most 10000. (env OPTD_BUSY_POLL, default 50)"
    )
    var busyPoll: Int?

    @Option(help: "Most open connections, 1...1000000. (env OPTD_MAX_CONNECTIONS, default 1024)")
    var maxConnections: Int?

    @Option(
        help:
            "Seconds in-flight requests get after SIGTERM, more than 0 and at most 86400. (env OPTD_SHUTDOWN_GRACE, default 8)"
    )
    var shutdownGrace: Double?

    @Option(
        help:
            "Directory for durable sessions; without it sessions live in memory and a restart loses them. (env OPTD_DATA_DIR, default none)"
    )
    var dataDir: String?

    @Option(
        help:
            "With --data-dir: always (each acknowledged change survives power loss), interval=<seconds> with 0 < seconds <= 86400 (at most that window is lost on power loss) or never (survives a process crash only). (env OPTD_FSYNC, default always)"
    )
    var fsync: String?

    @Option(
        help:
            "Seconds without a request after which a session leaves memory: with --data-dir it stays on disk and is loaded again on first use; without, it is deleted. More than 0 and at most 2592000 (30 days). (env OPTD_SESSION_IDLE_TIMEOUT, default never)"
    )
    var sessionIdleTimeout: Double?

    @Option(
        help:
            "Require 'Authorization: Bearer <token>' on every endpoint but /healthz and /readyz. Prefer the environment variable, which other users cannot read from the process list. (env OPTD_AUTH_TOKEN, default none)"
    )
    var authToken: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. (env OPTD_LOG_LEVEL, default info)")
    var logLevel: String?

    @Flag(
        help:
            "Probe GET /healthz of the optd configured by these flags and variables on this machine, then exit 0 if it answers 200 and 1 otherwise (the container's HEALTHCHECK)."
    )
    var checkHealth = false

    func run() throws {
        let configuration = try resolve(environment: ProcessEnvironment.current())
        if checkHealth {
            let (healthy, report) = ServiceRunner.checkHealth(configuration: configuration)
            print(report)
            throw ExitCode(healthy ? 0 : 1)
        }
        // Before the server starts any thread (see ProcessTuning).
        ProcessTuning.keepLargeAllocations()
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
        c.maxParametersPerSession =
            try pick(maxParameters, "OPTD_MAX_PARAMETERS", { Int($0) }) ?? c.maxParametersPerSession
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
                throw ValidationError(
                    "--fsync (OPTD_FSYNC) \(text) must be always, never or interval=<seconds> (0 < seconds <= 86400)")
            }
            c.fsync = policy
        }
        c.sessionIdleTimeout =
            try pick(sessionIdleTimeout, "OPTD_SESSION_IDLE_TIMEOUT", { Double($0) }) ?? c.sessionIdleTimeout
        c.authToken = try pick(authToken, "OPTD_AUTH_TOKEN", { $0 }) ?? c.authToken
        if c.authToken?.isEmpty == true { throw ValidationError("--auth-token (OPTD_AUTH_TOKEN) must not be empty") }
        c.logLevel = try pick(logLevel, "OPTD_LOG_LEVEL", { $0 }) ?? c.logLevel
        try validate(c)
        return c
    }

    /// Upper bounds of the numeric settings. Each value ends up in an `Int` sum or product, a `Duration`
    /// or a timer; past these bounds it could overflow and trap instead of being refused. The bounds
    /// are in `--help` and README's configuration table.
    enum Bounds {
        static let maxBodyBytes = 4 << 30  // 4GiB
        static let maxSessions = 1_000_000
        static let maxParameters = 1_000_000_000_000
        static let memoryBudgetBytes = 1024 << 40  // 1024TiB
        static let maxConnections = 1_000_000
        static let busyPollMicroseconds = 10_000
        /// Timeouts and the shutdown grace, in seconds (one day).
        static let timeoutSeconds = 86_400.0
        /// `--session-idle-timeout`, in seconds (30 days).
        static let sessionIdleSeconds = 2_592_000.0
    }

    /// Refuses any value out of its documented range with a message naming the flag, its variable and
    /// the range; never traps.
    private func validate(_ c: ServiceConfiguration) throws {
        guard (0...65535).contains(c.port) else {
            throw ValidationError("--port (OPTD_PORT) must be in 0...65535, got \(c.port)")
        }
        guard Logger.Level(rawValue: c.logLevel) != nil else {
            throw ValidationError(
                "--log-level (OPTD_LOG_LEVEL) \(c.logLevel) must be one of trace, debug, info, notice, warning, error, critical"
            )
        }
        let counts: [(String, String, Int, Int, String)] = [
            ("--max-body", "OPTD_MAX_BODY", c.maxBodyBytes, Bounds.maxBodyBytes, "bytes (4GiB)"),
            ("--max-sessions", "OPTD_MAX_SESSIONS", c.maxSessions, Bounds.maxSessions, ""),
            ("--max-parameters", "OPTD_MAX_PARAMETERS", c.maxParametersPerSession, Bounds.maxParameters, ""),
            ("--memory-budget", "OPTD_MEMORY_BUDGET", c.memoryBudgetBytes, Bounds.memoryBudgetBytes, "bytes (1024TiB)"),
            ("--max-connections", "OPTD_MAX_CONNECTIONS", c.maxConnections, Bounds.maxConnections, ""),
        ]
        for (flag, variable, value, bound, unit) in counts where !(1...bound).contains(value) {
            let suffix = unit.isEmpty ? "" : " " + unit
            throw ValidationError("\(flag) (\(variable)) must be from 1 to \(bound)\(suffix), got \(value)")
        }
        guard (0...Bounds.busyPollMicroseconds).contains(c.busyPollMicroseconds) else {
            throw ValidationError(
                "--busy-poll (OPTD_BUSY_POLL) must be 0...\(Bounds.busyPollMicroseconds) microseconds, got \(c.busyPollMicroseconds)"
            )
        }
        var seconds: [(String, String, Double, Double)] = [
            ("--header-timeout", "OPTD_HEADER_TIMEOUT", c.headerTimeout, Bounds.timeoutSeconds),
            ("--body-timeout", "OPTD_BODY_TIMEOUT", c.bodyIdleTimeout, Bounds.timeoutSeconds),
            ("--keep-alive-timeout", "OPTD_KEEPALIVE_TIMEOUT", c.keepAliveTimeout, Bounds.timeoutSeconds),
            ("--write-timeout", "OPTD_WRITE_TIMEOUT", c.writeIdleTimeout, Bounds.timeoutSeconds),
            ("--shutdown-grace", "OPTD_SHUTDOWN_GRACE", c.shutdownGrace, Bounds.timeoutSeconds),
        ]
        if let idle = c.sessionIdleTimeout {
            seconds.append(("--session-idle-timeout", "OPTD_SESSION_IDLE_TIMEOUT", idle, Bounds.sessionIdleSeconds))
        }
        for (flag, variable, value, bound) in seconds where !(value > 0 && value <= bound) {
            throw ValidationError(
                "\(flag) (\(variable)) must be more than 0 and at most \(Int(bound)) seconds, got \(value)")
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
