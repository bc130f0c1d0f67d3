import FastJSON
import Foundation

/// glibc's correctly rounded `strtod`, the oracle for decimal-to-double conversion.
func cStrtod(_ text: String) -> Double {
    text.withCString { strtod($0, nil) }
}

/// Reads `text` as a single number with `JSONReader.readDouble()` and checks nothing follows.
func parseDouble(_ text: String) throws(JSONError) -> Double {
    var reader = JSONReader(text)
    let value = try reader.readDouble()
    try reader.finish()
    return value
}

/// Reads `text` as a single number with `JSONReader.readFloat()`.
func parseFloat(_ text: String) throws(JSONError) -> Float {
    var reader = JSONReader(text)
    let value = try reader.readFloat()
    try reader.finish()
    return value
}

/// The text `JSONWriter.writeDouble` produces for `value`.
func written(_ value: Double) -> String {
    var writer = JSONWriter()
    writer.writeDouble(value)
    return String(decoding: writer.bytes, as: UTF8.self)
}

/// The text `JSONWriter.writeFloat` produces for `value`.
func written(_ value: Float) -> String {
    var writer = JSONWriter()
    writer.writeFloat(value)
    return String(decoding: writer.bytes, as: UTF8.self)
}

/// The error `body` throws, or nil.
func jsonError(_ body: () throws(JSONError) -> Void) -> JSONError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}
