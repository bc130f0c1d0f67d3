import Dispatch
import Synchronization
import Testing

@testable import MicroHTTP

/// Routing in memory: no sockets.
@Suite struct RouterTests {
    func respond(_ router: Router, _ request: HTTPRequest) -> HTTPResponse? {
        let box = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        router.respond(to: request) { r in
            box.withLock { $0 = r }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 5)
        return box.withLock { $0 }
    }

    func sample() -> Router {
        var r = Router()
        r.on(.get, "/v1/sessions") { _ in .text("list") }
        r.on(.post, "/v1/sessions") { _ in .text("create") }
        r.on(.get, "/v1/sessions/:id") { req in .text("get \(req.pathParameters["id"] ?? "")") }
        r.on(.post, "/v1/sessions/:id/step") { req in
            .text("step \(req.pathParameters["id"] ?? "") \(req.routePattern ?? "")")
        }
        r.on(.get, "/files/*") { req in .text("file \(req.path)") }
        r.on(.get, "/") { _ in .text("root") }
        return r
    }

    @Test func parametersAreCaptured() {
        let r = respond(sample(), HTTPRequest(method: .post, target: "/v1/sessions/abc-1/step"))
        #expect(r?.body.bytes == Array("step abc-1 /v1/sessions/:id/step".utf8))
    }

    @Test func literalRoutesAndRootMatchExactly() {
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/v1/sessions"))?.body.bytes == Array("list".utf8))
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/"))?.body.bytes == Array("root".utf8))
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/v1/sessions/"))?.status == .notFound)
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/v1/Sessions"))?.status == .notFound)
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/v1/sessions/a/b"))?.status == .notFound)
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/v1/sessions//step"))?.status == .notFound)
    }

    @Test func wildcardMatchesTheRest() {
        #expect(
            respond(sample(), HTTPRequest(method: .get, target: "/files/a/b.txt"))?.body.bytes
                == Array("file /files/a/b.txt".utf8)
        )
        #expect(respond(sample(), HTTPRequest(method: .get, target: "/files"))?.status == .ok)
    }

    @Test func wrongMethodIs405WithAllowIncludingHead() throws {
        let r = try #require(respond(sample(), HTTPRequest(method: .delete, target: "/v1/sessions")))
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["allow"] == "GET, HEAD, POST")
        #expect(String(decoding: r.body.bytes, as: UTF8.self).contains(#""code":"method_not_allowed""#))
    }

    @Test func headFallsBackToGet() {
        #expect(
            respond(sample(), HTTPRequest(method: .head, target: "/v1/sessions/x"))?.body.bytes == Array("get x".utf8)
        )
        var explicit = sample()
        explicit.on(.head, "/v1/sessions/:id") { _ in HTTPResponse(status: .noContent) }
        #expect(respond(explicit, HTTPRequest(method: .head, target: "/v1/sessions/x"))?.status == .noContent)
    }

    @Test func routesListsRegistrationsAndReplacesDuplicates() {
        var r = sample()
        r.on(.get, "/v1/sessions") { _ in .text("list2") }
        let listed = r.routes.map { "\($0.method.rawValue) \($0.pattern)" }
        #expect(listed.count == 6)
        #expect(listed.contains("POST /v1/sessions/:id/step"))
        #expect(respond(r, HTTPRequest(method: .get, target: "/v1/sessions"))?.body.bytes == Array("list2".utf8))
    }

    @Test func deferredRouteAnswersThroughTheResponder() {
        var r = Router()
        r.onDeferred(.post, "/later") { req, responder in
            DispatchQueue.global().async {
                responder.send(.text("later \(req.body.count)"))
                responder.send(.text("ignored"))
            }
        }
        #expect(
            respond(r, HTTPRequest(method: .post, target: "/later", body: [1, 2]))?.body.bytes == Array("later 2".utf8)
        )
    }

    @Test func thrownErrorsBecomeResponses() {
        struct Gone: HTTPResponseError {
            func response() -> HTTPResponse { .problem(status: 410, code: "gone", detail: "gone") }
        }
        struct Internal: Error {}
        var r = Router()
        r.on(.get, "/gone") { _ in throw Gone() }
        r.on(.get, "/boom") { _ in throw Internal() }
        let gone = respond(r, HTTPRequest(method: .get, target: "/gone"))
        #expect(gone?.status.code == 410)
        #expect(gone?.headers["content-type"] == "application/problem+json")
        let boom = respond(r, HTTPRequest(method: .get, target: "/boom"))
        #expect(boom?.status == .internalServerError)
        let text = String(decoding: boom?.body.bytes ?? [], as: UTF8.self)
        #expect(text.contains(#""code":"internal_error""#))
    }

    @Test func queryIsSplitFromTheTarget() {
        let request = HTTPRequest(method: .get, target: "/a?b=1?c")
        #expect(request.path == "/a")
        #expect(request.query == "b=1?c")
    }
}
