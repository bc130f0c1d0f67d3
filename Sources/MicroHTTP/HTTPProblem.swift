/// The problems MicroHTTP answers itself, each with its status and stable problem `code`: the
/// protocol errors it meets before a route runs (malformed, too large, too slow or unsupported
/// requests; the connection limit), no route for the request, and the fallback for a handler that
/// threw an error other than ``HTTPResponseError`` or never answered.
///
/// Every other problem is the application's: a handler answers it through ``HTTPResponseError``.
public enum HTTPProblem: Sendable, CaseIterable {
    /// 400 `bad_request`: malformed or ambiguous framing or syntax, or a corrupt gzip body.
    case badRequest
    /// 404 `not_found`: no route matches the path.
    case notFound
    /// 405 `method_not_allowed`: a route matches the path but not the method.
    case methodNotAllowed
    /// 408 `request_timeout`: the request did not arrive in time.
    case requestTimeout
    /// 413 `body_too_large`: the body, before or after gzip, is larger than the limit.
    case bodyTooLarge
    /// 414 `uri_too_long`: the request line is longer than the limit.
    case uriTooLong
    /// 415 `unsupported_media_type`: a `Content-Encoding` the server does not take.
    case unsupportedMediaType
    /// 417 `expectation_failed`: an `Expect` other than `100-continue`.
    case expectationFailed
    /// 431 `headers_too_large`: the header (or trailer) section is larger than the limit.
    case headersTooLarge
    /// 500 `internal_error`: a handler failed without an ``HTTPResponseError``, or never answered.
    case internalError
    /// 501 `not_implemented`: an unknown method or transfer coding.
    case notImplemented
    /// 503 `limit_exceeded`: the server holds its maximum of connections.
    case connectionLimit
    /// 505 `http_version_not_supported`: an HTTP major version other than 1.
    case httpVersionNotSupported

    /// The status the problem is answered with.
    public var status: HTTPStatus {
        switch self {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .requestTimeout: .requestTimeout
        case .bodyTooLarge: .contentTooLarge
        case .uriTooLong: .uriTooLong
        case .unsupportedMediaType: .unsupportedMediaType
        case .expectationFailed: .expectationFailed
        case .headersTooLarge: .requestHeaderFieldsTooLarge
        case .internalError: .internalServerError
        case .notImplemented: .notImplemented
        case .connectionLimit: .serviceUnavailable
        case .httpVersionNotSupported: .httpVersionNotSupported
        }
    }

    /// The stable, machine-readable problem code (the `code` member of the body).
    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .requestTimeout: "request_timeout"
        case .bodyTooLarge: "body_too_large"
        case .uriTooLong: "uri_too_long"
        case .unsupportedMediaType: "unsupported_media_type"
        case .expectationFailed: "expectation_failed"
        case .headersTooLarge: "headers_too_large"
        case .internalError: "internal_error"
        case .notImplemented: "not_implemented"
        case .connectionLimit: "limit_exceeded"
        case .httpVersionNotSupported: "http_version_not_supported"
        }
    }

    /// The `application/problem+json` response: ``status``, ``code`` and `detail`, the status's
    /// reason phrase as its title.
    public func response(detail: String) -> HTTPResponse {
        .problem(status: status, code: code, detail: detail)
    }
}
