/// Scans RFC 8259 number tokens and converts them to the nearest `Double` (round to nearest, ties to even).
///
/// Grammar (RFC 8259 §6): `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. Anything else (`+1`, `.5`,
/// `1.`, `01`, `0x1`, `NaN`, `Infinity`) is malformed.
///
/// Conversion, for a decimal `w * 10^q` with `w` the significant digits:
/// 1. Clinger's fast path: `w <= 2^53` and `|q| <= 22`, so `w` and `10^|q|` are exact doubles and one IEEE
///    multiplication or division rounds correctly.
/// 2. Eisel–Lemire with 128-bit powers of five (`powersOfFive128`) when `w` has at most 19 digits; for such
///    inputs it is always correct (Mushtak and Lemire, "Fast number parsing without fallback", 2023).
/// 3. More than 19 significant digits: Eisel–Lemire on the first 19 digits `w` and on `w + 1`; if both round
///    to the same double, that is the answer, otherwise the standard library's correctly rounded
///    `Double(String)` decides (rare: inputs within about 10^-19 relative of a rounding boundary).
enum DecimalParser {
    /// `10^0 ... 10^22`, all exactly representable in binary64.
    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// `10^0 ... 10^7` as integers.
    static let smallPowersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

    /// The nearest double to `w * 10^q`, for an exact significand `w` (at most 19 decimal digits).
    @inline(__always)
    static func double(significand w: UInt64, exponent q: Int) -> Double {
        if w <= 1 << 53 && q >= -22 && q <= 22 {
            // Both operands are exact, so a single correctly rounded operation gives the nearest double.
            let d = Double(w)
            return q < 0 ? d / exactPowersOfTen[-q] : d * exactPowersOfTen[q]
        }
        return Double(bitPattern: eiselLemireBits(w, q))
    }

