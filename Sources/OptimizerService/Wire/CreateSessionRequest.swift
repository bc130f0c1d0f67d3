import FastJSON
import OptimizerCore

/// A parameter as a create or restore body gives it: name, shape and optional flat data.
struct ParameterInput: Sendable {
    var name: String
    var shape: [Int]
    /// Flat row-major values parsed to the nearest double; nil starts the parameter at zeros.
    var data: [Double]?
}

/// The body of `POST /v1/sessions`: a spec, or a checkpoint to restore.
enum CreateSessionRequest: Sendable {
    /// A new session. `training` holds the members `TrainingSpec` reads (`optimizer`, `schedule`,
    /// `clip_grad_norm`, `clip_grad_value`, `param_groups`).
    case spec(name: String?, dtype: DType, training: ConfigValue, parameters: [ParameterInput])
    /// A restore; `name` (if given in the body) replaces the checkpoint's label.
    case restore(CheckpointInput, name: String??)

    static let specMembers = ["name", "dtype"] + TrainingSpec.memberNames + ["parameters", "checkpoint"]

    /// Parses and checks the body's structure; the optimizer core validates the spec itself.
    static func parse(_ body: [UInt8]) throws(ServiceError) -> CreateSessionRequest {
        var reader = JSONReader(body)
        var name: String??
        var dtype: DType?
        var training: [(key: String, value: ConfigValue)] = []
        var parameters: [ParameterInput]?
        var checkpoint: CheckpointInput?
        var seen: Set<String> = []
        try WireReading.object(&reader, what: "the body") { (key, reader) throws(ServiceError) in
            guard seen.insert(key).inserted else { throw .invalidField("member \"\(key)\" is given twice") }
            switch key {
            case "name": name = .some(try WireReading.optionalName(&reader))
            case "dtype": dtype = try WireReading.dtype(&reader)
            case _ where TrainingSpec.memberNames.contains(key):
                training.append((key, ConfigValue(try WireReading.value(&reader, context: key))))
            case "parameters": parameters = try ParameterInputReader.read(&reader)
            case "checkpoint":
                do throws(ServiceError) {
                    checkpoint = try CheckpointInput.read(&reader)
                } catch  where error.statusCode == 422 && error.code != "unknown_field" {
                    // Well-formed JSON that is not a usable checkpoint (a null for a non-finite
                    // value, a ragged tensor, ...) is one kind of failure for the client.
                    throw error.code == "invalid_checkpoint" ? error : .invalidCheckpoint(error.detail)
                }
            default: throw .unknownField(key, allowed: specMembers)
            }
        }
        try WireReading.finish(&reader)
        if let checkpoint {
            if let other = seen.first(where: { $0 != "checkpoint" && $0 != "name" }) {
                throw .invalidField("a restore body holds \"checkpoint\" and optionally \"name\", not \"\(other)\"")
            }
            return .restore(checkpoint, name: name)
        }
        guard !training.isEmpty || parameters != nil else {
            throw .invalidField("the body needs \"optimizer\" and \"parameters\" (or \"checkpoint\" to restore)")
        }
        guard let parameters else { throw .invalidField("\"parameters\" is required") }
        return .spec(name: name ?? nil, dtype: dtype ?? .float32, training: .object(training), parameters: parameters)
    }
}

/// Reads `parameters` in either form: an object by name (key order is the layout), or an array of
/// `{"name", "shape", "data"}`.
enum ParameterInputReader {
    /// - Parameter checkpoint: whether `data` may hold the non-finite strings of `CheckpointNumbers`
    ///   (a restore; a new session's values must be finite).
    static func read(_ reader: inout JSONReader, checkpoint: Bool = false) throws(ServiceError) -> [ParameterInput] {
        var result: [ParameterInput] = []
        switch try WireReading.kind(&reader) {
        case .object:
            try WireReading.object(&reader, what: "\"parameters\"") { (name, reader) throws(ServiceError) in
                result.append(try readTensor(named: name, &reader, checkpoint: checkpoint))
            }
        case .array:
            try WireReading.array(&reader, what: "\"parameters\"") { (index, reader) throws(ServiceError) in
                result.append(try readNamed(index: index, &reader, checkpoint: checkpoint))
            }
        default:
            throw .invalidField(
                "\"parameters\" must be an object by name or an array of {\"name\", \"shape\", \"data\"}")
        }
        guard !result.isEmpty else { throw .invalidParameters("\"parameters\" is empty; a session needs at least one") }
        return result
    }

