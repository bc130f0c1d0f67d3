import Synchronization

/// Delivers the response of a deferred route exactly once, from any thread.
///
/// A second ``send(_:)`` is ignored. If the responder is released without a response (a handler
/// bug), the client gets a 500 `internal_error` problem instead of a hung connection.
public final class HTTPResponder: Sendable {
    private let sink: @Sendable (HTTPResponse) -> Void
    private let sent = Atomic<Bool>(false)

    /// Creates a responder that hands the response to `sink` (called at most once).
    public init(_ sink: @escaping @Sendable (HTTPResponse) -> Void) {
        self.sink = sink
    }

    /// Sends `response`; returns false (and does nothing) when a response was already sent.
    @discardableResult
    public func send(_ response: HTTPResponse) -> Bool {
        guard !sent.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        sink(response)
        return true
    }

    /// Sends the response for `error`: its own for ``HTTPResponseError``, else a 500 problem.
    @discardableResult
    public func send(error: any Error) -> Bool {
        send(Router.response(for: error))
    }

    deinit {
        if !sent.load(ordering: .acquiring) {
            sink(HTTPProblem.internalError.response(detail: "the handler did not respond"))
        }
    }
}
