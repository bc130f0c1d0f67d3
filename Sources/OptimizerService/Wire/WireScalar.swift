import FastJSON
import OptimizerCore

/// A dtype's element type as the wire layer reads and writes it (`Float` or `Double`).
protocol WireScalar: EngineScalar {
    /// Reads the next JSON value's numbers into `values[start ..< start + maxCount]`.
    static func read(_ reader: inout JSONReader, into values: inout [Self], at start: Int, maxCount: Int,
                     shape: inout [Int]) throws(JSONError) -> JSONNumberArrayInfo
    /// Writes `values` as nested arrays of `shape` (a bare number for `[]`).
    static func write(_ values: ArraySlice<Self>, shape: [Int], to writer: inout JSONWriter)
    /// Rounds a parsed double to this type (what numpy and torch do with a Python float).
    init(_ value: Double)
}

extension Float: WireScalar {
    static func read(_ reader: inout JSONReader, into values: inout [Float], at start: Int, maxCount: Int,
                     shape: inout [Int]) throws(JSONError) -> JSONNumberArrayInfo {
        try reader.readNumberArray(into: &values, at: start, maxCount: maxCount, shape: &shape)
    }

    static func write(_ values: ArraySlice<Float>, shape: [Int], to writer: inout JSONWriter) {
        writer.writeNumberArray(values, shape: shape)
    }
}

extension Double: WireScalar {
    static func read(_ reader: inout JSONReader, into values: inout [Double], at start: Int, maxCount: Int,
                     shape: inout [Int]) throws(JSONError) -> JSONNumberArrayInfo {
        try reader.readNumberArray(into: &values, at: start, maxCount: maxCount, shape: &shape)
    }

    static func write(_ values: ArraySlice<Double>, shape: [Int], to writer: inout JSONWriter) {
        writer.writeNumberArray(values, shape: shape)
    }
}

/// Renders a shape as `[2, 3]`.
func describeShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

#if _endian(big)
#error("the binary wire format is little-endian IEEE 754; byte swapping is not implemented for big-endian hosts")
#endif

/// Copies a little-endian binary body into a new flat array of `count` elements.
/// The caller has checked `bytes.count == count * MemoryLayout<S>.size`.
func decodeLittleEndian<S: WireScalar>(_ bytes: [UInt8], count: Int, as type: S.Type) -> [S] {
    [S](unsafeUninitializedCapacity: count) { buffer, initialized in
        bytes.withUnsafeBytes { raw in
            // Safe: the destination has room for `count` elements, which is exactly `raw.count` bytes;
            // copying bytes (not binding memory) works whatever the source alignment.
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
        }
        initialized = count
    }
}
