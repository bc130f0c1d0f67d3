import Dispatch
import Testing

@testable import MicroHTTP

/// Starts a server on 127.0.0.1:0 with `configure` applied, runs `body`, then shuts it down and
/// waits (bounded) for it to stop.
func withServer(
    _ router: Router = standardRouter(),
    host: String = "127.0.0.1",
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    var configuration = HTTPServer.Configuration(host: host, port: 0)
    configuration.ioQueueCount = 2
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, router: router)
    let port = try server.start()
    defer {
        server.shutdown(grace: .milliseconds(200))
        let stopped = server.waitUntilStopped(timeout: .seconds(5))
        #expect(stopped, "server did not stop")
    }
    try body(server, port)
}

/// Routes used by most live tests.
func standardRouter() -> Router {
    var router = Router()
    router.on(.get, "/hello", execution: .inline) { _ in .text("Hello") }
    router.on(.post, "/echo", execution: .inline) { request in
        HTTPResponse(contentType: "application/octet-stream", body: request.body)
    }
    router.on(.post, "/count") { request in .json(Array("{\"n\":\(request.body.count)}".utf8)) }
    router.on(.get, "/items/:id") { request in .text("item \(request.pathParameters["id"] ?? "?")") }
    router.on(.get, "/slow") { request in
        let ms = Int(request.query ?? "") ?? 300
        var ts = timespecForTests(milliseconds: ms)
        _ = nanosleepForTests(&ts)
        return .text("slow done")
    }
    router.onDeferred(.post, "/deferred") { request, responder in
        DispatchQueueForTests.global.async { responder.send(.text("deferred \(request.body.count)")) }
    }
    return router
}
