import Synchronization

/// The service's Prometheus metrics: counters and histograms updated by requests and steps,
/// rendered in the text exposition format (version 0.0.4) by `render(gauges:)`.
public final class ServiceMetrics: Sendable {
    /// Upper bounds, in seconds, of the step-latency histogram buckets (10 µs to 10 s).
    public static let stepBuckets: [Double] = [
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10,
    ]

    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var bytesReceived = 0
        var bytesSent = 0
        var stepBucketCounts = [Int](repeating: 0, count: ServiceMetrics.stepBuckets.count)
        var stepCount = 0
        var stepSeconds = 0.0
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts one finished HTTP request. `route` is the route pattern (`/v1/sessions/:id/step`),
    /// never the raw path, so the number of series stays bounded; unrouted requests count as `none`.
    public func recordRequest(method: String, route: String?, status: Int, bytesIn: Int, bytesOut: Int) {
        state.withLock { state in
            state.requests[RequestKey(method: method, route: route ?? "none", status: status), default: 0] += 1
            state.bytesReceived += bytesIn
            state.bytesSent += bytesOut
        }
    }

    /// Records the in-process duration of one applied optimizer step, in seconds.
    public func recordStep(seconds: Double) {
        let bucket = Self.stepBuckets.firstIndex { seconds <= $0 }
        state.withLock { state in
            if let bucket { state.stepBucketCounts[bucket] += 1 }
            state.stepCount += 1
            state.stepSeconds += seconds
        }
    }

    /// Point-in-time values that the session registry owns, sampled at scrape time.
    public struct Gauges: Sendable {
        /// Sessions held (in memory or, with a data directory, on disk).
        public var sessions: Int
        /// Parameters (elements) held over all sessions.
        public var parameters: Int
        /// Bytes of session state reserved against the memory budget.
        public var stateBytes: Int
        /// Bytes of the budget lent to requests and responses in flight.
        public var leasedBytes: Int
        /// The memory budget, in bytes.
        public var memoryBudgetBytes: Int

        public init(sessions: Int, parameters: Int, stateBytes: Int, leasedBytes: Int = 0, memoryBudgetBytes: Int) {
            self.sessions = sessions
            self.parameters = parameters
            self.stateBytes = stateBytes
            self.leasedBytes = leasedBytes
            self.memoryBudgetBytes = memoryBudgetBytes
        }
    }

    /// The text exposition of every metric.
    public func render(gauges: Gauges) -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP optd_http_requests_total HTTP requests answered, by method, route and status.\n"
        out += "# TYPE optd_http_requests_total counter\n"
        let keys = snapshot.requests.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            out += "optd_http_requests_total{method=\"\(key.method)\",route=\"\(Self.escape(key.route))\","
            out += "status=\"\(key.status)\"} \(snapshot.requests[key] ?? 0)\n"
        }
        out += "# HELP optd_http_received_bytes_total Request bytes received (headers and body, as sent).\n"
        out += "# TYPE optd_http_received_bytes_total counter\n"
        out += "optd_http_received_bytes_total \(snapshot.bytesReceived)\n"
        out += "# HELP optd_http_sent_bytes_total Response bytes sent (headers and body).\n"
        out += "# TYPE optd_http_sent_bytes_total counter\n"
        out += "optd_http_sent_bytes_total \(snapshot.bytesSent)\n"
        out += "# HELP optd_step_duration_seconds In-process time of applied optimizer steps.\n"
        out += "# TYPE optd_step_duration_seconds histogram\n"
        var cumulative = 0
        for (bound, count) in zip(Self.stepBuckets, snapshot.stepBucketCounts) {
            cumulative += count
            out += "optd_step_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "optd_step_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.stepCount)\n"
        out += "optd_step_duration_seconds_sum \(snapshot.stepSeconds)\n"
        out += "optd_step_duration_seconds_count \(snapshot.stepCount)\n"
        out += "# HELP optd_sessions Sessions held.\n# TYPE optd_sessions gauge\n"
        out += "optd_sessions \(gauges.sessions)\n"
        out += "# HELP optd_parameters Parameters (elements) held over all sessions.\n# TYPE optd_parameters gauge\n"
        out += "optd_parameters \(gauges.parameters)\n"
        out += "# HELP optd_session_state_bytes Bytes of session state reserved against the budget.\n"
        out += "# TYPE optd_session_state_bytes gauge\n"
        out += "optd_session_state_bytes \(gauges.stateBytes)\n"
        out += "# HELP optd_request_memory_bytes Bytes of the budget lent to requests and responses in flight.\n"
        out += "# TYPE optd_request_memory_bytes gauge\n"
        out += "optd_request_memory_bytes \(gauges.leasedBytes)\n"
        out += "# HELP optd_memory_budget_bytes The memory budget for session state and requests in flight.\n"
        out += "# TYPE optd_memory_budget_bytes gauge\n"
        out += "optd_memory_budget_bytes \(gauges.memoryBudgetBytes)\n"
        return out
    }

    private static func escape(_ label: String) -> String {
        var out = ""
        for character in label {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
