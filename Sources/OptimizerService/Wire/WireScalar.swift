import FastJSON
import OptimizerCore

/// A dtype's element type as the wire layer reads and writes it (`Float` or `Double`).
protocol WireScalar: EngineScalar {
    /// Reads the next JSON value's numbers into `values[start ..< start + maxCount]`.
    static func read(
        _ reader: inout JSONReader, into values: inout [Self], at start: Int, maxCount: Int,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo
    /// Writes `values` as nested arrays of `shape` (a bare number for `[]`).
    static func write(_ values: ArraySlice<Self>, shape: [Int], to writer: inout JSONWriter)
    /// Rounds a parsed double to this type (what numpy and torch do with a Python float).
    init(_ value: Double)
}

extension Float: WireScalar {
    static func read(
        _ reader: inout JSONReader, into values: inout [Float], at start: Int, maxCount: Int,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo {
        try reader.readNumberArray(into: &values, at: start, maxCount: maxCount, shape: &shape)
    }

    static func write(_ values: ArraySlice<Float>, shape: [Int], to writer: inout JSONWriter) {
        writer.writeNumberArray(values, shape: shape)
    }
}

extension Double: WireScalar {
    static func read(
        _ reader: inout JSONReader, into values: inout [Double], at start: Int, maxCount: Int,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo {
        try reader.readNumberArray(into: &values, at: start, maxCount: maxCount, shape: &shape)
    }

    static func write(_ values: ArraySlice<Double>, shape: [Int], to writer: inout JSONWriter) {
        writer.writeNumberArray(values, shape: shape)
    }
}
