import FastJSON
import OptimizerCore

/// The checkpoint format's version member (`"format": "optd-checkpoint/1"`).
let checkpointFormat = "optd-checkpoint/1"

/// A checkpoint as read from a restore body, before the optimizer core validates it.
///
/// ```json
/// {"format": "optd-checkpoint/1", "name": "demo", "dtype": "float32", "step": 2,
///  "optimizer": {...}, "schedule": null, "clip_grad_norm": null, "clip_grad_value": null, "param_groups": [],
///  "parameters": [{"name": "w", "shape": [2], "data": [0.1, 0.2]}],
///  "state": {"w": {"step": 2, "exp_avg": [...], "exp_avg_sq": [...]}}}
/// ```
struct CheckpointInput: Sendable {
    /// One state entry: a count or scalar (`step`, `mu_product`), or a flat tensor.
    enum StateInput: Sendable {
        case number(Double)
        case tensor([Double])
    }

    var name: String?
    var dtype: DType
    var step: Int
    var training: ConfigValue
    var parameters: [ParameterInput]
    var state: [(parameter: String, entries: [(name: String, value: StateInput)])]
    /// Per group, the lr the next step uses (`EngineCheckpoint.lastLR`); nil rebuilds the sequence.
    var lastLR: [Double]?

    static let members =
        ["format", "name", "dtype", "step"] + TrainingSpec.memberNames + ["last_lr", "parameters", "state"]

    static func read(_ reader: inout JSONReader) throws(ServiceError) -> CheckpointInput {
        var format: String?
        var name: String?
        var dtype: DType?
        var step: Int?
        var training: [(key: String, value: ConfigValue)] = []
        var parameters: [ParameterInput]?
        var state: [(parameter: String, entries: [(name: String, value: StateInput)])] = []
        var lastLR: [Double]?
        var seen: Set<String> = []
        try WireReading.object(&reader, what: "\"checkpoint\"") { (key, reader) throws(ServiceError) in
            guard seen.insert(key).inserted else { throw .invalidCheckpoint("member \"\(key)\" is given twice") }
            switch key {
            case "format": format = try WireReading.string(&reader, context: "checkpoint.format")
            case "name": name = try WireReading.optionalName(&reader)
            case "dtype": dtype = try WireReading.dtype(&reader)
            case "step":
                let value = try WireReading.value(&reader, context: "checkpoint.step")
                guard let d = value.doubleValue, d >= 0, d == d.rounded(), d < 9.0e15 else {
                    throw .invalidCheckpoint("\"step\" must be a non-negative integer, got \(value.encodedText)")
                }
                step = Int(d)
            case _ where TrainingSpec.memberNames.contains(key):
                training.append((key, ConfigValue(try WireReading.value(&reader, context: "checkpoint.\(key)"))))
            case "parameters":
                guard try WireReading.kind(&reader) == .array else {
                    throw .invalidCheckpoint("\"parameters\" must be an array of {\"name\", \"shape\", \"data\"}")
                }
                parameters = try ParameterInputReader.read(&reader, checkpoint: true)
            case "last_lr":
                if try !WireReading.json(nil, { () throws(JSONError) in try reader.readNullIfPresent() }) {
                    lastLR = try CheckpointNumbers.readFlat(&reader, context: "checkpoint.last_lr")
                }
            case "state": state = try readState(&reader)
            default: throw .unknownField("checkpoint.\(key)", allowed: members)
            }
        }
        guard format == checkpointFormat else {
            throw .invalidCheckpoint(
                "\"format\" must be \"\(checkpointFormat)\", got \(format.map { "\"\($0)\"" } ?? "nothing")")
        }
        guard let step else { throw .invalidCheckpoint("\"step\" is required") }
        guard let parameters else { throw .invalidCheckpoint("\"parameters\" is required") }
        if let missing = parameters.first(where: { $0.data == nil }) {
            throw .invalidCheckpoint("parameter \"\(missing.name)\" has no \"data\"")
        }
        return CheckpointInput(
            name: name, dtype: dtype ?? .float32, step: step, training: .object(training),
            parameters: parameters, state: state, lastLR: lastLR)
    }

    private static func readState(
        _ reader: inout JSONReader
    ) throws(ServiceError)
        -> [(parameter: String, entries: [(name: String, value: StateInput)])]
    {
        var result: [(parameter: String, entries: [(name: String, value: StateInput)])] = []
        try WireReading.object(&reader, what: "checkpoint.state") { (parameter, reader) throws(ServiceError) in
            var entries: [(name: String, value: StateInput)] = []
            try WireReading.object(&reader, what: "checkpoint.state.\(parameter)") {
                (name, reader) throws(ServiceError) in
                let context = "checkpoint.state.\(parameter).\(name)"
                switch try WireReading.kind(&reader) {
                case .number, .string:
                    entries.append((name, .number(try CheckpointNumbers.readScalar(&reader, context: context))))
                case .array:
                    entries.append((name, .tensor(try CheckpointNumbers.readFlat(&reader, context: context))))
                default:
                    throw .invalidCheckpoint("\(context) must be a number or a flat array of numbers")
                }
            }
            result.append((parameter, entries))
        }
        return result
    }

    /// The core's checkpoint in the session dtype, from the spec and layout the caller already
    /// validated; the core then validates names, counts and steps.
    func engineCheckpoint<S: WireScalar>(
        as type: S.Type, spec: TrainingSpec, layout: ParameterLayout
    )
        throws(ServiceError) -> EngineCheckpoint<S>
    {
        let values = try parameters.flatValues(layout: layout, as: S.self, checkpoint: true)
        var states: [ParameterState<S>] = []
        for (parameter, entries) in state {
            var converted: [StateEntry<S>] = []
            for (name, value) in entries {
                switch value {
                case .number(let x) where name == "step":
                    guard x >= 0, x == x.rounded(), x < 9.0e15 else {
                        throw .invalidCheckpoint("state.\(parameter).step must be a non-negative integer, got \(x)")
                    }
                    converted.append(StateEntry(name: name, value: .count(Int(x))))
                case .number(let x):
                    guard x.isFinite == S(x).isFinite else {
                        throw .invalidCheckpoint("state.\(parameter).\(name) = \(x) overflows \(S.dtype.rawValue)")
                    }
                    converted.append(StateEntry(name: name, value: .scalar(S(x))))
                case .tensor(let xs):
                    // Any value a session can reach is restored, non-finite and negative ones included
                    // (an overflowing step, RMSprop with alpha > 1, Rprop with step_sizes [5, -5]); only a
                    // finite number that overflows the dtype cannot have been written by optd.
                    let values = xs.map { S($0) }
                    if let bad = values.indices.first(where: { xs[$0].isFinite && !values[$0].isFinite }) {
                        throw .invalidCheckpoint(
                            "state.\(parameter).\(name)[\(bad)] = \(xs[bad]) overflows \(S.dtype.rawValue)")
                    }
                    converted.append(StateEntry(name: name, value: .tensor(values)))
                }
            }
            states.append(ParameterState(name: parameter, entries: converted))
        }
        return EngineCheckpoint(
            spec: spec, layout: layout, stepCount: step, parameters: values, states: states, lastLR: lastLR)
    }
}

