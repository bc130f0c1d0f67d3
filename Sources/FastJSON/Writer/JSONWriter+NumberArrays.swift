extension JSONWriter {
    /// Writes `values` (row-major) as nested JSON arrays of the given shape, each number as `writeFloat` does
    /// (shortest round-trip decimal, `null` for non-finite values).
    ///
    /// `shape == []` writes the single value as a bare number; `shape == nil` (the default) writes a flat
    /// array. Zero-length dimensions give empty arrays (`[2, 0]` is `[[],[]]`).
    /// - Parameters:
    ///   - values: the numbers, row-major; their count must be the product of `shape` (a precondition).
    ///   - shape: the dimensions, each >= 0, or `nil` for `[values.count]`.
    public mutating func writeNumberArray(_ values: UnsafeBufferPointer<Float>, shape: [Int]? = nil) {
        writeNumbers(values, shape: shape ?? [values.count])
    }

    /// Writes `values` as nested arrays of `shape`; as the `UnsafeBufferPointer<Float>` overload.
    public mutating func writeNumberArray(_ values: [Float], shape: [Int]? = nil) {
        values.withUnsafeBufferPointer { writeNumbers($0, shape: shape ?? [$0.count]) }
    }

    /// Writes `values` (for example `parameters[offset ..< offset + count]`) as nested arrays of `shape`; as
    /// the `UnsafeBufferPointer<Float>` overload.
    public mutating func writeNumberArray(_ values: ArraySlice<Float>, shape: [Int]? = nil) {
        values.withUnsafeBufferPointer { writeNumbers($0, shape: shape ?? [$0.count]) }
    }

    /// Writes `values` (row-major) as nested JSON arrays of the given shape, each number as `writeDouble`
    /// does; otherwise as the `Float` overload.
    public mutating func writeNumberArray(_ values: UnsafeBufferPointer<Double>, shape: [Int]? = nil) {
        writeNumbers(values, shape: shape ?? [values.count])
    }

    /// Writes `values` as nested arrays of `shape`; as the `UnsafeBufferPointer<Double>` overload.
    public mutating func writeNumberArray(_ values: [Double], shape: [Int]? = nil) {
        values.withUnsafeBufferPointer { writeNumbers($0, shape: shape ?? [$0.count]) }
    }

    /// Writes `values` as nested arrays of `shape`; as the `UnsafeBufferPointer<Double>` overload.
    public mutating func writeNumberArray(_ values: ArraySlice<Double>, shape: [Int]? = nil) {
        values.withUnsafeBufferPointer { writeNumbers($0, shape: shape ?? [$0.count]) }
    }

    mutating func writeNumbers<T: FormattableFloat>(_ values: UnsafeBufferPointer<T>, shape: [Int]) {
        // Count the elements and the arrays ('[' + ']' each); the counts are bounded by the buffer's size
        // except for shapes with zero-length dimensions, which are checked for overflow.
        var elements = 1
        var arrays = 0
        for dimension in shape {
            precondition(dimension >= 0, "negative dimension in shape \(shape)")
            arrays = arrays + elements
            let (m, overflow) = elements.multipliedReportingOverflow(by: dimension)
            precondition(!overflow, "shape \(shape) is too large")
            elements = m
        }
        precondition(elements == values.count, "shape \(shape) has \(elements) elements, the buffer \(values.count)")
        separate()
        needsComma = true
        // 8 bytes of slack: formatting may store up to 8 scratch bytes past the end of a number's text.
        let bound = values.count * (T.maxTextBytes + 1) + 3 * arrays + 8
        let oldCount = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: bound))
        let written = bytes.withUnsafeMutableBufferPointer { buffer in
            // This is safe: `bound` bytes from oldCount on are ours; every element takes at most
            // maxTextBytes + 1 (with its comma), every array at most 3 (`[]` and its comma), and the scratch
            // bytes a number may store past its text stay within the next 8 bytes.
            let out = buffer.baseAddress.unsafelyUnwrapped + oldCount
            if shape.isEmpty {
                return T.format(values[0], digits: T.digits(values[0]), to: out)
            }
            return withUnsafeTemporaryAllocation(of: (significand: UInt64, exponent: Int).self, capacity: Self.block) {
                Self.writeLevel(values, shape: shape, level: 0, start: 0, to: out, scratch: $0)
            }
        }
        bytes.removeLast(bound - written)
    }

    /// Numbers are formatted in blocks of this many: first all their digits (independent computations the CPU
    /// overlaps), then their text (which depends on where the previous number ended). About 20% faster than
    /// one number at a time.
    static var block: Int { 16 }

    /// Writes the array at `level` whose first element is `values[start]`; returns the bytes written.
    /// `scratch` holds `block` digit pairs.
    static func writeLevel<T: FormattableFloat>(
        _ values: UnsafeBufferPointer<T>,
        shape: [Int],
        level: Int,
        start: Int,
        to out: UnsafeMutablePointer<UInt8>,
        scratch: UnsafeMutableBufferPointer<(significand: UInt64, exponent: Int)>
    ) -> Int {
        let n = shape[level]
        out[0] = UInt8(ascii: "[")
        if n == 0 {
            out[1] = UInt8(ascii: "]")
            return 2
        }
        var o = 1
        if level == shape.count - 1 {
            // This is safe: start + n <= values.count because the shape's product equals the count.
            let base = values.baseAddress.unsafelyUnwrapped + start
            let digits = scratch.baseAddress.unsafelyUnwrapped
            var j = 0
            while j < n {
                let m = min(block, n &- j)
                for k in 0..<m { digits[k] = T.digits(base[j &+ k]) }
                for k in 0..<m {
                    o &+= T.format(base[j &+ k], digits: digits[k], to: out + o)
                    out[o] = UInt8(ascii: ",")
                    o &+= 1
                }
                j &+= m
            }
        } else {
            var stride = 1
            for k in (level + 1)..<shape.count { stride *= shape[k] }
            for j in 0..<n {
                o &+= writeLevel(
                    values, shape: shape, level: level + 1, start: start + j * stride, to: out + o, scratch: scratch)
                out[o] = UInt8(ascii: ",")
                o &+= 1
            }
        }
        // Replace the last comma with the closing bracket.
        out[o &- 1] = UInt8(ascii: "]")
        return o
    }
}
