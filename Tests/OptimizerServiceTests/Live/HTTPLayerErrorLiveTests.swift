import Glibc
import OptimizerService
import Testing
import TestSupport

/// Errors the HTTP layer raises before a route runs are problem+json too, with their codes, and a step
/// cut short by one of them changes nothing.
@Suite struct HTTPLayerErrorLiveTests {
    static func raw(_ service: TestService, _ text: String) throws -> HTTPClient.Response {
        let client = try service.client(timeout: 5)
        try client.send(text)
        return try client.readResponse()
    }

    @Test func malformedRequestsGetTheirProblemCodes() throws {
        try withService { service in
            expectProblem(
                try Self.raw(service, "GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"), status: 400,
                code: "bad_request")
            expectProblem(
                try Self.raw(service, "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n"),
                status: 414, code: "uri_too_long")
            let many = (0..<101).map { "X-H\($0): v\r\n" }.joined()
            expectProblem(
                try Self.raw(service, "GET /healthz HTTP/1.1\r\nHost: x\r\n\(many)\r\n"), status: 431,
                code: "headers_too_large")
            expectProblem(
                try Self.raw(service, "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n"), status: 417,
                code: "expectation_failed")
            expectProblem(
                try Self.raw(service, "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), status: 501, code: "not_implemented"
            )
            expectProblem(
                try Self.raw(
                    service,
                    "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                status: 501, code: "not_implemented")
            expectProblem(
                try Self.raw(service, "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n"), status: 505,
                code: "http_version_not_supported")
        }
    }

    @Test func brokenFramingOfAStepIs400AndChangesNothing() throws {
        try withClient { client, service in
            let id = try client.createSession(Specs.adam)
            _ = try client.step(id, Specs.adamGradients)
            let before = try client.snapshot(id)
            let body = (["gradients": ["b": [1, 2, 3]]] as JSON).description
            let badChunk =
                "POST /v1/sessions/\(id)/step HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\n\(body.prefix(5))\r\nzz\r\n\(body.dropFirst(5))\r\n0\r\n\r\n"
            expectProblem(try Self.raw(service, badChunk), status: 400, code: "bad_request")
            let both =
                "POST /v1/sessions/\(id)/step HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nContent-Length: \(body.utf8.count + 1)\r\n\r\n\(body)"
            expectProblem(try Self.raw(service, both), status: 400, code: "bad_request")
            let badGzip = try service.client()
            let r = try badGzip.request(
                "POST", "/v1/sessions/\(id)/step",
                headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")],
                body: Array(body.utf8))
            #expect(r.status == 400, "\(r)")
            #expect(r.contentType == "application/problem+json")
            #expect(try client.snapshot(id) == before)
        }
    }

    @Test func aStalledBodyIs408AndChangesNothing() throws {
        try withClient({
            $0.bodyIdleTimeout = 0.3; $0.headerTimeout = 0.3
        }) { client, service in
            let id = try client.createSession(Specs.adam)
            let before = try client.snapshot(id)
            let slow = try service.client(timeout: 5)
            try slow.send(
                "POST /v1/sessions/\(id)/step HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 40\r\n\r\n{\"gradients\": {\"b\"")
            expectProblem(try slow.readResponse(), status: 408, code: "request_timeout")
            let head = try service.client(timeout: 5)
            try head.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
            expectProblem(try head.readResponse(), status: 408, code: "request_timeout")
            #expect(try service.client().snapshot(id) == before)
        }
    }

    @Test func connectionsPastMaxConnectionsGetA503Problem() throws {
        try withService({ $0.maxConnections = 2 }) { service in
            let a = try service.client(timeout: 5)
            let b = try service.client(timeout: 5)
            #expect(try a.get("/healthz").status == 200)
            #expect(try b.get("/healthz").status == 200)
            let c = try service.client(timeout: 5)
            try? c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.readResponse()
            expectProblem(r, status: 503, code: "limit_exceeded")
            a.close()
            // Once a slot is free a new connection is served (bounded retries: the close is asynchronous).
            var served = false
            for _ in 0..<50 where !served {
                usleep(20_000)
                if let d = try? service.client(timeout: 2), let ok = try? d.get("/healthz"), ok.status == 200 {
                    served = true
                }
            }
            #expect(served)
        }
    }
}
