/// An error that knows its HTTP response. A handler that throws one gets exactly that response;
/// any other thrown error becomes a 500 ``HTTPProblem/internalError`` without internal details.
public protocol HTTPResponseError: Error {
    /// The full response (its status, headers and body).
    func response() -> HTTPResponse
}
