/// Why the request parser rejected a request; each case maps to one ``HTTPProblem``.
///
/// Every parser error ends the connection: the server answers with ``status`` (problem+json, with
/// `Connection: close`) and closes with a lingering close.
package enum HTTPParserError: Error, Equatable, Sendable {
    /// Malformed or ambiguous framing or syntax (RFC 9112 §2–§7); the text names the rule. → 400.
    case badRequest(String)
    /// The request line is longer than `maxRequestLine` (RFC 9112 §3). → 414.
    case uriTooLong
    /// The header section is longer than `maxHeaderBytes`, or has more than `maxHeaderCount` fields
    /// (RFC 6585 §5); also applies to the chunked trailer section. → 431.
    case headersTooLarge(String)
    /// The declared or received body is larger than `maxBody` (RFC 9110 §15.5.14). → 413.
    case bodyTooLarge
    /// The method token is well-formed but not one MicroHTTP knows (RFC 9110 §9.1). → 501.
    case unknownMethod
    /// `Transfer-Encoding` names a coding other than `chunked` (RFC 9112 §6.1). → 501.
    case unsupportedTransferCoding
    /// A major version other than 1 (RFC 9110 §2.5). → 505.
    case versionNotSupported
    /// `Content-Encoding` other than `gzip`/`identity` on a request with a body (RFC 9110 §15.5.16). → 415.
    case unsupportedContentEncoding
    /// `Expect` with anything but `100-continue` on HTTP/1.1 (RFC 9110 §10.1.1). → 417.
    case expectationFailed

    /// The problem this error is answered with (its status and code).
    package var problem: HTTPProblem {
        switch self {
        case .badRequest: .badRequest
        case .uriTooLong: .uriTooLong
        case .headersTooLarge: .headersTooLarge
        case .bodyTooLarge: .bodyTooLarge
        case .unknownMethod, .unsupportedTransferCoding: .notImplemented
        case .versionNotSupported: .httpVersionNotSupported
        case .unsupportedContentEncoding: .unsupportedMediaType
        case .expectationFailed: .expectationFailed
        }
    }

    /// The HTTP status this error is answered with.
    package var status: HTTPStatus { problem.status }

    /// A human-readable explanation for the problem `detail`.
    package var detail: String {
        switch self {
        case .badRequest(let why): why
        case .uriTooLong: "the request line is longer than the server's limit"
        case .headersTooLarge(let why): why
        case .bodyTooLarge: "the request body is larger than the server's limit"
        case .unknownMethod: "the request method is not implemented by this server"
        case .unsupportedTransferCoding: "only the chunked transfer coding is supported"
        case .versionNotSupported: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .unsupportedContentEncoding:
            "Content-Encoding names a coding this server does not take; send the body as is, or compressed with "
                + "a single 'Content-Encoding: gzip'"
        case .expectationFailed: "only the 100-continue expectation is supported"
        }
    }
}
