/// The validated head of one request: request line, header fields and the framing derived from them.
package struct HTTPRequestHead: Sendable {
    /// How the body is delimited (RFC 9112 §6.3).
    package enum Framing: Sendable, Equatable {
        /// No body (no `Content-Length`, no `Transfer-Encoding`, or `Content-Length: 0`).
        case none
        /// Exactly this many bytes (> 0).
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
    }

    /// The body's content coding (RFC 9110 §8.4).
    package enum ContentCoding: Sendable, Equatable {
        case identity
        case gzip
    }

    package var method: HTTPMethod
    /// The path part of the request target (before `?`), exactly as sent (no percent-decoding).
    package var path: String
    /// The query part after the first `?`, without it; nil when the target has no `?`.
    package var query: String?
    package var version: HTTPVersion
    package var headers: HTTPHeaders
    package var framing: Framing
    /// True unless the request asked to close (HTTP/1.1 `Connection: close`, or HTTP/1.0 without
    /// `Connection: keep-alive`; RFC 9112 §9.3).
    package var keepAlive: Bool
    /// HTTP/1.1 `Expect: 100-continue` (RFC 9110 §10.1.1).
    package var expectContinue: Bool
    package var contentCoding: ContentCoding
    /// Bytes of the request line and header section, terminators included.
    package var headByteCount: Int

    /// True when the request has a body to read.
    package var hasBody: Bool { framing != .none }
}
