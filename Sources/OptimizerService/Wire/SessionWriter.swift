import FastJSON
import OptimizerCore

/// Writes response bodies: session summaries, parameters and step results.
enum SessionWriter {
    /// `{"id", "name", "dtype", "step", "lr", "optimizer", "schedule", "clip_grad_norm", "clip_grad_value",
    /// "param_groups", "parameters": [layout], "parameter_count", "created_at", "updated_at"}`.
    static func writeSummary(_ s: SessionSummary, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("id")
        writer.writeString(s.id.description)
        writer.writeKey("name")
        if let name = s.name { writer.writeString(name) } else { writer.writeNull() }
        writer.writeKey("dtype")
        writer.writeString(s.dtype.rawValue)
        writer.writeKey("step")
        writer.writeInt(s.step)
        writer.writeKey("lr")
        writer.writeDouble(s.lr)
        writeTrainingMembers(s.spec, to: &writer)
        writer.writeKey("parameters")
        writer.beginArray()
        for entry in s.layout.entries {
            writer.beginObject()
            writer.writeNameAndShape(of: entry)
            writer.writeKey("offset")
            writer.writeInt(entry.offset)
            writer.writeKey("count")
            writer.writeInt(entry.count)
            writer.endObject()
        }
        writer.endArray()
        writer.writeKey("parameter_count")
        writer.writeInt(s.layout.totalCount)
        writer.writeKey("created_at")
        writer.writeString(s.createdAt.rfc3339)
        writer.writeKey("updated_at")
        writer.writeString(s.updatedAt.rfc3339)
        writer.endObject()
    }

    static func summary(_ s: SessionSummary) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512 + 64 * s.layout.count)
        writeSummary(s, to: &writer)
        return writer.bytes
    }

    /// `"optimizer", "schedule", "clip_grad_norm", "clip_grad_value", "param_groups"`, each present (null or
    /// empty when unused), with every hyperparameter including defaults.
    static func writeTrainingMembers(_ spec: TrainingSpec, to writer: inout JSONWriter) {
        let config = spec.config()
        for key in TrainingSpec.memberNames {
            writer.writeKey(key)
            writer.writeConfig(config[key] ?? (key == "param_groups" ? .array([]) : .null))
        }
    }

    /// `"parameters": {"w": [[...]], ...}` as nested arrays of each parameter's shape.
    static func writeParameters(_ values: TensorValues, layout: ParameterLayout, to writer: inout JSONWriter) {
        writer.writeKey("parameters")
        writer.beginObject()
        switch values {
        case .float32(let v): writeTensors(v, layout: layout, to: &writer)
        case .float64(let v): writeTensors(v, layout: layout, to: &writer)
        }
        writer.endObject()
    }

    private static func writeTensors<S: WireScalar>(_ values: [S], layout: ParameterLayout, to writer: inout JSONWriter)
    {
        for entry in layout.entries {
            writer.writeKey(entry.name)
            S.write(values[entry.offset..<(entry.offset + entry.count)], shape: entry.shape, to: &writer)
        }
    }

    /// The expected size of a JSON parameters body, for reserving capacity once.
    static func estimatedBytes(parameterCount: Int, dtype: DType) -> Int {
        128 + parameterCount * (dtype == .float32 ? 14 : 22)
    }

    /// Formats a number as JSON writes it (for the `Optd-Lr` and `Optd-Grad-Norm` headers); a value
    /// that is not finite is `inf`, `-inf` or `nan` (what Python's `float()` and numpy read).
    static func numberText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        var writer = JSONWriter()
        writer.writeDouble(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
