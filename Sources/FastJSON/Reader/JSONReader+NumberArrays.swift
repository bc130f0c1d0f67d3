extension JSONReader {
    /// Appends the numbers of the next value to `values` in row-major order and reports its shape.
    ///
    /// The value may be a bare number (`shape == []`), a flat array (`[n]`) or nested arrays of any depth up
    /// to the reader's `maxDepth`, which must be rectangular (`[[1, 2], [3, 4]]` is `[2, 2]`; `[[], []]` is
    /// `[2, 0]`). Numbers are parsed to the nearest double and then rounded to `Float` (what numpy and torch do).
    /// The reader is iterative (no recursion over the nesting, whose bookkeeping is O(`maxDepth`)) and its time is
    /// linear in the value's length.
    /// - Parameters:
    ///   - values: the array to append to; on error it is restored to its original elements.
    ///   - shape: replaced by the value's shape (its old contents are discarded, its capacity reused).
    /// - Returns: the count and the index of the first number that overflowed to infinity in `Float`, if any.
    /// - Throws: `JSONError`: `.raggedArray` for a non-rectangular array (the message names the array's index
    ///   path, e.g. `[1]`), `.typeMismatch` for a non-number element, `.depthLimit`, or `.syntax`.
    public mutating func readNumberArray(
        into values: inout [Float], shape: inout [Int]
    ) throws(JSONError)
        -> JSONNumberArrayInfo
    {
        try appendNumbers(into: &values, shape: &shape)
    }

    /// Appends the numbers of the next value to `values`; as the `[Float]` overload, without the final
    /// rounding to `Float`. Overflow beyond `Double.greatestFiniteMagnitude` (`1e309`) gives infinity.
    public mutating func readNumberArray(
        into values: inout [Double], shape: inout [Int]
    ) throws(JSONError)
        -> JSONNumberArrayInfo
    {
        try appendNumbers(into: &values, shape: &shape)
    }

    /// Reads the numbers of the next value into `values[start ..< start + maxCount]`, row-major, never writing
    /// outside that range.
    ///
    /// All numbers are parsed and checked, but only the first `maxCount` are stored: compare the returned
    /// `count` (and `shape`) with what you expect to detect a wrong size. On error the range may have been
    /// partly overwritten. Parsing as in `readNumberArray(into:shape:)`.
    /// - Parameters:
    ///   - values: the destination; `start ..< start + maxCount` must lie within it (a precondition).
    ///   - start: index of the first element to write.
    ///   - maxCount: the most elements to write.
    ///   - shape: replaced by the value's shape.
    /// - Returns: the number of numbers in the value (may exceed `maxCount`) and the first overflow, if any.
    /// - Throws: `JSONError` as `readNumberArray(into:shape:)`.
    public mutating func readNumberArray(
        into values: inout [Float],
        at start: Int,
        maxCount: Int,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo {
        precondition(start >= 0 && maxCount >= 0 && maxCount <= values.count - start, "range outside the array")
        return try values.withUnsafeMutableBufferPointer { (all) throws(JSONError) -> JSONNumberArrayInfo in
            try readNumberArray(
                into: UnsafeMutableBufferPointer(rebasing: all[start..<start + maxCount]), shape: &shape)
        }
    }

    /// Reads the numbers of the next value into `values[start ..< start + maxCount]`; as the `[Float]`
    /// overload, without the final rounding to `Float`.
    public mutating func readNumberArray(
        into values: inout [Double],
        at start: Int,
        maxCount: Int,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo {
        precondition(start >= 0 && maxCount >= 0 && maxCount <= values.count - start, "range outside the array")
        return try values.withUnsafeMutableBufferPointer { (all) throws(JSONError) -> JSONNumberArrayInfo in
            try readNumberArray(
                into: UnsafeMutableBufferPointer(rebasing: all[start..<start + maxCount]), shape: &shape)
        }
    }

    /// Reads the numbers of the next value into `buffer`, storing at most `buffer.count` of them; as the
    /// `[Float]` range overload. Do not let `buffer` be deallocated during the call.
    public mutating func readNumberArray(
        into buffer: UnsafeMutableBufferPointer<Float>,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo {
        var sink = BufferSink<Float>(buffer: buffer, firstNonFinite: nil)
        let count = try readNumbers(into: &sink, shape: &shape)
        return JSONNumberArrayInfo(count: count, firstNonFiniteIndex: sink.firstNonFinite)
    }

    /// Reads the numbers of the next value into `buffer`, storing at most `buffer.count` of them; as the
    /// `[Double]` range overload. Do not let `buffer` be deallocated during the call.
    public mutating func readNumberArray(
        into buffer: UnsafeMutableBufferPointer<Double>,
        shape: inout [Int]
    ) throws(JSONError) -> JSONNumberArrayInfo {
        var sink = BufferSink<Double>(buffer: buffer, firstNonFinite: nil)
        let count = try readNumbers(into: &sink, shape: &shape)
        return JSONNumberArrayInfo(count: count, firstNonFiniteIndex: sink.firstNonFinite)
    }

    mutating func appendNumbers<T: ParsedFloat>(
        into values: inout [T], shape: inout [Int]
    ) throws(JSONError)
        -> JSONNumberArrayInfo
    {
        let originalCount = values.count
        var sink = AppendingSink<T>(values: [], firstNonFinite: nil)
        // Move the array into the sink so that appending does not copy it.
        swap(&values, &sink.values)
        defer { swap(&values, &sink.values) }
        do {
            let count = try readNumbers(into: &sink, shape: &shape)
            return JSONNumberArrayInfo(count: count, firstNonFiniteIndex: sink.firstNonFinite)
        } catch {
            sink.values.removeSubrange(originalCount...)
            throw error
        }
    }

    /// Skips JSON whitespace from `i`.
    @inline(__always)
    static func skipWhitespace(_ base: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end && isWhitespace(base[i]) { i &+= 1 }
        return i
    }

    /// `[i][j]...`: the index path of the array whose parents' element counters are `counts[0 ..< depth]`.
    static func indexPath(_ counts: [Int], depth: Int) -> String {
        var s = ""
        for k in 0..<depth { s += "[\(counts[k])]" }
        return s.isEmpty ? "the top level" : s
    }

    /// The error for byte `c` at `i` where an element of a number array was expected.
    func elementError(at i: Int, afterComma: Bool) -> JSONError {
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") && afterComma {
            return JSONError("a trailing comma is not allowed before ']'", offset: i)
        }
        return unexpected("a number or an array of numbers", at: i)
    }

    /// The reading core of `readNumberArray`: feeds every number of the next value to `sink` in row-major order,
    /// sets `shape`, and returns the count.
    mutating func readNumbers<S: NumberArraySink>(into sink: inout S, shape: inout [Int]) throws(JSONError) -> Int {
        skipWhitespace()
        let end = bytes.count
        guard offset < end else { throw unexpected("a number or an array of numbers", at: offset) }
        let arrayDepthLimit = maxDepth &- depth
        var i = offset
        defer { offset = i }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> Int in
            // This is safe: offset < end, so the buffer is non-empty and has a base address.
            guard let base = buffer.baseAddress else { throw JSONError("expected a number", offset: i) }
            var c = base[i]
            if c != UInt8(ascii: "[") {
                guard c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 else {
                    throw elementError(at: i, afterComma: false)
                }
                let r = try DecimalParser.scan(base, from: i, to: end)
                sink.put(r.value, index: 0)
                i = r.end
                shape.removeAll(keepingCapacity: true)
                return 1
            }
            guard arrayDepthLimit > 0 else {
                throw JSONError("nesting deeper than \(maxDepth) levels", offset: i, kind: .depthLimit)
            }
            // dims[k]: length of the arrays at depth k + 1 (-1 until the first one closes); counts[k]: elements
            // read so far in the open array at depth k + 1; rank: depth of the number arrays (-1 until known).
            var dims = [Int](repeating: -1, count: arrayDepthLimit)
            var counts = [Int](repeating: 0, count: arrayDepthLimit)
            var rank = -1
            var d = 0
            var total = 0
            // States: 0 = at '[' to open, 1 = at the first byte of an element, 2 = at ']' to close.
            var state = 0
            while true {
                switch state {
                case 0:
                    guard d < arrayDepthLimit else {
                        throw JSONError("nesting deeper than \(maxDepth) levels", offset: i, kind: .depthLimit)
                    }
                    counts[d] = 0
                    d &+= 1
                    i = Self.skipWhitespace(base, i &+ 1, end)
                    guard i < end else { throw unexpected("a number, an array or ']'", at: i) }
                    if base[i] == UInt8(ascii: "]") {
                        if rank < 0 { rank = d }
                        state = 2
                    } else {
                        state = 1
                    }
                case 1:
                    c = base[i]
                    if c == UInt8(ascii: "[") {
                        if rank >= 0 && d >= rank {
                            throw JSONError(
                                "ragged array: expected a number at \(Self.indexPath(counts, depth: d)), found an array",
                                offset: i, kind: .raggedArray)
                        }
                        state = 0
                        continue
                    }
                    guard c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 else {
                        throw elementError(at: i, afterComma: counts[d &- 1] > 0)
                    }
                    if rank < 0 {
                        rank = d
                    } else if d != rank {
                        throw JSONError(
                            "ragged array: expected an array at \(Self.indexPath(counts, depth: d)), found a number",
                            offset: i, kind: .raggedArray)
                    }
                    // The hot loop: a run of numbers separated by commas, up to the closing ']'.
                    var k = 0
                    while true {
                        let r = try DecimalParser.scan(base, from: i, to: end)
                        sink.put(r.value, index: total)
                        total &+= 1
                        k &+= 1
                        i = r.end
                        guard i < end else { throw unexpected("',' or ']'", at: i) }
                        c = base[i]
                        if c <= 0x20 {
                            i = Self.skipWhitespace(base, i, end)
                            guard i < end else { throw unexpected("',' or ']'", at: i) }
                            c = base[i]
                        }
                        if c == UInt8(ascii: ",") {
                            i &+= 1
                            guard i < end else { throw unexpected("a number", at: i) }
                            c = base[i]
                            if c <= 0x20 {
                                i = Self.skipWhitespace(base, i, end)
                                guard i < end else { throw unexpected("a number", at: i) }
                                c = base[i]
                            }
                            if c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 { continue }
                            counts[d &- 1] = k
                            if c == UInt8(ascii: "[") {
                                throw JSONError(
                                    "ragged array: expected a number at \(Self.indexPath(counts, depth: d)), found an array",
                                    offset: i, kind: .raggedArray)
                            }
                            throw elementError(at: i, afterComma: true)
                        }
                        guard c == UInt8(ascii: "]") else {
                            throw JSONError(
                                "expected ',' or ']' after an array element, found \(Self.describe(c))", offset: i)
                        }
                        break
                    }
                    counts[d &- 1] = k
                    state = 2
                default:
                    let n = counts[d &- 1]
                    if dims[d &- 1] < 0 {
                        dims[d &- 1] = n
                    } else if dims[d &- 1] != n {
                        throw JSONError(
                            "ragged array: the array at \(Self.indexPath(counts, depth: d &- 1)) has \(n) elements, "
                                + "the first array at that depth has \(dims[d &- 1])",
                            offset: i, kind: .raggedArray)
                    }
                    d &-= 1
                    i &+= 1
                    if d == 0 {
                        shape.removeAll(keepingCapacity: true)
                        shape.append(contentsOf: dims[0..<rank])
                        return total
                    }
                    counts[d &- 1] &+= 1
                    i = Self.skipWhitespace(base, i, end)
                    guard i < end else { throw unexpected("',' or ']'", at: i) }
                    c = base[i]
                    if c == UInt8(ascii: ",") {
                        i = Self.skipWhitespace(base, i &+ 1, end)
                        guard i < end else { throw unexpected("an array", at: i) }
                        state = 1
                    } else if c != UInt8(ascii: "]") {
                        throw JSONError(
                            "expected ',' or ']' after an array element, found \(Self.describe(c))", offset: i)
                    }
                }
            }
        }
    }
}
