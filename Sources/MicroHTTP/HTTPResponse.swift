/// A response: status, headers and body.
///
/// The server adds `Date`, `Content-Length` (omitted for 1xx and 204) and `Connection` itself;
/// headers with those names set by a handler are ignored. A body on 1xx/204/304 is never sent.
public struct HTTPResponse: Sendable {
    /// The status.
    public var status: HTTPStatus
    /// Header fields to send, in order.
    public var headers: HTTPHeaders
    /// The body.
    public var body: HTTPBody

    /// Creates a response; defaults: 200, no headers, empty body.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: HTTPBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with `body` and `Content-Type: contentType`.
    public init(status: HTTPStatus = .ok, contentType: String, body: [UInt8]) {
        self.init(status: status, headers: ["Content-Type": contentType], body: .bytes(body))
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// An `application/json` response from already-encoded bytes.
    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: bytes)
    }

    /// An RFC 9457 `application/problem+json` response:
    /// `{"type":"about:blank","title":…,"status":…,"detail":…,"code":…}`.
    /// - Parameters:
    ///   - status: The HTTP status (also the `status` member).
    ///   - code: The stable machine-readable code, e.g. `"body_too_large"`.
    ///   - detail: What went wrong with this request, naming the offending value.
    ///   - title: A short summary; defaults to the status's reason phrase.
    ///   - type: A URI identifying the problem type; defaults to `"about:blank"`.
    public static func problem(
        status: HTTPStatus,
        code: String,
        detail: String,
        title: String? = nil,
        type: String = "about:blank"
    ) -> HTTPResponse {
        var out: [UInt8] = []
        out.reserveCapacity(96 + detail.utf8.count)
        out.append(contentsOf: #"{"type":"#.utf8)
        JSONText.appendString(type, to: &out)
        out.append(contentsOf: #","title":"#.utf8)
        JSONText.appendString(title ?? (status.reasonPhrase.isEmpty ? "Error" : status.reasonPhrase), to: &out)
        out.append(contentsOf: #","status":"#.utf8)
        out.append(contentsOf: String(status.code).utf8)
        out.append(contentsOf: #","detail":"#.utf8)
        JSONText.appendString(detail, to: &out)
        out.append(contentsOf: #","code":"#.utf8)
        JSONText.appendString(code, to: &out)
        out.append(UInt8(ascii: "}"))
        return HTTPResponse(status: status, contentType: "application/problem+json", body: out)
    }
}

/// Minimal JSON string escaping for problem bodies (RFC 8259 §7).
enum JSONText {
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            case 0..<32:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
