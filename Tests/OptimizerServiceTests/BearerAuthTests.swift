import Foundation
import Logging
import MicroHTTP
import Testing

@testable import OptimizerService

@Suite struct BearerAuthTests {
    let auth = BearerAuth(token: "s3cret-token")

    private func request(authorization: String?) -> HTTPRequest {
        var headers = HTTPHeaders()
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        return HTTPRequest(method: .get, target: "/v1/sessions", headers: headers)
    }

    @Test func acceptsTheTokenWithAnyCaseOfTheScheme() throws {
        try auth.check(request(authorization: "Bearer s3cret-token"))
        try auth.check(request(authorization: "bearer s3cret-token"))
    }

    @Test(arguments: [
        nil, "", "Bearer", "Bearer ", "Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token",
        "Bearer S3CRET-TOKEN", "s3cret-token",
    ])
    func rejectsEverythingElseWith401(authorization: String?) {
        #expect(throws: ServiceError.unauthorized()) { try auth.check(request(authorization: authorization)) }
    }

    @Test func constantTimeEqualityComparesLengthAndEveryByte() {
        #expect(BearerAuth.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerAuth.constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerAuth.constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!BearerAuth.constantTimeEquals([], Array("a".utf8)))
        #expect(BearerAuth.constantTimeEquals([], []))
    }

    @Test func everyRouteButHealthAndReadinessRequiresTheToken() throws {
        var configuration = ServiceConfiguration()
        configuration.authToken = "s3cret-token"
        let context = try ServiceContext(configuration: configuration, logger: .init(label: "test"))
        context.setPhase(.ready)
        let router = ServiceRoutes.router(context: context)
        let open = Set(["/healthz", "/readyz"])
        for (method, pattern) in router.routes {
            let target = pattern.replacingOccurrences(of: ":id", with: String(repeating: "a", count: 32))
            let response = respond(router, HTTPRequest(method: method, target: target))
            if open.contains(pattern) {
                #expect(response.status.code == 200, "\(method) \(pattern)")
            } else {
                #expect(response.status.code == 401, "\(method) \(pattern) answered \(response.status.code)")
                #expect(response.headers["WWW-Authenticate"] == "Bearer realm=\"optd\"")
            }
        }
    }

    private func respond(_ router: Router, _ request: HTTPRequest) -> HTTPResponse {
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        router.respond(to: request) { response in
            box.set(response)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 5)
        return box.get() ?? HTTPResponse(status: .internalServerError)
    }
}

import Dispatch
import Synchronization

private final class ResponseBox: Sendable {
    private let value = Mutex<HTTPResponse?>(nil)
    func set(_ response: HTTPResponse) { value.withLock { $0 = response } }
    func get() -> HTTPResponse? { value.withLock { $0 } }
}
