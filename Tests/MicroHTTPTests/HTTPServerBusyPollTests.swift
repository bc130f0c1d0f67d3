import Dispatch
import Synchronization
import TestSupport
import Testing

@testable import MicroHTTP

/// Deferred handlers that answer before returning, and busy polling for the next request
/// (`HTTPServer.Configuration.busyPoll`).
@Suite struct HTTPServerBusyPollTests {
    /// `/now` answers inside the handler, `/deferred` later from another thread.
    private func mixedRouter() -> Router {
        var router = standardRouter()
        router.onDeferred(.post, "/now") { request, responder in
            responder.send(.text("now \(request.body.count)"))
        }
        return router
    }

    @Test func deferredHandlersAnsweringBeforeReturningKeepTheConnectionInOrder() throws {
        try withServer(mixedRouter()) { _, port in
            let c = try HTTPClient(port: port, timeout: 5)
            for i in 0..<20 {
                try c.send(
                    "POST /now HTTP/1.1\r\nHost: x\r\nContent-Length: \(i)\r\n\r\n" + String(repeating: "a", count: i))
                #expect(try c.readResponse().text == "now \(i)")
            }
            // Pipelined: answered in order whether the handler answers at once or later.
            try c.send(
                "POST /now HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"
                    + "POST /deferred HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab"
                    + "POST /now HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            #expect(try c.readResponse().text == "now 1")
            #expect(try c.readResponse().text == "deferred 2")
            #expect(try c.readResponse().text == "now 3")
            #expect(try c.readResponse().text == "Hello")
        }
    }

    @Test func busyPollingAnswersBackToBackLateAndPipelinedRequests() throws {
        try withServer(mixedRouter(), configure: { $0.busyPoll = .milliseconds(5) }) { server, port in
            let c = try HTTPClient(port: port, timeout: 5)
            // Back to back: the next request arrives while the connection polls.
            for i in 0..<200 {
                try c.send("POST /now HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx")
                #expect(try c.readResponse().text == "now 1", "request \(i)")
            }
            // After the polling window: the read source answers.
            sleepForTests(milliseconds: 30)
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().text == "Hello")
            // Split across the window: half a head, a pause, the rest.
            try c.send("GET /hel")
            sleepForTests(milliseconds: 10)
            try c.send("lo HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().text == "Hello")
            try c.send(
                "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /deferred HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nz"
            )
            #expect(try c.readResponse().text == "item 1")
            #expect(try c.readResponse().text == "deferred 1")
            // A client that leaves while the server polls is closed cleanly.
            try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 200)
            c.shutdownWrite()
            #expect(c.waitForClose())
            var waited = 0
            while server.connectionCount > 0 && waited < 1000 {
                sleepForTests(milliseconds: 5)
                waited += 5
            }
            #expect(server.connectionCount == 0)
        }
    }

    @Test func busyPollingDoesNotStallOtherConnectionsOnTheSameQueue() throws {
        // One I/O queue: while one client's connection polls, the other must still be served.
        try withServer(
            mixedRouter(),
            configure: {
                $0.ioQueueCount = 1
                $0.busyPoll = .milliseconds(300)
            }
        ) { _, port in
            let a = try HTTPClient(port: port, timeout: 5)
            let b = try HTTPClient(port: port, timeout: 5)
            for _ in 0..<10 {
                try a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try a.readResponse().status == 200)
                // `a` now polls for up to 300 ms; `b` is answered long before that ends.
                let start = nowMilliseconds()
                try b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try b.readResponse().status == 200)
                #expect(nowMilliseconds() - start < 150, "the other connection waited for the poll")
            }
        }
    }
}
