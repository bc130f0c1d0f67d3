import Dispatch
import Synchronization
import TestSupport
import Testing

@testable import MicroHTTP

/// Live tests over real sockets on 127.0.0.1 (and ::1), one server per test on port 0.
@Suite(.serialized) struct HTTPServerTests {
    @Test func getAndHeadShareHeadersOnOneKeepAliveConnection() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let get = try c.readResponse()
            #expect(get.status == 200)
            #expect(get.text == "Hello")
            #expect(get.header("Content-Length") == "5")
            #expect(get.header("Date")?.hasSuffix(" GMT") == true)
            #expect(get.header("Connection") == nil)
            try c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try c.readResponse(method: "HEAD")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "5")
            #expect(head.header("Content-Type") == get.header("Content-Type"))
            // No body bytes follow the HEAD response: the next response starts right away.
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let again = try c.readResponse()
            #expect(again.text == "Hello")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /slow?50 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
                    + "GET /items/2 HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            #expect(try c.readResponse().text == "item 1")
            #expect(try c.readResponse().text == #"{"n":3}"#)
            #expect(try c.readResponse().text == "slow done")
            #expect(try c.readResponse().text == "hi")
            #expect(try c.readResponse().text == "item 2")
        }
    }

    @Test func expectContinueIsAnsweredBeforeTheBody() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try c.readRaw(25)
            #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
            try c.send("hello")
            let response = try c.readResponse()
            #expect(response.status == 200)
            #expect(response.text == #"{"n":5}"#)
        }
    }

    @Test func oversizedDeclaredBodyGets413WithoutContinueAndCloses() throws {
        try withServer(configure: { $0.maxBody = 1000 }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n")
            let response = try c.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(response.text.contains(#""code":"body_too_large""#))
            #expect(c.waitForClose())
        }
    }

    @Test func oversizedBodySentAnywayStillSees413ThanksToLingeringClose() throws {
        // docs/http.md §1 F7: the client sends the whole body before reading.
        // 32 MB is far more than the socket buffers hold, so the server must keep draining while
        // the client is still sending, or the client's send fails and the 413 is lost.
        try withServer(configure: {
            $0.maxBody = 100_000
            $0.lingerTimeout = .seconds(3)
        }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            let body = [UInt8](repeating: 65, count: 32 << 20)
            try c.send(Array("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let response = try c.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
        }
    }

    @Test func unexpectedExpectationGets417() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /count HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 1\r\n\r\nx")
            let response = try c.readResponse()
            #expect(response.status == 417)
            #expect(response.text.contains("expectation_failed"))
        }
    }

    @Test func routingErrorsAreProblems() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
            let notFound = try c.readResponse()
            #expect(notFound.status == 404)
            #expect(notFound.header("Content-Type") == "application/problem+json")
            #expect(notFound.text.contains(#""code":"not_found""#))
            try c.send("DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let notAllowed = try c.readResponse()
            #expect(notAllowed.status == 405)
            #expect(notAllowed.header("Allow") == "GET, HEAD")
            #expect(notAllowed.text.contains(#""code":"method_not_allowed""#))
            // A body-less 404/405 keeps the connection.
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 200)
            try c.send("BREW /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let unknown = try c.readResponse()
            #expect(unknown.status == 501)
            #expect(unknown.header("Connection") == "close")
        }
    }

    @Test func notFoundWithBodyIsAnsweredWithoutReadingIt() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /nope HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n")
            let response = try c.readResponse()
            #expect(response.status == 404)
            #expect(response.header("Connection") == "close")
        }
    }

    @Test func otherMajorVersionGets505() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /hello HTTP/2.0\r\nHost: x\r\n\r\n")
            let response = try c.readResponse()
            #expect(response.status == 505)
            #expect(response.text.contains("http_version_not_supported"))
        }
    }

    @Test func smugglingAttemptGetsOne400AndClose() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\n"
                    + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            let response = try c.readResponse()
            #expect(response.status == 400)
            #expect(response.header("Connection") == "close")
            #expect(response.text.contains(#""code":"bad_request""#))
            #expect(c.waitForClose())
        }
    }

    @Test func headerLimitsGive414And431() throws {
        try withServer(configure: {
            $0.maxRequestLine = 100
            $0.maxHeaderBytes = 300
            $0.maxHeaderCount = 5
        }) { _, port in
            let long = try HTTPClient(port: port, timeout: 5)
            try long.send("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try long.readResponse().status == 414)
            let big = try HTTPClient(port: port, timeout: 5)
            try big.send("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "b", count: 400) + "\r\n\r\n")
            let r = try big.readResponse()
            #expect(r.status == 431)
            #expect(r.text.contains("headers_too_large"))
            let many = try HTTPClient(port: port, timeout: 5)
            try many.send("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n")
            #expect(try many.readResponse().status == 431)
        }
    }

    @Test func chunkedBodyOverTheLimitGets413() throws {
        try withServer(configure: { $0.maxBody = 10 }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(
                "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
            )
            #expect(try c.readResponse().status == 413)
        }
    }

    @Test func connectionCloseIsHonouredAndHTTP10Closes() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.header("Connection") == "close")
            #expect(c.waitForClose())
            let old = try HTTPClient(port: port, timeout: 5)
            try old.send("GET /hello HTTP/1.0\r\n\r\n")
            #expect(try old.readResponse().header("Connection") == "close")
            #expect(old.waitForClose())
            let oldKeep = try HTTPClient(port: port, timeout: 5)
            try oldKeep.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try oldKeep.readResponse().header("Connection") == "keep-alive")
            try oldKeep.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try oldKeep.readResponse().status == 200)
        }
    }

    @Test func lastRequestAllowedOnAConnectionCarriesClose() throws {
        try withServer(configure: { $0.maxRequestsPerConnection = 2 }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().header("Connection") == nil)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().header("Connection") == "close")
            #expect(c.waitForClose())
        }
    }

    @Test func headerTimeoutAnswers408AndCloses() throws {
        try withServer(configure: { $0.headerTimeout = .milliseconds(200) }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            let start = nowMilliseconds()
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
            let response = try c.readResponse()
            let elapsed = nowMilliseconds() - start
            #expect(response.status == 408)
            #expect(response.text.contains("request_timeout"))
            #expect(elapsed >= 180 && elapsed < 2000, "408 after \(elapsed) ms")
            #expect(c.waitForClose())
        }
    }

    @Test func bodyIdleTimeoutAnswers408() throws {
        try withServer(configure: { $0.bodyIdleTimeout = .milliseconds(200) }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            let response = try c.readResponse()
            #expect(response.status == 408)
            #expect(c.waitForClose())
        }
    }

    @Test func idleKeepAliveAndSilentConnectionsAreClosed() throws {
        try withServer(configure: {
            $0.keepAliveIdle = .milliseconds(200)
            $0.headerTimeout = .milliseconds(300)
        }) { server, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 200)
            let start = nowMilliseconds()
            #expect(c.waitForClose())
            #expect(nowMilliseconds() - start < 2000)
            // A connection that never sends a byte is closed without a response.
            let silent = try HTTPClient(port: port, timeout: 5)
            #expect(silent.waitForClose())
            #expect(silent.pending == 0)
            sleepForTests(milliseconds: 50)
            #expect(server.connectionCount == 0)
        }
    }

    @Test func slowWritingClientIsClosedAfterWriteTimeout() throws {
        var router = Router()
        let big = [UInt8](repeating: 120, count: 16 << 20)
        router.on(.get, "/big", execution: .inline) { _ in
            HTTPResponse(contentType: "application/octet-stream", body: big)
        }
        try withServer(router, configure: { $0.writeIdleTimeout = .milliseconds(200) }) { server, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            // Never read: the socket buffers fill and the server's write stalls.
            var waited = 0
            while server.connectionCount == 0 && waited < 1000 {
                sleepForTests(milliseconds: 5)
                waited += 5
            }
            #expect(server.connectionCount == 1)
            sleepForTests(milliseconds: 100)
            #expect(server.connectionCount == 1, "closed before the write timeout")
            waited = 0
            while server.connectionCount > 0 && waited < 3000 {
                sleepForTests(milliseconds: 50)
                waited += 50
            }
            #expect(server.connectionCount == 0, "connection still open after \(waited) ms")
        }
    }

    @Test func largeBufferBodyIsSentCompletely() throws {
        var router = Router()
        let floats = (0..<1_000_000).map { Float($0) }
        router.on(.get, "/floats", execution: .inline) { _ in
            HTTPResponse(headers: ["Content-Type": "application/octet-stream"], body: .buffer(floats))
        }
        try withServer(router) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /floats HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.body.count == 4_000_000)
            let last = r.body[3_999_996..<4_000_000].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
            #expect(last == 999_999)
        }
    }

    @Test func deferredAndThrowingHandlersAnswer() throws {
        struct Teapot: HTTPResponseError {
            func response() -> HTTPResponse { .problem(status: 418, code: "teapot", detail: "short and stout") }
        }
        struct Secret: Error {}
        var router = standardRouter()
        router.on(.get, "/teapot", execution: .inline) { _ in throw Teapot() }
        router.on(.get, "/secret") { _ in throw Secret() }
        router.onDeferred(.get, "/forgotten") { _, _ in }
        try withServer(router) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("POST /deferred HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd")
            #expect(try c.readResponse().text == "deferred 4")
            try c.send("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\n")
            let teapot = try c.readResponse()
            #expect(teapot.status == 418)
            #expect(teapot.header("Content-Type") == "application/problem+json")
            try c.send("GET /secret HTTP/1.1\r\nHost: x\r\n\r\n")
            let secret = try c.readResponse()
            #expect(secret.status == 500)
            #expect(secret.text.contains("internal_error"))
            #expect(!secret.text.contains("Secret"))
            try c.send("GET /forgotten HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 500)
        }
    }

    @Test func observerSeesEveryRequest() throws {
        let records = Mutex<[RequestRecord]>([])
        try withServer(configure: { c in
            c.requestObserver = { r in records.withLock { $0.append(r) } }
        }) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /items/7 HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try c.readResponse()
            try c.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try c.readResponse()
            sleepForTests(milliseconds: 20)
        }
        let seen = records.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.first?.routePattern == "/items/:id")
        #expect(seen.first?.status == .ok)
        #expect(seen.first?.bytesOut ?? 0 > 0)
        #expect(seen.last?.routePattern == nil)
        #expect(seen.last?.status == .notFound)
    }

    @Test func connectionCapAnswers503() throws {
        try withServer(configure: { $0.maxConnections = 2 }) { server, port in
            let a = try HTTPClient(port: port, timeout: 5)
            let b = try HTTPClient(port: port, timeout: 5)
            try a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            try b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try a.readResponse()
            _ = try b.readResponse()
            let c = try HTTPClient(port: port, timeout: 5)
            let r = try c.readResponse()
            #expect(r.status == 503)
            #expect(r.text.contains("limit_exceeded"))
            #expect(server.connectionCount == 2)
        }
    }

    @Test func manyIdleConnectionsDoNotDelayAnotherClient() throws {
        try withServer { server, port in
            var idle: [HTTPClient] = []
            for _ in 0..<200 { idle.append(try HTTPClient(port: port, timeout: 5)) }
            for (i, c) in idle.enumerated() where i % 2 == 0 { try c.send("GET /hel") }  // half send a partial head
            var waited = 0
            while server.connectionCount < 200 && waited < 2000 {
                sleepForTests(milliseconds: 10)
                waited += 10
            }
            #expect(server.connectionCount == 200)
            let active = try HTTPClient(port: port, timeout: 5)
            var worst = 0.0
            for _ in 0..<20 {
                let start = nowMilliseconds()
                try active.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try active.readResponse().status == 200)
                worst = max(worst, nowMilliseconds() - start)
            }
            #expect(worst < 250, "slowest response \(worst) ms")
            withExtendedLifetime(idle) {}
        }
    }

    @Test func gracefulShutdownFinishesInFlightAndClosesIdle() throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.ioQueueCount = 2
        let server = HTTPServer(configuration: configuration, router: standardRouter())
        let port = try server.start()
        let idle = try HTTPClient(port: port, timeout: 5)
        try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try idle.readResponse()
        let busy = try HTTPClient(port: port, timeout: 5)
        try busy.send("GET /slow?400 HTTP/1.1\r\nHost: x\r\n\r\n")
        sleepForTests(milliseconds: 100)
        server.shutdown(grace: .seconds(3))
        server.shutdown(grace: .seconds(3))  // idempotent
        #expect(server.isShuttingDown)
        #expect(idle.waitForClose())
        let response = try busy.readResponse()
        #expect(response.text == "slow done")
        #expect(response.header("Connection") == "close")
        #expect(server.waitUntilStopped(timeout: .seconds(3)))
        #expect(throws: HTTPClient.Failure.self) { _ = try HTTPClient(port: port, timeout: 5) }
    }

    @Test func shutdownGraceExpiryClosesStuckRequests() throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.ioQueueCount = 1
        let server = HTTPServer(configuration: configuration, router: standardRouter())
        let port = try server.start()
        let busy = try HTTPClient(port: port, timeout: 5)
        try busy.send("GET /slow?1500 HTTP/1.1\r\nHost: x\r\n\r\n")
        sleepForTests(milliseconds: 50)
        let start = nowMilliseconds()
        server.shutdown(grace: .milliseconds(200))
        #expect(server.waitUntilStopped(timeout: .seconds(3)))
        #expect(nowMilliseconds() - start < 1200)
        #expect(busy.waitForClose())
    }

    @Test func listensOnIPv6LoopbackAndDualStack() throws {
        try withServer(host: "::1") { _, port in
            let c = try HTTPClient(port: port, host: "::1", timeout: 5)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 200)
        }
        try withServer(host: "::") { _, port in
            for host in ["::1", "127.0.0.1"] {
                let c = try HTTPClient(port: port, host: host, timeout: 5)
                try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try c.readResponse().status == 200)
            }
        }
    }

    @Test func halfClosedClientStillGetsItsResponse() throws {
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /slow?50 HTTP/1.1\r\nHost: x\r\n\r\n")
            c.shutdownWrite()
            let r = try c.readResponse()
            #expect(r.text == "slow done")
            #expect(c.waitForClose())
        }
    }

    /// A generated body: `pieces` pieces of `size` bytes each ("a", "b", ...).
    final class LetterStream: HTTPBodyStream {
        let pieces: Int
        let size: Int
        let declared: Int?
        let produced = Mutex(0)
        init(pieces: Int, size: Int, declared: Int?) {
            self.pieces = pieces
            self.size = size
            self.declared = declared
        }
        var length: Int? { declared }
        func next() -> [UInt8]? {
            produced.withLock { n in
                guard n < pieces else { return nil }
                n += 1
                return [UInt8](repeating: UInt8(96 + n % 26), count: size)
            }
        }
    }

    func streamRouter(declared: Bool) -> Router {
        var router = Router()
        router.on(.get, "/stream", execution: .inline) { _ in
            HTTPResponse(
                headers: ["Content-Type": "text/plain"],
                body: .stream(LetterStream(pieces: 300, size: 10_000, declared: declared ? 3_000_000 : nil))
            )
        }
        router.on(.get, "/liar", execution: .inline) { _ in
            HTTPResponse(body: .stream(LetterStream(pieces: 2, size: 10, declared: 50)))
        }
        return router
    }

    @Test func streamedBodiesAreChunkedOrLengthDelimited() throws {
        try withServer(streamRouter(declared: false)) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let chunked = try c.readResponse()
            #expect(chunked.header("Transfer-Encoding") == "chunked")
            #expect(chunked.header("Content-Length") == nil)
            #expect(chunked.body.count == 3_000_000)
            #expect(chunked.body[0] == 97 && chunked.body[2_999_999] == UInt8(96 + 300 % 26))
            // The connection stays usable after a chunked response.
            try c.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try c.readResponse(method: "HEAD")
            #expect(head.header("Transfer-Encoding") == "chunked")
            try c.send("GET /stream HTTP/1.0\r\n\r\n")
            let old = try c.readResponse()
            #expect(old.header("Connection") == "close")
            #expect(old.body.count == 3_000_000)
        }
        try withServer(streamRouter(declared: true)) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let sized = try c.readResponse()
            #expect(sized.header("Content-Length") == "3000000")
            #expect(sized.body.count == 3_000_000)
            try c.send("GET /liar HTTP/1.1\r\nHost: x\r\n\r\n")
            // Declared 50 bytes, produced 20: the connection is closed rather than left ambiguous.
            #expect(throws: HTTPClient.Failure.self) { _ = try c.readResponse() }
        }
    }

    @Test func largeContentLengthBodyArrivesIntact() throws {
        let body = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try withServer { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            try c.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8))
            var i = 0
            while i < body.count {  // uneven pieces, so both the buffered and the direct path run
                let end = min(body.count, i + 70_001)
                try c.send(Array(body[i..<end]))
                i = end
            }
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.body == body)
        }
    }

    @Test func declaredButUnsentBodiesDoNotReserveMemory() throws {
        try withServer(configure: {
            $0.maxBody = 64 << 20
            $0.bodyIdleTimeout = .milliseconds(300)
        }) { _, port in
            resetPeakResidentBytesForTests()
            let before = residentBytesForTests()
            var clients: [HTTPClient] = []
            for _ in 0..<20 {
                let c = try HTTPClient(port: port, timeout: 5)
                try c.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 60000000\r\n\r\nabc")
                clients.append(c)
            }
            // Each 408 proves the server read that head (and set up its body) before timing out.
            for c in clients { #expect(try c.readResponse().status == 408) }
            let growth = peakResidentBytesForTests() - before
            // Eager allocation would peak 20 × 60 MB = 1.2 GB above the start.
            #expect(growth < 100 << 20, "peak RSS grew by \(growth) bytes")
        }
    }
}
