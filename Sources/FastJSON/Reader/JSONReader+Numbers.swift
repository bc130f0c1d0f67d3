extension JSONReader {
    /// Scans the number token at `offset` (whose first byte is `-` or a digit) and returns its nearest double.
    mutating func scanNumber() throws(JSONError) -> Double {
        let start = offset
        let end = bytes.count
        let (value, next) = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> (Double, Int) in
            // This is safe: start < end, so the buffer is non-empty and has a base address.
            guard let base = buffer.baseAddress else { throw JSONError("expected a number", offset: start) }
            let r = try DecimalParser.scan(base, from: start, to: end)
            return (r.value, r.end)
        }
        offset = next
        return value
    }

    /// Reads a number as the nearest `Double` (round to nearest, ties to even), correctly rounded for any
    /// number of digits.
    ///
    /// RFC 8259 §6 grammar only: `NaN`, `Infinity`, `+1`, `.5`, `1.`, `01` and hex are malformed. A
    /// magnitude too large for binary64 (`1e309`) gives ±infinity, so check `isFinite` where that matters;
    /// one too small gives ±0 or a subnormal.
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.syntax` otherwise.
    public mutating func readDouble() throws(JSONError) -> Double {
        guard let c = nextByte(), c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 else {
            throw unexpected("a number", at: offset)
        }
        return try scanNumber()
    }

    /// Reads a number as a `Float`: the nearest double, then rounded to the nearest float (what numpy and
    /// torch do with a Python float). Magnitudes above `Float.greatestFiniteMagnitude` (after rounding) give
    /// ±infinity, so check `isFinite` where that matters.
    /// - Throws: `JSONError`: `.typeMismatch` if another kind of value is next, `.syntax` otherwise.
    public mutating func readFloat() throws(JSONError) -> Float {
        Float(try readDouble())
    }

    /// Reads a number that must be an integer representable as `Int`.
    ///
    /// Integer tokens (`-12`) are converted exactly. Tokens with a fraction or exponent are accepted when their
    /// value is integral (`3.0`, `1e3`), judged on the nearest double.
    /// - Throws: `JSONError`: `.numberOutOfRange` for a non-integral or out-of-range number (offset at the
    ///   token), `.typeMismatch` if another kind of value is next, `.syntax` otherwise.
    public mutating func readInt() throws(JSONError) -> Int {
        guard let c = nextByte(), c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 else {
            throw unexpected("an integer", at: offset)
        }
        let start = offset
        let d = try scanNumber()
        var i = start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i &+= 1 }
        var magnitude: UInt64 = 0
        var exact = true
        while i < offset {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else {
                exact = false
                break
            }
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(digit))
            if o1 || o2 {
                throw JSONError("integer out of range", offset: start, kind: .numberOutOfRange)
            }
            magnitude = s
            i &+= 1
        }
        if exact {
            if negative {
                guard magnitude <= UInt64(Int.max) &+ 1 else {
                    throw JSONError("integer out of range", offset: start, kind: .numberOutOfRange)
                }
                return Int(truncatingIfNeeded: 0 &- magnitude)
            }
            guard magnitude <= UInt64(Int.max) else {
                throw JSONError("integer out of range", offset: start, kind: .numberOutOfRange)
            }
            return Int(magnitude)
        }
        guard d == d.rounded(.towardZero), d >= -0x1p63, d < 0x1p63 else {
            throw JSONError("expected an integer, found \(d)", offset: start, kind: .numberOutOfRange)
        }
        return Int(d)
    }
}
