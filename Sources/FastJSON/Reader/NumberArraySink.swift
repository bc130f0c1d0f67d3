/// Where `readNumbers` puts the numbers it reads, with their row-major index.
protocol NumberArraySink {
    mutating func put(_ value: Double, index: Int)
}

/// Appends to an array.
struct AppendingSink<T: ParsedFloat>: NumberArraySink {
    var values: [T]
    var firstNonFinite: Int?

    @inline(__always)
    mutating func put(_ value: Double, index: Int) {
        let t = T.fromParsed(value)
        if !t.isFinite && firstNonFinite == nil { firstNonFinite = index }
        values.append(t)
    }
}

/// Stores into a buffer, dropping (but counting) elements beyond its end.
struct BufferSink<T: ParsedFloat>: NumberArraySink {
    let buffer: UnsafeMutableBufferPointer<T>
    var firstNonFinite: Int?

    @inline(__always)
    mutating func put(_ value: Double, index: Int) {
        let t = T.fromParsed(value)
        if !t.isFinite && firstNonFinite == nil { firstNonFinite = index }
        // This is safe: index < buffer.count is checked, and buffer is the caller's live region.
        if index < buffer.count { buffer.baseAddress.unsafelyUnwrapped[index] = t }
    }
}
