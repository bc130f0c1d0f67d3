/// Maps method and path to handlers; route patterns have literal segments, `:name` parameters and
/// an optional trailing `*`.
///
/// ```swift
/// var router = Router()
/// router.on(.get, "/healthz", execution: .inline) { _ in .text("ok") }
/// router.on(.post, "/v1/sessions/:id/step") { req in try step(req.pathParameters["id"], req.body) }
/// router.onDeferred(.post, "/v1/slow") { req, responder in queue.async { responder.send(.text("done")) } }
/// ```
/// Lookup happens as soon as a request's head is complete, before its body is read, so 404, 405
/// (with `Allow`) and 501 are answered without reading a body or sending `100 Continue`. `HEAD` is
/// served by the `GET` route with the body dropped. Literal segments are compared byte for byte
/// (case-sensitive); when several routes match, the first registered wins.
public struct Router: Sendable {
    package private(set) var table: [Route] = []

    /// Creates an empty router.
    public init() {}

    /// Registers a synchronous handler for `method` and `pattern` (replacing an identical one).
    /// - Parameters:
    ///   - execution: `.worker` (default) runs it on a global queue; `.inline` runs it on the I/O
    ///     queue and suits handlers that take microseconds.
    ///   - handler: Returns the response or throws; ``HTTPResponseError`` becomes its own response,
    ///     any other error a 500 `internal_error` problem.
    public mutating func on(
        _ method: HTTPMethod,
        _ pattern: String,
        execution: RouteExecution = .worker,
        _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse
    ) {
        add(
            Route(
                method: method,
                pattern: pattern,
                segments: Route.segments(of: pattern),
                handler: .respond(handler, execution)
            )
        )
    }

    /// Registers a handler that answers through `responder.send(_:)`, exactly once, from any
    /// thread. It is called on the I/O queue, so it must only hand longer work on (for example to a
    /// per-session serial queue); an answer it gives before returning is written at once.
    public mutating func onDeferred(
        _ method: HTTPMethod,
        _ pattern: String,
        _ handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void
    ) {
        add(Route(method: method, pattern: pattern, segments: Route.segments(of: pattern), handler: .deferred(handler)))
    }

    private mutating func add(_ route: Route) {
        table.removeAll { $0.method == route.method && $0.pattern == route.pattern }
        table.append(route)
    }

    /// Every registered `(method, pattern)` pair in registration order (HEAD is implied by GET and
    /// not listed unless registered).
    public var routes: [(method: HTTPMethod, pattern: String)] {
        table.map { ($0.method, $0.pattern) }
    }

    /// The result of a lookup.
    package enum Match: Sendable {
        case found(Route, PathParameters)
        /// The path exists for other methods; `allow` lists them (with HEAD when GET is present).
        case methodNotAllowed(allow: [HTTPMethod])
        case notFound
    }

    /// Finds the route for `method` and `path`; HEAD falls back to GET.
    package func match(_ method: HTTPMethod, path: String) -> Match {
        var path = path
        return path.withUTF8 { utf8 -> Match in
            guard utf8.first == 47 else { return .notFound }
            let rest = UnsafeBufferPointer(rebasing: utf8[1...])
            var allowed: [HTTPMethod] = []
            var headFallback: (Route, PathParameters)?
            for route in table {
                var parameters = PathParameters()
                guard route.matches(rest, parameters: &parameters) else { continue }
                if route.method == method { return .found(route, parameters) }
                if method == .head && route.method == .get && headFallback == nil { headFallback = (route, parameters) }
                if !allowed.contains(route.method) { allowed.append(route.method) }
            }
            if let headFallback { return .found(headFallback.0, headFallback.1) }
            if allowed.isEmpty { return .notFound }
            if allowed.contains(.get) && !allowed.contains(.head) { allowed.append(.head) }
            return .methodNotAllowed(allow: HTTPMethod.allCases.filter { allowed.contains($0) })
        }
    }

    /// Answers `request` in memory (no sockets): routing, 404/405, the handler and error mapping,
    /// exactly as the server does. `completion` is called once, possibly on another thread for
    /// deferred routes. HEAD keeps the GET body here; the server drops it on the wire.
    public func respond(to request: HTTPRequest, completion: @escaping @Sendable (HTTPResponse) -> Void) {
        switch match(request.method, path: request.path) {
        case .notFound:
            completion(Router.notFoundResponse(request.path))
        case .methodNotAllowed(let allow):
            completion(Router.methodNotAllowedResponse(request.method, allow: allow))
        case .found(let route, let parameters):
            var request = request
            request.pathParameters = parameters
            request.routePattern = route.pattern
            switch route.handler {
            case .respond(let handler, _):
                completion(Router.run(handler, request))
            case .deferred(let handler):
                handler(request, HTTPResponder(completion))
            }
        }
    }

    /// Runs a synchronous handler, mapping thrown errors to responses.
    static func run(_ handler: @Sendable (HTTPRequest) throws -> HTTPResponse, _ request: HTTPRequest) -> HTTPResponse {
        do {
            return try handler(request)
        } catch {
            return response(for: error)
        }
    }

    /// The response for a thrown error: its own for ``HTTPResponseError``, else a 500 problem that
    /// does not echo internal descriptions.
    public static func response(for error: any Error) -> HTTPResponse {
        if let e = error as? any HTTPResponseError { return e.response() }
        return HTTPProblem.internalError.response(detail: "the server failed to handle the request")
    }

    static func notFoundResponse(_ path: String) -> HTTPResponse {
        HTTPProblem.notFound.response(detail: "no route for path \(path)")
    }

    static func methodNotAllowedResponse(_ method: HTTPMethod, allow: [HTTPMethod]) -> HTTPResponse {
        let list = allow.map(\.rawValue).joined(separator: ", ")
        var response = HTTPProblem.methodNotAllowed.response(
            detail: "\(method.rawValue) is not allowed here; allowed: \(list)")
        response.headers.add(name: "Allow", value: list)
        return response
    }
}
