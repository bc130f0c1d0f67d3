/// An error that knows its HTTP response. A handler that throws one gets exactly that response;
/// any other thrown error becomes a 500 `internal_error` problem without internal details.
public protocol HTTPResponseError: Error {
    /// The status to answer with.
    var status: HTTPStatus { get }
    /// The full response; the default is a problem+json body with a code derived from the status.
    func response() -> HTTPResponse
}

extension HTTPResponseError {
    /// A problem+json response with ``HTTPResponseError/status``, the standard code for it (see
    /// ``HTTPProblemCode/forStatus(_:)``) and `String(describing: self)` as the detail.
    public func response() -> HTTPResponse {
        .problem(status: status, code: HTTPProblemCode.forStatus(status), detail: String(describing: self))
    }
}

/// The API contract's problem codes for the statuses MicroHTTP produces itself.
public enum HTTPProblemCode {
    /// `bad_request`, `request_timeout`, `body_too_large`, `uri_too_long`, `unsupported_media_type`,
    /// `headers_too_large`, `expectation_failed`, `not_found`, `method_not_allowed`,
    /// `not_implemented`, `http_version_not_supported`, `limit_exceeded` (503), `internal_error`,
    /// or `"error"` for other statuses.
    public static func forStatus(_ status: HTTPStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 413: "body_too_large"
        case 414: "uri_too_long"
        case 415: "unsupported_media_type"
        case 417: "expectation_failed"
        case 431: "headers_too_large"
        case 500: "internal_error"
        case 501: "not_implemented"
        case 503: "limit_exceeded"
        case 505: "http_version_not_supported"
        default: "error"
        }
    }
}
