import Foundation
import Glibc
import MicroHTTP
import Testing
import TestSupport

@testable import OptimizerService

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml` over a real loopback socket.
@Suite struct OperationRoutesLiveTests {
    @Test func healthzAnswersOK() throws {
        try withClient { client, _ in
            let r = try client.get("/healthz")
            #expect(r.status == 200)
            #expect(r.contentType?.hasPrefix("application/json") == true)
            #expect(try r.json() == ["status": "ok"])
            let head = try client.request("HEAD", "/healthz")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func readyzAnswersOKWhenReadyAnd503WhileStarting() throws {
        try withClient { client, service in
            let ready = try client.get("/readyz")
            #expect(ready.status == 200)
            #expect(try ready.json() == ["status": "ok"])
            service.running.context.setPhase(.starting)
            let starting = try client.get("/readyz")
            #expect(starting.status == 503)
            #expect(try starting.json()["status"] == "starting")
            // Liveness does not depend on readiness.
            #expect(try client.get("/healthz").status == 200)
            service.running.context.setPhase(.ready)
            #expect(try client.get("/readyz").status == 200)
        }
    }

    @Test func readyzAnswers503WhileShuttingDown() throws {
        let service = try TestService()
        defer { service.stop() }
        let client = try service.client()
        #expect(try client.get("/readyz").status == 200)
        // A request whose head is still arriving when the drain starts is served (idle connections
        // are closed at once); readiness must then say "stopping".
        try client.send("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        usleep(150_000)
        service.running.server.shutdown(grace: .seconds(3))
        #expect(service.running.context.phase == .stopping)
        try client.send("\r\n")
        let r = try client.readResponse()
        #expect(r.status == 503, "\(r)")
        #expect(try r.json()["status"] == "stopping")
        #expect(r.header("Connection")?.lowercased() == "close")
        client.close()
    }

    @Test func metricsAreHonestPrometheusText() throws {
        try withClient { client, _ in
            let id = try client.createSession(Specs.small(optimizer: ["type": "sgd", "lr": 0.5]))
            for _ in 0..<3 {
                #expect(try client.step(id, ["w": [1, 1, 1]]).status == 200)
            }
            _ = try client.get("/v1/sessions/\(UUIDText.random)")
            let r = try client.get("/metrics")
            #expect(r.status == 200)
            #expect(r.contentType?.hasPrefix("text/plain") == true)
            let text = r.text
            func value(_ line: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap {
                    Double($0.split(separator: " ").last!)
                }
            }
            #expect(value("optd_sessions") == 1)
            #expect(value("optd_parameters") == 5)
            #expect(value("optd_step_duration_seconds_count") == 3)
            #expect(value("optd_memory_budget_bytes") == Double(2 << 30))
            #expect((value("optd_session_state_bytes") ?? 0) > 0)
            #expect(text.contains("# TYPE optd_http_requests_total counter"))
            #expect(text.contains(#"route="/v1/sessions/:id/step""#) && text.contains(#"status="200""#))
            #expect(text.contains(#"status="404""#))
            // Every sample line is `name{labels} number`.
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let number = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(Double(number) != nil || number == "+Inf", "bad sample \(line)")
            }
        }
    }

    @Test func openapiYamlIsServedVerbatim() throws {
        try withClient { client, _ in
            let r = try client.get("/openapi.yaml")
            #expect(r.status == 200)
            #expect(r.contentType?.hasPrefix("application/yaml") == true)
            let file = try String(contentsOf: OpenAPIPaths.specURL, encoding: .utf8)
            #expect(r.text == file)
        }
    }
}
