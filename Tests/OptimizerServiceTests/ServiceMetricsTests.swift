import OptimizerService
import Testing

@Suite struct ServiceMetricsTests {
    @Test func rendersCountersHistogramAndGauges() {
        let metrics = ServiceMetrics()
        metrics.recordRequest(method: "POST", route: "/v1/sessions/:id/step", status: 200, bytesIn: 100, bytesOut: 50)
        metrics.recordRequest(method: "POST", route: "/v1/sessions/:id/step", status: 200, bytesIn: 10, bytesOut: 5)
        metrics.recordRequest(method: "GET", route: nil, status: 404, bytesIn: 1, bytesOut: 2)
        metrics.recordStep(seconds: 0.0003)
        metrics.recordStep(seconds: 20)
        let text = metrics.render(
            gauges: .init(sessions: 3, parameters: 42, stateBytes: 1000, memoryBudgetBytes: 4096))
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(
            lines.contains("optd_http_requests_total{method=\"POST\",route=\"/v1/sessions/:id/step\",status=\"200\"} 2")
        )
        #expect(lines.contains("optd_http_requests_total{method=\"GET\",route=\"none\",status=\"404\"} 1"))
        #expect(lines.contains("optd_http_received_bytes_total 111"))
        #expect(lines.contains("optd_http_sent_bytes_total 57"))
        #expect(lines.contains("optd_step_duration_seconds_bucket{le=\"0.00025\"} 0"))
        #expect(lines.contains("optd_step_duration_seconds_bucket{le=\"0.0005\"} 1"))
        #expect(lines.contains("optd_step_duration_seconds_bucket{le=\"10.0\"} 1"))
        #expect(lines.contains("optd_step_duration_seconds_bucket{le=\"+Inf\"} 2"))
        #expect(lines.contains("optd_step_duration_seconds_count 2"))
        #expect(lines.contains("optd_sessions 3"))
        #expect(lines.contains("optd_parameters 42"))
        #expect(lines.contains("optd_memory_budget_bytes 4096"))
    }
}
