import Logging
import MicroHTTP
import OptimizerService
import Testing

/// An optd service started in-process on a free loopback port for one test, with the helpers every
/// live suite uses. Always use it through `withService`, which stops it even when the test throws.
final class TestService: Sendable {
    let running: ServiceRunner.Running
    var port: Int { running.port }

    init(_ configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        var c = ServiceConfiguration()
        c.host = "127.0.0.1"
        c.port = 0
        c.memoryBudgetBytes = 2 << 30
        c.shutdownGrace = 1
        c.logLevel = "critical"
        configure(&c)
        var logger = Logger(label: "optd-test")
        logger.logLevel = .critical
        running = try ServiceRunner.start(configuration: c, logger: logger)
    }

    func stop() {
        running.server.shutdown(grace: .seconds(1))
        running.server.waitUntilStopped()
    }

    /// A new keep-alive connection.
    func client(timeout: Double = 15) throws -> HTTPClient { try HTTPClient(port: port, timeout: timeout) }
}

/// Starts a service, runs `body` with it and stops it.
func withService<T>(
    _ configure: (inout ServiceConfiguration) -> Void = { _ in }, _ body: (TestService) throws -> T
) throws -> T {
    let service = try TestService(configure)
    defer { service.stop() }
    return try body(service)
}

/// Starts a service and opens one connection to it.
func withClient<T>(
    _ configure: (inout ServiceConfiguration) -> Void = { _ in }, _ body: (HTTPClient, TestService) throws -> T
) throws -> T {
    try withService(configure) { service in try body(try service.client(), service) }
}

/// Everything observable about a session's state: its summary (minus `updated_at`), its checkpoint
/// (spec, step, parameters and every optimizer state tensor) and its ETag. Two equal snapshots mean
/// the session is exactly as it was.
struct SessionSnapshot: Equatable, CustomStringConvertible {
    var etag: String?
    var summary: JSON
    var checkpoint: [UInt8]
    var parametersBinary: [UInt8]

    var description: String { "etag \(etag ?? "-") summary \(summary)" }
}

extension HTTPClient {
    /// Creates a session and returns its id (requires 201).
    @discardableResult
    func createSession(_ spec: JSON) throws -> String {
        let r = try post("/v1/sessions", json: spec)
        guard r.status == 201, let id = try r.json()["id"]?.string else {
            throw HTTPClient.Failure.malformed("create failed: \(r)")
        }
        return id
    }

    /// The snapshot of session `id` (requires every read to succeed).
    func snapshot(_ id: String) throws -> SessionSnapshot {
        let summary = try get("/v1/sessions/\(id)")
        let checkpoint = try get("/v1/sessions/\(id)/checkpoint")
        let binary = try get("/v1/sessions/\(id)/parameters", headers: [("Accept", "application/octet-stream")])
        guard summary.status == 200, checkpoint.status == 200, binary.status == 200 else {
            throw HTTPClient.Failure.malformed("snapshot of \(id) failed: \(summary.status) \(checkpoint.status) \(binary.status)")
        }
        return SessionSnapshot(
            etag: summary.header("ETag"), summary: try summary.json().removing("updated_at"), checkpoint: checkpoint.body,
            parametersBinary: binary.body)
    }

    /// Session ids, oldest first.
    func sessionIDs() throws -> [String] {
        let r = try get("/v1/sessions")
        return try r.json()["sessions"]?.array?.compactMap { $0["id"]?.string } ?? []
    }

    /// POSTs `{"gradients": gradients}` to the session's step.
    func step(_ id: String, _ gradients: JSON, headers: [(String, String)] = []) throws -> Response {
        try post("/v1/sessions/\(id)/step", json: ["gradients": gradients], headers: headers)
    }
}

/// Asserts that `r` is an RFC 9457 problem with `status` and `code`, whose `detail` contains each of
/// `mentions`, and returns the parsed problem.
@discardableResult
func expectProblem(
    _ r: HTTPClient.Response, status: Int, code: String, mentions: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSON? {
    guard r.status == status, r.contentType == "application/problem+json", let problem = try? r.json() else {
        Issue.record("expected a \(status) \(code) problem, got: \(r)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(problem["code"]?.string == code, "code \(problem["code"]?.string ?? "none"), expected \(code): \(r)",
            sourceLocation: sourceLocation)
    #expect(problem["status"]?.int == status, sourceLocation: sourceLocation)
    #expect(problem["title"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["type"]?.string?.isEmpty == false, sourceLocation: sourceLocation)
    let detail = problem["detail"]?.string ?? ""
    for word in mentions {
        #expect(detail.contains(word), "detail \"\(detail)\" does not mention \(word)", sourceLocation: sourceLocation)
    }
    return problem
}

/// Little-endian bytes of floats and doubles, and back.
enum LittleEndian {
    static func bytes(_ values: [Float]) -> [UInt8] { values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) } }
    static func bytes(_ values: [Double]) -> [UInt8] { values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) } }

    static func floats(_ bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    static func doubles(_ bytes: [UInt8]) -> [Double] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { i in
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[i + k]) << UInt64(8 * k) }
            return Double(bitPattern: bits)
        }
    }
}
