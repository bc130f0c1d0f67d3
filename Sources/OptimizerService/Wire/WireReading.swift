import FastJSON
import OptimizerCore

/// Small, strict readers for the JSON members of request bodies, each failing with the 400 or 422
/// that names the member.
enum WireReading {
    /// Runs a FastJSON operation, turning its error into the service's (400 for malformed JSON).
    static func json<T>(_ context: String?, _ operation: () throws(JSONError) -> T) throws(ServiceError) -> T {
        do {
            return try operation()
        } catch {
            throw ServiceError(error, context: context)
        }
    }

    /// The kind of the next value.
    static func kind(_ reader: inout JSONReader) throws(ServiceError) -> JSONValueKind {
        try json(nil) { () throws(JSONError) in try reader.peek() }
    }

    /// Requires that nothing but whitespace follows the top-level value.
    static func finish(_ reader: inout JSONReader) throws(ServiceError) {
        try json(nil) { () throws(JSONError) in try reader.finish() }
    }

    /// Reads an object, calling `member` once per key with the reader at the member's value.
    static func object(
        _ reader: inout JSONReader, what: String,
        _ member: (String, inout JSONReader) throws(ServiceError) -> Void
    ) throws(ServiceError) {
        guard try kind(&reader) == .object else { throw .invalidField("\(what) must be a JSON object") }
        try json(nil) { () throws(JSONError) in try reader.beginObject() }
        while let key = try json(nil, { () throws(JSONError) in try reader.nextKey() }) {
            try member(key, &reader)
        }
    }

    /// Reads an array, calling `element` once per element with its index.
    static func array(
        _ reader: inout JSONReader, what: String,
        _ element: (Int, inout JSONReader) throws(ServiceError) -> Void
    ) throws(ServiceError) {
        guard try kind(&reader) == .array else { throw .invalidField("\(what) must be a JSON array") }
        try json(nil) { () throws(JSONError) in try reader.beginArray() }
        var index = 0
        while try json(nil, { () throws(JSONError) in try reader.nextElement() }) {
            try element(index, &reader)
            index += 1
        }
    }

    /// Any value, as a tree (for small members such as the optimizer spec).
    static func value(_ reader: inout JSONReader, context: String) throws(ServiceError) -> JSONValue {
        try json(context) { () throws(JSONError) in try reader.readValue() }
    }

    /// A string.
    static func string(_ reader: inout JSONReader, context: String) throws(ServiceError) -> String {
        guard try kind(&reader) == .string else { throw .invalidField("\(context) must be a string") }
        return try json(context) { () throws(JSONError) in try reader.readString() }
    }

    /// A session label: a string of at most 256 bytes, or null.
    static func optionalName(_ reader: inout JSONReader) throws(ServiceError) -> String? {
        if try json(nil, { () throws(JSONError) in try reader.readNullIfPresent() }) { return nil }
        let name = try string(&reader, context: "\"name\"")
        guard name.utf8.count <= 256 else {
            throw .invalidField("\"name\" has \(name.utf8.count) bytes; at most 256 are allowed")
        }
        return name
    }

    /// `"float32"` or `"float64"`.
    static func dtype(_ reader: inout JSONReader) throws(ServiceError) -> DType {
        let text = try string(&reader, context: "\"dtype\"")
        guard let dtype = DType(rawValue: text) else {
            throw .invalidField("\"dtype\" is \"\(text)\"; it must be \"float32\" or \"float64\"")
        }
        return dtype
    }

    /// A shape: an array of non-negative integers.
    static func shape(_ reader: inout JSONReader, context: String) throws(ServiceError) -> [Int] {
        let value = try self.value(&reader, context: context)
        guard let items = value.arrayValue else { throw .invalidParameters("\(context): \"shape\" must be an array") }
        var shape: [Int] = []
        for item in items {
            guard let d = item.doubleValue, d >= 0, d == d.rounded(), d < 9.0e15 else {
                throw .invalidParameters("\(context): shape \(value.encodedText) must hold non-negative integers")
            }
            shape.append(Int(d))
        }
        return shape
    }

    /// Numbers of a number or nested arrays, appended to `values`, with the inferred shape.
    static func numbers(
        _ reader: inout JSONReader, into values: inout [Double], shape: inout [Int],
        context: String
    ) throws(ServiceError) {
        let info = try json(context) { () throws(JSONError) in try reader.readNumberArray(into: &values, shape: &shape)
        }
        if let bad = info.firstNonFiniteIndex {
            throw .nonFiniteValue("\(context) has a value at flat index \(bad) too large to be finite")
        }
    }

    /// A flat array of numbers (`data`).
    static func flatData(_ reader: inout JSONReader, context: String) throws(ServiceError) -> [Double] {
        guard try kind(&reader) == .array else {
            throw .invalidParameters("\(context): \"data\" must be an array of numbers")
        }
        var data: [Double] = []
        var shape: [Int] = []
        try numbers(&reader, into: &data, shape: &shape, context: context)
        guard shape.count == 1 else {
            throw .invalidParameters("\(context): \"data\" must be flat (row-major); got shape \(describeShape(shape))")
        }
        return data
    }
}

extension JSONValue {
    /// The compact JSON text, for error details.
    var encodedText: String { String(decoding: encoded(), as: UTF8.self) }
}
