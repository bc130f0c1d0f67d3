import FastJSON
import MicroHTTP
import OptimizerCore

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

/// The catalogue of optimizers and schedules, from the core's own tables.
enum Catalogue {
    static func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.writeKey("optimizers")
        writer.beginArray()
        for kind in OptimizerKind.allCases {
            writeKind(type: kind.rawValue, description: kind.summary, to: &writer) { writer in
                for info in kind.hyperparameters {
                    writeEntry(name: info.name, default: info.defaultValue, rule: info.rule, required: false,
                               doc: info.doc, to: &writer)
                }
            }
        }
        writer.endArray()
        writer.writeKey("schedules")
        writer.beginArray()
        for kind in ScheduleKind.allCases {
            writeKind(type: kind.rawValue, description: kind.summary, to: &writer) { writer in
                for argument in kind.arguments {
                    writeEntry(name: argument.name, default: argument.defaultValue ?? .null, rule: argument.rule,
                               required: argument.required, doc: argument.doc, to: &writer)
                }
            }
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// `{"type": …, "description": …, "hyperparameters": [entries]}`.
    private static func writeKind(
        type: String, description: String, to writer: inout JSONWriter, entries: (inout JSONWriter) -> Void
    ) {
        writer.beginObject()
        writer.writeKey("type")
        writer.writeString(type)
        writer.writeKey("description")
        writer.writeString(description)
        writer.writeKey("hyperparameters")
        writer.beginArray()
        entries(&writer)
        writer.endArray()
        writer.endObject()
    }

    private static func writeEntry(name: String, default value: ConfigValue, rule: String, required: Bool, doc: String,
                                   to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("name")
        writer.writeString(name)
        writer.writeKey("default")
        writer.writeConfig(value)
        writer.writeKey("rule")
        writer.writeString(rule)
        writer.writeKey("required")
        writer.writeBool(required)
        writer.writeKey("description")
        writer.writeString(doc)
        writer.endObject()
    }
}
