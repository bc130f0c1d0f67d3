import Dispatch
public import MicroHTTP
import Synchronization

/// Sends requests to a `Router` in memory, with no sockets: routing, 404/405, the handlers and their
/// error mapping run exactly as the server runs them (`Router.respond(to:completion:)`), and a
/// deferred route's answer is awaited for at most `timeout` seconds.
///
/// What the connection adds is not here: framing, `Content-Length`, `Date`, `Connection`,
/// `100 Continue`, gzip in either direction, `HEAD` bodies dropped, the body memory gate and the
/// request observer. Suites about those stay live (``HTTPClient``).
public final class RouterClient: TestHTTPClient, Sendable {
    public let router: Router
    /// Seconds to wait for a deferred route's answer.
    public let timeout: Double

    public enum Failure: Error, CustomStringConvertible {
        /// A method token `HTTPMethod` does not know (the server answers those with 501 before routing).
        case unknownMethod(String)
        /// A deferred route did not answer within the timeout.
        case timeout(String)

        public var description: String {
            switch self {
            case .unknownMethod(let m): "no HTTPMethod for \(m)"
            case .timeout(let what): "no response to \(what) within the timeout"
            }
        }
    }

    public init(router: Router, timeout: Double = 15) {
        self.router = router
        self.timeout = timeout
    }

    /// Answers `request` and returns the router's response as is.
    public func respond(to request: HTTPRequest) throws -> HTTPResponse {
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        router.respond(to: request) { response in
            answer.value.withLock { $0 = response }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success, let response = answer.value.withLock({ $0 }) else {
            throw Failure.timeout("\(request.method.rawValue) \(request.path)")
        }
        return response
    }

    public func perform(
        _ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?
    ) throws -> TestResponse {
        guard let m = HTTPMethod(rawValue: method) else { throw Failure.unknownMethod(method) }
        var headerFields = headers
        if !headerFields.contains(where: { $0.0.lowercased() == "host" }) {
            headerFields.insert(("Host", "127.0.0.1"), at: 0)
        }
        if let body, !headerFields.contains(where: { $0.0.lowercased() == "content-length" }) {
            headerFields.append(("Content-Length", String(body.count)))
        }
        let request = HTTPRequest(method: m, target: path, headers: HTTPHeaders(headerFields), body: body ?? [])
        let response = try respond(to: request)
        let fields = response.headers.map { (name: $0.name, value: $0.value) }
        return TestResponse(status: response.status.code, headers: fields, body: response.body.bytes)
    }
}

private final class Answer: Sendable {
    let value = Mutex<HTTPResponse?>(nil)
}
