extension JSONWriter {
    /// Writes `values` (row-major) as nested JSON arrays of the given shape, each number as `writeFloat` does
    /// (shortest round-trip decimal, `null` for non-finite values).
    ///
    /// `shape == []` writes the single value as a bare number; `shape == nil` (the default) writes a flat
    /// array. Zero-length dimensions give empty arrays (`[2, 0]` is `[[],[]]`). Any rank is accepted (a shape of
    /// 100 000 ones writes 100 000 nested brackets): the writer is iterative and uses O(1) thread stack. Time
    /// and output are O(`values.count` + number of arrays), the latter being the sum of the shape's prefix
    /// products, which a shape with a zero-length dimension can make large (`[1 << 30, 0]`) and the caller must
    /// bound.
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
            let (a, arraysOverflow) = arrays.addingReportingOverflow(elements)
            let (m, overflow) = elements.multipliedReportingOverflow(by: dimension)
            precondition(!overflow && !arraysOverflow && a <= Int.max / 4, "shape \(shape) is too large")
            arrays = a
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
            typealias Digits = (significand: UInt64, exponent: Int)
            return withUnsafeTemporaryAllocation(of: Digits.self, capacity: Self.block) { scratch in
                if shape.count == 1 {
                    return Self.writeArrays(values, shape: shape, to: out, scratch: scratch, counters: nil)
                }
                // On the stack for small ranks; the allocation is on the heap for large ones.
                return withUnsafeTemporaryAllocation(of: Int.self, capacity: shape.count) { counters in
                    Self.writeArrays(values, shape: shape, to: out, scratch: scratch, counters: counters)
                }
            }
        }
        bytes.removeLast(bound - written)
    }

    /// Numbers are formatted in blocks of this many: first all their digits (independent computations the CPU
    /// overlaps), then their text (which depends on where the previous number ended). About 20% faster than
    /// one number at a time.
    static var block: Int { 16 }

    /// Writes the nested arrays of `shape` (rank >= 1) holding `values`, row-major; returns the bytes written.
    ///
    /// Iterative: an odometer over the shape (`counters[level]` counts the elements already written in the open
    /// array at `level`) replaces recursion, so any rank, however deep, needs O(1) thread stack; the rank only
    /// sizes `counters`. Time is O(`values.count` + number of arrays). `scratch` holds `block` digit pairs;
    /// `counters` holds `shape.count` integers (it may be `nil` for rank 1).
    static func writeArrays<T: FormattableFloat>(
        _ values: UnsafeBufferPointer<T>,
        shape: [Int],
        to out: UnsafeMutablePointer<UInt8>,
        scratch: UnsafeMutableBufferPointer<(significand: UInt64, exponent: Int)>,
        counters: UnsafeMutableBufferPointer<Int>?
    ) -> Int {
        let last = shape.count &- 1
        var level = 0
        var start = 0
        var o = 0
        descend: while true {
            // Open the array at `level`; go down to its first element if that is an array.
            out[o] = UInt8(ascii: "[")
            o &+= 1
            let n = shape[level]
            if n != 0 && level < last {
                // This is safe: counters has shape.count entries whenever last > 0.
                counters.unsafelyUnwrapped[level] = 0
                level &+= 1
                continue descend
            }
            if n == 0 {
                out[o] = UInt8(ascii: "]")
                o &+= 1
            } else {
                o &+= writeRow(values, start: start, count: n, to: out + o, scratch: scratch)
                start &+= n
                // Replace the last comma with the closing bracket.
                out[o &- 1] = UInt8(ascii: "]")
            }
            // The array at `level` is closed: advance its parents, closing every parent that ends here.
            while level > 0 {
                level &-= 1
                out[o] = UInt8(ascii: ",")
                o &+= 1
                counters.unsafelyUnwrapped[level] &+= 1
                if counters.unsafelyUnwrapped[level] < shape[level] {
                    level &+= 1
                    continue descend
                }
                out[o &- 1] = UInt8(ascii: "]")
            }
            return o
        }
    }

    /// Writes `values[start ..< start + count]` (count >= 1) each followed by a comma; returns the bytes written.
    /// `scratch` holds `block` digit pairs.
    @inline(__always)
    static func writeRow<T: FormattableFloat>(
        _ values: UnsafeBufferPointer<T>,
        start: Int,
        count n: Int,
        to out: UnsafeMutablePointer<UInt8>,
        scratch: UnsafeMutableBufferPointer<(significand: UInt64, exponent: Int)>
    ) -> Int {
        // This is safe: start + n <= values.count because the shape's product equals the count.
        let base = values.baseAddress.unsafelyUnwrapped + start
        let digits = scratch.baseAddress.unsafelyUnwrapped
        var o = 0
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
        return o
    }
}
