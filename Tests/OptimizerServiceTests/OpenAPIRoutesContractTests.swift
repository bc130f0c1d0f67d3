import Foundation
import Logging
import MicroHTTP
import Testing
import TestSupport

@testable import OptimizerService

/// The router and `openapi.yaml` describe the same operations: every `(method, path)` of the spec is
/// routed, and every route is in the spec.
@Suite struct OpenAPIRoutesContractTests {
    static func specOperations() throws -> Set<String> {
        let yaml = try String(contentsOf: OpenAPIPaths.specURL, encoding: .utf8)
        return Set(OpenAPIPaths.operations(in: yaml).map { "\($0.method) \(OpenAPIPaths.routePattern($0.path))" })
    }

    static func routedOperations() throws -> Set<String> {
        let context = try ServiceContext(configuration: ServiceConfiguration(), logger: Logger(label: "contract"))
        return Set(ServiceRoutes.router(context: context).routes.map { "\($0.method.rawValue) \($0.pattern)" })
    }

    @Test func theYAMLScanFindsTheDocumentedOperations() throws {
        // A guard against a scan that silently finds nothing: the contract (api.md) has 14 operations.
        let spec = try Self.specOperations()
        #expect(spec.count == 14, "\(spec.sorted())")
        #expect(spec.contains("POST /v1/sessions/:id/step"))
        #expect(spec.contains("GET /openapi.yaml"))
    }

    @Test func everySpecOperationIsRouted() throws {
        let missing = try Self.specOperations().subtracting(Self.routedOperations())
        #expect(missing.isEmpty, "in openapi.yaml but not routed: \(missing.sorted())")
    }

    @Test func everyRouteIsInTheSpec() throws {
        let undocumented = try Self.routedOperations().subtracting(Self.specOperations())
        #expect(undocumented.isEmpty, "routed but not in openapi.yaml: \(undocumented.sorted())")
    }

    @Test func everySpecOperationAnswersLiveWithoutNotFoundOrMethodNotAllowed() throws {
        let yaml = try String(contentsOf: OpenAPIPaths.specURL, encoding: .utf8)
        try withClient { client, _ in
            let id = try client.createSession(Specs.small())
            // DELETE last, so the other operations still find the session.
            let ops = OpenAPIPaths.operations(in: yaml).sorted {
                ($0.method == "DELETE" ? 1 : 0) < ($1.method == "DELETE" ? 1 : 0)
            }
            #expect(ops.count == 14)
            for op in ops {
                let path = op.path.replacingOccurrences(of: "{id}", with: id)
                let body: [UInt8]? = ["POST", "PUT", "PATCH"].contains(op.method) ? Array("{}".utf8) : nil
                let r = try client.request(op.method, path, headers: [("Content-Type", "application/json")], body: body)
                let code = (try? r.json())?["code"]?.string
                #expect(
                    r.status != 405 && code != "not_found" && code != "session_not_found" && r.status < 500,
                    "\(op.method) \(op.path) → \(r)")
                if op.method == "DELETE" { #expect(r.status == 204) }
            }
        }
    }

    @Test func theScanReadsMethodsOnlyAtTheOperationLevel() {
        let yaml = """
            openapi: 3.1.0
            paths:
              /a/{x}:
                parameters:
                  - name: x
                get:
                  responses:
                    '200':
                      get: not-an-operation
                delete:
                  summary: d
              /b:
                post:
                  summary: p
            components:
              schemas:
                get: {}
            """
        let ops = OpenAPIPaths.operations(in: yaml).map { "\($0.method) \($0.path)" }
        #expect(ops == ["GET /a/{x}", "DELETE /a/{x}", "POST /b"])
        #expect(OpenAPIPaths.routePattern("/a/{x}/b") == "/a/:x/b")
    }
}