/// Writes checkpoints as JSON (`GET /v1/sessions/{id}/checkpoint`).
enum CheckpointWriter {
    static func write<S: WireScalar>(_ checkpoint: EngineCheckpoint<S>, name: String?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256 + checkpoint.parameters.count * 24)
        writer.beginObject()
        writer.writeKey("format")
        writer.writeString(checkpointFormat)
        writer.writeKey("name")
        if let name { writer.writeString(name) } else { writer.writeNull() }
        writer.writeKey("dtype")
        writer.writeString(S.dtype.rawValue)
        writer.writeKey("step")
        writer.writeInt(checkpoint.stepCount)
        SessionWriter.writeTrainingMembers(checkpoint.spec, to: &writer)
        if let lastLR = checkpoint.lastLR {
            writer.writeKey("last_lr")
            writer.beginArray()
            for lr in lastLR { CheckpointNumbers.write(lr, to: &writer) }
            writer.endArray()
        }
        writer.writeKey("parameters")
        writer.beginArray()
        for entry in checkpoint.layout.entries {
            writer.beginObject()
            writer.writeNameAndShape(of: entry)
            writer.writeKey("data")
            CheckpointNumbers.write(checkpoint.parameters[entry.offset..<(entry.offset + entry.count)], to: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.writeKey("state")
        writer.beginObject()
        for state in checkpoint.states {
            writer.writeKey(state.name)
            writer.beginObject()
            for entry in state.entries {
                writer.writeKey(entry.name)
                switch entry.value {
                case .count(let n): writer.writeInt(n)
                case .scalar(let x): CheckpointNumbers.write(x, to: &writer)
                case .tensor(let xs): CheckpointNumbers.write(xs[...], to: &writer)
                }
            }
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
