// A tiny MicroHTTP server for wrk/curl benchmarks (scripts/bench/http.sh, BENCHMARKS.md):
//   GET  /hello   → "Hello, world!" (text/plain)
//   POST /echo    → {"n":<body length>} (application/json)
//   POST /upload  → {"n":<body length>} (worker queue; for large uploads)
//   GET  /big     → 64 KiB of JSON-ish text (gzip when the client accepts it)
// Usage: http-bench-server [port] [host]   (default 8080, 127.0.0.1). Runs until SIGTERM/SIGINT.
import Glibc
import Logging
import MicroHTTP

func runBenchServer() throws {
    let args = CommandLine.arguments
    let port = args.count > 1 ? Int(args[1]) ?? 8080 : 8080
    let host = args.count > 2 ? args[2] : "127.0.0.1"

    var router = Router()
    let hello = Array("Hello, world!".utf8)
    router.on(.get, "/hello", execution: .inline) { _ in
        HTTPResponse(contentType: "text/plain", body: hello)
    }
    router.on(.post, "/echo", execution: .inline) { request in
        .json(Array("{\"n\":\(request.body.count)}".utf8))
    }
    router.on(.post, "/upload") { request in
        .json(Array("{\"n\":\(request.body.count)}".utf8))
    }
    let big = Array(String(repeating: "{\"key\":\"value\",\"number\":12345},", count: 2048).utf8)
    router.on(.get, "/big", execution: .inline) { _ in
        HTTPResponse(contentType: "application/json", body: big)
    }

    var configuration = HTTPServer.Configuration(host: host, port: port)
    configuration.maxConnections = 4096
    var logger = Logger(label: "http-bench-server")
    logger.logLevel = .info
    let server = HTTPServer(configuration: configuration, router: router, logger: logger)
    let bound = try server.start()
    HTTPServer.installShutdownSignalHandlers(for: server)
    print("http-bench-server listening on \(host):\(bound)")
    fflush(nil)  // flush stdout: scripts read the port from a redirected (block-buffered) stdout
    server.waitUntilStopped()
    print("http-bench-server stopped")
}

do {
    try runBenchServer()
} catch {
    print("http-bench-server: \(error)")
}