    /// The bit pattern of the nearest non-negative double to `w * 10^q` (Eisel–Lemire, as in fast_float's
    /// `compute_float`), for any `w`; exact when `w` is the whole significand. Overflow gives +infinity and
    /// underflow +0.
    static func eiselLemireBits(_ w: UInt64, _ q: Int) -> UInt64 {
        let infinityBits: UInt64 = 0x7FF0_0000_0000_0000
        if w == 0 || q < -342 { return 0 }
        if q > 308 { return infinityBits }
        let lz = w.leadingZeroBitCount
        let wn = w << UInt64(lz)
        let index = 2 &* (q &+ 342)
        var (hi, lo) = wn.multipliedFullWidth(by: powersOfFive128[index])
        // 55 bits of precision are needed (52 + 3); when the 9 low bits of `hi` are all ones, the truncated
        // product may be off by one there, so add the second word of the power of five.
        if hi & 0x1FF == 0x1FF {
            let second = wn.multipliedFullWidth(by: powersOfFive128[index &+ 1]).high
            let (sum, overflow) = lo.addingReportingOverflow(second)
            lo = sum
            if overflow { hi &+= 1 }
        }
        let upperBit = Int(hi >> 63)
        let shift = UInt64(upperBit &+ 9)
        var mantissa = hi >> shift
        // floor(q * log2(10)) + 63 = ((152170 + 65536) * q) >> 16 + 63, for |q| <= 1400.
        var power2 = ((217_706 &* q) >> 16) &+ 63 &+ upperBit &- lz &+ 1023
        if power2 <= 0 {
            // Subnormal (or zero) result.
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa &+= mantissa & 1
            mantissa >>= 1
            // Rounding up may carry into the smallest normal exponent; the bit pattern is then still right.
            return mantissa
        }
        // Exactly halfway between two doubles is only possible for small |q| (5^q fits in 64 bits); round to
        // even in that case instead of up.
        if lo <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << shift) == hi {
            mantissa &= ~1
        }
        mantissa &+= mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << 52 {
            mantissa = 1 << 52
            power2 &+= 1
        }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF { return infinityBits }
        return UInt64(power2) << 52 | mantissa
    }

    /// The value of 8 ASCII digits loaded little-endian (first digit in the low byte).
    @inline(__always)
    static func eightDigitsValue(_ chunk: UInt64) -> UInt64 {
        var v = chunk &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        return ((v & mask) &* 0x000F_4240_0000_0064 &+ ((v >> 16) & mask) &* 0x0000_2710_0000_0001) >> 32
    }

    /// Scans one number token starting at `base[start]` (which the caller has checked is `-` or a digit
    /// and `start < end`) and returns its nearest double and the index just past the token.
    ///
    /// The token ends at the first byte that cannot continue it; the caller checks what follows.
    /// - Throws: `JSONError` (`.syntax`) with the offset of the offending byte for a malformed number.
    @inline(__always)
    static func scan(
        _ base: UnsafePointer<UInt8>,
        from start: Int,
        to end: Int
    ) throws(JSONError) -> (value: Double, end: Int) {
        var i = start
        let negative = base[i] == UInt8(ascii: "-")
        if negative {
            i &+= 1
            guard i < end else { throw JSONError("expected a digit after '-'", offset: i) }
        }
        let digitsStart = i
        var w: UInt64 = 0
        var c = base[i]
        if c == UInt8(ascii: "0") {
            i &+= 1
            if i < end && base[i] &- UInt8(ascii: "0") < 10 {
                throw JSONError("a number must not have leading zeros", offset: i)
            }
        } else if c &- UInt8(ascii: "1") < 9 {
            repeat {
                w = w &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
                i &+= 1
                guard i < end else { break }
                c = base[i]
            } while c &- UInt8(ascii: "0") < 10
        } else {
            throw JSONError(negative ? "expected a digit after '-'" : "expected a number", offset: i)
        }
        var digitCount = i &- digitsStart
        var exponent = 0
        var mantissaEnd = i
        var fractionStart = -1
        if i < end && base[i] == UInt8(ascii: ".") {
            i &+= 1
            fractionStart = i
            var finished = false
            // This is safe: the loop reads base[i ..< i + 8] only while i + 8 <= end.
            while end &- i >= 8 {
                let chunk = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                // High bit of each byte that is not a digit; only the lowest one matters, and it is exact
                // because digits below it cause no carries or borrows.
                let nonDigits =
                    ((chunk &+ 0x4646_4646_4646_4646) | (chunk &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
                if nonDigits == 0 {
                    w = w &* 100_000_000 &+ eightDigitsValue(chunk)
                    i &+= 8
                    continue
                }
                // k < 8 leading digits: move them to the top bytes and fill the bottom with '0's.
                let k = nonDigits.trailingZeroBitCount >> 3
                if k > 0 {
                    let padded = (chunk << UInt64(8 &* (8 &- k))) | (0x3030_3030_3030_3030 >> UInt64(8 &* k))
                    w = w &* smallPowersOfTen[k] &+ eightDigitsValue(padded)
                    i &+= k
                }
                finished = true
                break
            }
            while !finished && i < end {
                let d = base[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                w = w &* 10 &+ UInt64(d)
                i &+= 1
            }
            let fractionDigits = i &- fractionStart
            if fractionDigits == 0 { throw JSONError("expected a digit after '.'", offset: i) }
            digitCount &+= fractionDigits
            exponent = -fractionDigits
            mantissaEnd = i
        }
        if i < end && base[i] | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            var exponentNegative = false
            if i < end && (base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+")) {
                exponentNegative = base[i] == UInt8(ascii: "-")
                i &+= 1
            }
            guard i < end && base[i] &- UInt8(ascii: "0") < 10 else {
                throw JSONError("expected a digit in the exponent", offset: i)
            }
            var e = 0
            repeat {
                // Saturate: 10^(±2^40) is far outside binary64 whatever the significand's length.
                if e < 1 << 40 { e = e &* 10 &+ Int(base[i] &- UInt8(ascii: "0")) }
                i &+= 1
            } while i < end && base[i] &- UInt8(ascii: "0") < 10
            exponent &+= exponentNegative ? -e : e
        }
        var value: Double
        if digitCount <= 19 {
            value = double(significand: w, exponent: exponent)
        } else if fractionStart >= 0 && base[digitsStart] == UInt8(ascii: "0")
            && digitCount &- 1 &- leadingZeros(base, from: fractionStart, to: mantissaEnd) <= 19
        {
            // "0.000ddd" (typical float64 text): the zeros are not significant, and w is exact.
            value = double(significand: w, exponent: exponent)
        } else {
            value = manyDigits(
                base, digitsStart: digitsStart, mantissaEnd: mantissaEnd, tokenEnd: i, exponent: exponent)
        }
        if negative { value = -value }
        return (value, i)
    }

    /// Number of '0' bytes from `i` (before `end`).
    @inline(__always)
    static func leadingZeros(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var i = start
        // This is safe: reads base[i ..< i + 8] only when i + 8 <= end.
        while end &- i >= 8 {
            let chunk = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let zeros = (chunk ^ 0x3030_3030_3030_3030).trailingZeroBitCount >> 3
            i &+= zeros
            if zeros < 8 { return i &- start }
        }
        while i < end && base[i] == UInt8(ascii: "0") { i &+= 1 }
        return i &- start
    }

    /// The slow path of `scan` for more than 19 digits (counting leading zeros).
    ///
    /// - Parameters:
    ///   - exponent: the decimal exponent of the last mantissa digit.
    static func manyDigits(
        _ base: UnsafePointer<UInt8>,
        digitsStart: Int,
        mantissaEnd: Int,
        tokenEnd: Int,
        exponent: Int
    ) -> Double {
        var i = digitsStart
        // Skip leading zeros and the point; they carry no significance.
        while i < mantissaEnd && (base[i] == UInt8(ascii: "0") || base[i] == UInt8(ascii: ".")) { i &+= 1 }
        var w: UInt64 = 0
        var taken = 0
        while i < mantissaEnd && taken < 19 {
            let c = base[i]
            if c != UInt8(ascii: ".") {
                w = w &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
                taken &+= 1
            }
            i &+= 1
        }
        var dropped = 0
        var droppedNonZero = false
        while i < mantissaEnd {
            let c = base[i]
            if c != UInt8(ascii: ".") {
                dropped &+= 1
                if c != UInt8(ascii: "0") { droppedNonZero = true }
            }
            i &+= 1
        }
        let q = exponent &+ dropped
        if !droppedNonZero { return double(significand: w, exponent: q) }
        // The true value lies strictly between w * 10^q and (w + 1) * 10^q.
        let low = eiselLemireBits(w, q)
        if low == eiselLemireBits(w &+ 1, q) { return Double(bitPattern: low) }
        let text = String(
            decoding: UnsafeBufferPointer(start: base + digitsStart, count: tokenEnd &- digitsStart), as: UTF8.self)
        // The token was checked against the RFC 8259 grammar, which `Double(_:)` accepts; it rounds correctly.
        return Double(text) ?? Double(bitPattern: low)
    }
}
