import FastJSON
import Foundation
import Testing

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

/// The `JSONError` `body` throws, or nil if it returns; any other error is recorded as a test failure.
func jsonError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> JSONError? {
    do {
        try body()
        return nil
    } catch let error as JSONError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
