/// One complete request as a handler sees it: the body is already de-chunked and gunzipped.
public struct HTTPRequest: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The path part of the request target, as sent (no percent-decoding), e.g. `"/v1/sessions/abc"`.
    public var path: String
    /// The query after the first `?` (without it), as sent; nil when the target has no `?`.
    public var query: String?
    /// `HTTP/1.0` or `HTTP/1.1`.
    public var version: HTTPVersion
    /// The header fields in the order received; lookup is case-insensitive.
    public var headers: HTTPHeaders
    /// The body bytes after transfer decoding (chunked) and content decoding (gzip).
    public var body: [UInt8]
    /// Values of the route's `:name` segments.
    public var pathParameters: PathParameters
    /// The route pattern that matched, e.g. `"/v1/sessions/:id"`; nil when none did.
    public var routePattern: String?
    /// The peer's address, `"127.0.0.1:53422"` or `"[::1]:53422"`; nil for in-memory requests.
    public var remoteAddress: String?
    /// The ``BodyMemoryGate`` leases that count ``body`` against the application's memory budget
    /// (empty when no gate is configured or the body was small enough not to be counted). They are
    /// released when the last copy of this request goes away: a handler that keeps the body longer
    /// than the request (or moves it elsewhere) may keep them, or drop them with the request.
    public var bodyLeases: [any BodyMemoryLease] = []

    /// Creates a request (for in-memory tests of routes and handlers).
    public init(
        method: HTTPMethod,
        path: String,
        query: String? = nil,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        pathParameters: PathParameters = PathParameters(),
        routePattern: String? = nil,
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.routePattern = routePattern
        self.remoteAddress = remoteAddress
    }

    /// Creates a request from a target such as `"/p?q=1"` (split at the first `?`).
    public init(method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        if let q = target.firstIndex(of: "?") {
            self.init(
                method: method,
                path: String(target[..<q]),
                query: String(target[target.index(after: q)...]),
                headers: headers,
                body: body
            )
        } else {
            self.init(method: method, path: target, headers: headers, body: body)
        }
    }
}
