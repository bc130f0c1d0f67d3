import FastJSON
import OptimizerCore

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
                    writeEntry(
                        name: info.name, default: info.defaultValue, rule: info.rule, required: false,
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
                    writeEntry(
                        name: argument.name, default: argument.defaultValue ?? .null, rule: argument.rule,
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

    private static func writeEntry(
        name: String, default value: ConfigValue, rule: String, required: Bool, doc: String,
        to writer: inout JSONWriter
    ) {
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
