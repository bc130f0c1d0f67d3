import FastJSON

/// How a checkpoint carries numbers, non-finite ones included.
///
/// JSON has no NaN or infinity, yet a session can hold them (a step that overflows, an exponential
/// schedule past `Double.greatestFiniteMagnitude`) and its checkpoint must restore it exactly. Like the
/// protobuf JSON mapping, a checkpoint writes them as the strings `"NaN"`, `"Infinity"` and
/// `"-Infinity"` wherever a number may stand (parameter data, state tensors and scalars, `last_lr`),
/// and reads them back (docs/limits.md, "Checkpoints carry every state"). Everything else stays plain
/// JSON numbers, so a finite checkpoint reads in any JSON library.
enum CheckpointNumbers {
    /// The string for a non-finite value: `"NaN"`, `"Infinity"` or `"-Infinity"`.
    static func text(nonFinite x: Double) -> String {
        x.isNaN ? "NaN" : (x < 0 ? "-Infinity" : "Infinity")
    }

    /// The value a checkpoint string stands for, or nil.
    static func value(of text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: nil
        }
    }

    /// Writes `values` as a flat array; the fast number writer unless some value is not finite.
    static func write<S: WireScalar>(_ values: ArraySlice<S>, to writer: inout JSONWriter) {
        guard values.contains(where: { !$0.isFinite }) else {
            S.write(values, shape: [values.count], to: &writer)
            return
        }
        writer.beginArray()
        for x in values { write(x, to: &writer) }
        writer.endArray()
    }

    /// Writes one value: a bare number, or its string when not finite.
    static func write<S: WireScalar>(_ x: S, to writer: inout JSONWriter) {
        if x.isFinite {
            S.write([x][...], shape: [], to: &writer)
        } else {
            writer.writeString(text(nonFinite: Double(x)))
        }
    }

    /// Writes one double: a bare number, or its string when not finite.
    static func write(_ x: Double, to writer: inout JSONWriter) {
        if x.isFinite { writer.writeDouble(x) } else { writer.writeString(text(nonFinite: x)) }
    }

    /// Reads a flat array of numbers and non-finite strings. The fast number reader runs first; only an
    /// array it refuses is read again element by element (both linear in the array's text).
    static func readFlat(_ reader: inout JSONReader, context: String) throws(ServiceError) -> [Double] {
        let start = reader
        do {
            return try WireReading.flatData(&reader, context: context)
        } catch {
            reader = start
        }
        guard try WireReading.kind(&reader) == .array else {
            throw .invalidCheckpoint("\(context): \"data\" must be a flat array of numbers")
        }
        var values: [Double] = []
        try WireReading.json(context) { () throws(JSONError) in try reader.beginArray() }
        while try WireReading.json(context, { () throws(JSONError) in try reader.nextElement() }) {
            values.append(try readScalar(&reader, context: "\(context)[\(values.count)]"))
        }
        return values
    }

    /// Reads one number or non-finite string.
    static func readScalar(_ reader: inout JSONReader, context: String) throws(ServiceError) -> Double {
        switch try WireReading.kind(&reader) {
        case .number:
            let x = try WireReading.json(context) { () throws(JSONError) in try reader.readDouble() }
            guard x.isFinite else {
                throw .invalidCheckpoint("\(context) is too large to be finite; write \"Infinity\" for infinity")
            }
            return x
        case .string:
            let text = try WireReading.json(context) { () throws(JSONError) in try reader.readString() }
            guard let x = value(of: text) else {
                throw .invalidCheckpoint(
                    "\(context) is the string \"\(text.prefix(32))\"; a number, \"NaN\", \"Infinity\" or \"-Infinity\" is expected"
                )
            }
            return x
        default:
            throw .invalidCheckpoint("\(context) must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
        }
    }
}
