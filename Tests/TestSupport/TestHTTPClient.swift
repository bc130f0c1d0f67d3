/// One response as a test sees it, from a socket (``HTTPClient``) or from a router in memory
/// (``RouterClient``).
public struct TestResponse: CustomStringConvertible, Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The status line and header lines as received (empty for in-memory responses).
    public var head: String

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], head: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
        self.head = head
    }

    /// The first value of `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var contentType: String? { header("Content-Type") }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON.
    public func json() throws -> JSON { try JSON.parse(body) }

    public var description: String {
        let shown = body.count > 600 ? String(decoding: body.prefix(600), as: UTF8.self) + "…" : text
        return "HTTP \(status) \(headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")) \(shown)"
    }
}

/// Something that answers one request at a time: a connection (``HTTPClient``) or a router in
/// memory (``RouterClient``). Helpers written against it run on both.
public protocol TestHTTPClient {
    /// Sends one request and returns its response; `body` nil sends none.
    func perform(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?) throws -> TestResponse
}

extension TestHTTPClient {
    /// Sends one request and returns its response.
    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws -> TestResponse {
        try perform(method, path, headers: headers, body: body)
    }

    /// A JSON request (`Content-Type: application/json` unless `headers` sets one).
    public func request(
        _ method: String, _ path: String, json: JSON, headers: [(String, String)] = []
    ) throws -> TestResponse {
        var all = headers
        if !all.contains(where: { $0.0.lowercased() == "content-type" }) {
            all.append(("Content-Type", "application/json"))
        }
        return try perform(method, path, headers: all, body: json.bytes)
    }

    public func get(_ path: String, headers: [(String, String)] = []) throws -> TestResponse {
        try perform("GET", path, headers: headers, body: nil)
    }

    public func post(_ path: String, json: JSON, headers: [(String, String)] = []) throws -> TestResponse {
        try request("POST", path, json: json, headers: headers)
    }
}