    /// `name: <number or nested arrays>` or `name: {"shape": [...], "data": [...]}`.
    private static func readTensor(
        named name: String, _ reader: inout JSONReader, checkpoint: Bool
    )
        throws(ServiceError) -> ParameterInput
    {
        switch try WireReading.kind(&reader) {
        case .number, .array:
            var data: [Double] = []
            var shape: [Int] = []
            do throws(ServiceError) {
                try WireReading.numbers(&reader, into: &data, shape: &shape, context: "parameter \"\(name)\"")
            } catch  where error.code == "shape_mismatch" {
                throw .invalidParameters(error.detail)  // ragged nested values: the shape is the parameter's own
            }
            return ParameterInput(name: name, shape: shape, data: data)
        case .object:
            var shape: [Int]?
            var data: [Double]?
            try WireReading.object(&reader, what: "parameter \"\(name)\"") { (key, reader) throws(ServiceError) in
                switch key {
                case "shape": shape = try WireReading.shape(&reader, context: "parameter \"\(name)\"")
                case "data": data = try readData(&reader, context: "parameter \"\(name)\"", checkpoint: checkpoint)
                default: throw .unknownField("parameters.\(name).\(key)", allowed: ["shape", "data"])
                }
            }
            guard let shape else { throw .invalidParameters("parameter \"\(name)\" needs a \"shape\"") }
            return ParameterInput(name: name, shape: shape, data: data)
        default:
            throw .invalidParameters(
                "parameter \"\(name)\" must be a number, nested arrays of numbers, or {\"shape\", \"data\"}")
        }
    }

    /// `{"name": ..., "shape": [...], "data": [...]}` in the array form.
    private static func readNamed(
        index: Int, _ reader: inout JSONReader, checkpoint: Bool
    )
        throws(ServiceError) -> ParameterInput
    {
        var name: String?
        var shape: [Int]?
        var data: [Double]?
        let context = "parameters[\(index)]"
        try WireReading.object(&reader, what: context) { (key, reader) throws(ServiceError) in
            switch key {
            case "name": name = try WireReading.string(&reader, context: "\(context).name")
            case "shape": shape = try WireReading.shape(&reader, context: context)
            case "data": data = try readData(&reader, context: context, checkpoint: checkpoint)
            default: throw .unknownField("\(context).\(key)", allowed: ["name", "shape", "data"])
            }
        }
        guard let name else { throw .invalidParameters("\(context) needs a \"name\"") }
        guard let shape else { throw .invalidParameters("\(context) (\"\(name)\") needs a \"shape\"") }
        return ParameterInput(name: name, shape: shape, data: data)
    }

    private static func readData(
        _ reader: inout JSONReader, context: String, checkpoint: Bool
    )
        throws(ServiceError) -> [Double]
    {
        checkpoint
            ? try CheckpointNumbers.readFlat(&reader, context: context)
            : try WireReading.flatData(&reader, context: context)
    }
}

extension [ParameterInput] {
    /// The layout, after checking that every `data` matches its shape and is finite.
    func layout() throws(ServiceError) -> ParameterLayout {
        let layout = try ServiceError.bridging { () throws(OptimizerError) in
            try ParameterLayout(map { (name: $0.name, shape: $0.shape) })
        }
        for (input, entry) in zip(self, layout.entries) {
            guard let data = input.data else { continue }
            guard data.count == entry.count else {
                throw .invalidParameters(
                    "parameter \"\(input.name)\" has shape \(describeShape(input.shape)) (\(entry.count) elements) "
                        + "but \(data.count) data values")
            }
        }
        return layout
    }

    /// Flat initial values in the session dtype (zeros where no data was given); a value that is not
    /// finite in that dtype is a 422, except that a checkpoint's non-finite values (`CheckpointNumbers`)
    /// are restored as they are.
    func flatValues<S: WireScalar>(
        layout: ParameterLayout, as type: S.Type, checkpoint: Bool = false
    )
        throws(ServiceError) -> [S]
    {
        var values = [S](repeating: 0, count: layout.totalCount)
        for (input, entry) in zip(self, layout.entries) {
            guard let data = input.data else { continue }
            for (i, x) in data.enumerated() {
                let v = S(x)
                guard v.isFinite || (checkpoint && !x.isFinite) else {
                    throw .nonFiniteValue(
                        "parameter \"\(input.name)\" has a value at flat index \(i) that is not finite in \(S.dtype.rawValue)"
                    )
                }
                values[entry.offset + i] = v
            }
        }
        return values
    }
}
