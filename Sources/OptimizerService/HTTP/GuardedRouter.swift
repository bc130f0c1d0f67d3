import MicroHTTP

/// Registers routes, guarding each with the bearer token unless it is public.
struct GuardedRouter {
    var router = Router()
    let auth: BearerAuth?

    /// A synchronous route; `isPublic` routes (`/healthz`, `/readyz`) skip the token check.
    mutating func on(
        _ method: HTTPMethod, _ pattern: String, execution: RouteExecution = .worker, isPublic: Bool = false,
        _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse
    ) {
        guard let auth, !isPublic else {
            router.on(method, pattern, execution: execution, handler)
            return
        }
        router.on(method, pattern, execution: execution) { request in
            try auth.check(request)
            return try handler(request)
        }
    }

    /// A deferred route, always guarded when a token is configured.
    mutating func onDeferred(
        _ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void
    ) {
        guard let auth else {
            router.onDeferred(method, pattern, handler)
            return
        }
        router.onDeferred(method, pattern) { request, responder in
            do {
                try auth.check(request)
            } catch {
                responder.send(error: error)
                return
            }
            handler(request, responder)
        }
    }
}
