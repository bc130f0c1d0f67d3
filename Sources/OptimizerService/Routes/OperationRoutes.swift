import MicroHTTP

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.yaml` and the catalogue `GET /v1/optimizers`.
enum OperationRoutes {
    static func register(on router: inout GuardedRouter, context: ServiceContext) {
        let ok = Array(#"{"status":"ok"}"#.utf8)
        router.on(.get, "/healthz", execution: .inline, isPublic: true) { _ in .json(ok) }
        router.on(.get, "/readyz", execution: .inline, isPublic: true) { _ in
            switch context.phase {
            case .ready: .json(ok)
            case .starting: .json(Array(#"{"status":"starting"}"#.utf8), status: .serviceUnavailable)
            case .stopping: .json(Array(#"{"status":"stopping"}"#.utf8), status: .serviceUnavailable)
            }
        }
        router.on(.get, "/metrics", execution: .inline) { _ in
            HTTPResponse(
                status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: Array(context.metrics.render(gauges: context.registry.gauges()).utf8))
        }
        let spec = Array(OpenAPIDocument.yaml.utf8) + [UInt8(ascii: "\n")]
        router.on(.get, "/openapi.yaml", execution: .inline) { _ in
            HTTPResponse(status: .ok, contentType: "application/yaml", body: spec)
        }
        let catalogue = Catalogue.json()
        router.on(.get, "/v1/optimizers", execution: .inline) { _ in .json(catalogue) }
    }
}
