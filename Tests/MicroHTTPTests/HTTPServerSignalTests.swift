import Glibc
@testable import MicroHTTP
import TestSupport
import Testing

/// Signal-driven shutdown in-process. Uses SIGINT only (after this test the test process ignores
/// SIGINT; SIGTERM keeps its default so a CI runner can still stop the tests).
@Suite(.serialized) struct HTTPServerSignalTests {
    @Test(arguments: [1, 2])
    func sigintTriggersGracefulShutdown(round: Int) throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.ioQueueCount = 1
        let server = HTTPServer(configuration: configuration, router: standardRouter())
        let port = try server.start()
        HTTPServer.installShutdownSignalHandlers(for: server, signals: [.interrupt], grace: .seconds(2))
        do {
            let busy = try HTTPClient(port: port, timeout: 5)
            try busy.send("GET /slow?300 HTTP/1.1\r\nHost: x\r\n\r\n")
            sleepForTests(milliseconds: 50)
            kill(getpid(), SIGINT)  // process-directed, as `docker stop` / Ctrl-C deliver it
            let response = try busy.readResponse()
            #expect(response.text == "slow done")
            #expect(response.header("Connection") == "close")
        }  // the client closes, which ends the server's lingering close
        #expect(server.waitUntilStopped(timeout: .seconds(3)))
        #expect(server.isShuttingDown)
    }
}
