/// Writes `Float` and `Double` values as the shortest JSON number text that reads back to the same value.
///
/// The digits are Schubfach's (shortest, then closest). The layout is the one Swift's `description` and
/// Python's `repr` use, so `writeDouble(x)` produces exactly the bytes of `x.description`:
/// - decimal notation when `10^-4 <= |v| <= 2^53` (binary64) or `2^24` (binary32), with at least one digit
///   after the point: `0.1`, `0.0001`, `123.0`, `16777216.0`, `-0.0`;
/// - otherwise exponential notation with a signed exponent of at least two digits: `1e-05`, `1.5e+300`,
///   `3.3554432e+07`, `5e-324`.
/// Non-finite values have no JSON form and are written as `null` (what JavaScript's `JSON.stringify` and
/// orjson do).
enum DecimalFormatter {
    /// The most bytes `write(_: Double, to:)` stores (24 for the text, rounded up for safety).
    static let maxDoubleBytes = 32
    /// The most bytes `write(_: Float, to:)` stores (15 for the text, rounded up for safety).
    static let maxFloatBytes = 24

    static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
    ]

    /// Number of decimal digits of `d >= 1`.
    @inline(__always)
    static func digitCount(_ d: UInt64) -> Int {
        let guess = ((64 &- d.leadingZeroBitCount) &* 1233) >> 12
        return guess &+ (d >= powersOfTen[guess] ? 1 : 0)
    }

    /// Writes the `n` decimal digits of `d` to `p[0 ..< n]`.
    @inline(__always)
    static func writeDigits(_ d: UInt64, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
        var v = d
        var j = n
        while v >= 100 {
            let q = v / 100
            let r = Int(truncatingIfNeeded: v &- q &* 100)
            let tens = (r &* 103) >> 10  // r / 10 for r < 100
            j &-= 2
            p[j] = UInt8(truncatingIfNeeded: 0x30 &+ tens)
            p[j &+ 1] = UInt8(truncatingIfNeeded: 0x30 &+ r &- tens &* 10)
            v = q
        }
        let r = Int(truncatingIfNeeded: v)
        if r >= 10 {
            let tens = (r &* 103) >> 10
            p[j &- 2] = UInt8(truncatingIfNeeded: 0x30 &+ tens)
            p[j &- 1] = UInt8(truncatingIfNeeded: 0x30 &+ r &- tens &* 10)
        } else {
            p[j &- 1] = UInt8(truncatingIfNeeded: 0x30 &+ r)
        }
    }

    /// Lays out `d * 10^e` (no trailing zeros in `d`) and returns the number of bytes written.
    @inline(__always)
    static func layout(
        _ d: UInt64,
        _ e: Int,
        negative: Bool,
        exponential large: Bool,
        to p: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var i = 0
        if negative {
            p[0] = UInt8(ascii: "-")
            i = 1
        }
        let n = digitCount(d)
        let dp = n &+ e  // value = 0.DIGITS * 10^dp
        if dp < -3 || large {
            writeDigits(d, count: n, to: p + (i &+ 1))
            p[i] = p[i &+ 1]
            if n > 1 {
                p[i &+ 1] = UInt8(ascii: ".")
                i &+= n &+ 1
            } else {
                i &+= 1
            }
            p[i] = UInt8(ascii: "e")
            var x = dp &- 1
            if x < 0 {
                p[i &+ 1] = UInt8(ascii: "-")
                x = -x
            } else {
                p[i &+ 1] = UInt8(ascii: "+")
            }
            i &+= 2
            if x >= 100 {
                p[i] = UInt8(truncatingIfNeeded: 0x30 &+ x / 100)
                x %= 100
                i &+= 1
            }
            let tens = (x &* 103) >> 10
            p[i] = UInt8(truncatingIfNeeded: 0x30 &+ tens)
            p[i &+ 1] = UInt8(truncatingIfNeeded: 0x30 &+ x &- tens &* 10)
            return i &+ 2
        }
        if dp <= 0 {
            p[i] = UInt8(ascii: "0")
            p[i &+ 1] = UInt8(ascii: ".")
            i &+= 2
            var z = dp
            while z < 0 {
                p[i] = UInt8(ascii: "0")
                i &+= 1
                z &+= 1
            }
            writeDigits(d, count: n, to: p + i)
            return i &+ n
        }
        if dp < n {
            writeDigits(d, count: n, to: p + (i &+ 1))
            var j = 0
            while j < dp {
                p[i &+ j] = p[i &+ j &+ 1]
                j &+= 1
            }
            p[i &+ dp] = UInt8(ascii: ".")
            return i &+ n &+ 1
        }
        writeDigits(d, count: n, to: p + i)
        i &+= n
        var z = dp &- n
        while z > 0 {
            p[i] = UInt8(ascii: "0")
            i &+= 1
            z &-= 1
        }
        p[i] = UInt8(ascii: ".")
        p[i &+ 1] = UInt8(ascii: "0")
        return i &+ 2
    }

    /// Writes `null`, `0.0` or `-0.0` for the special values; returns 0 for other values.
    @inline(__always)
    static func writeSpecial(isFinite: Bool, isZero: Bool, negative: Bool, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if !isFinite {
            p[0] = UInt8(ascii: "n")
            p[1] = UInt8(ascii: "u")
            p[2] = UInt8(ascii: "l")
            p[3] = UInt8(ascii: "l")
            return 4
        }
        if isZero {
            var i = 0
            if negative {
                p[0] = UInt8(ascii: "-")
                i = 1
            }
            p[i] = UInt8(ascii: "0")
            p[i &+ 1] = UInt8(ascii: ".")
            p[i &+ 2] = UInt8(ascii: "0")
            return i &+ 3
        }
        return 0
    }

    /// Writes `v` to `p` (which must have room for `maxDoubleBytes`) and returns the number of bytes written.
    @inline(__always)
    static func write(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let negative = v.sign == .minus
        if !v.isFinite || v == 0 {
            return writeSpecial(isFinite: v.isFinite, isZero: v == 0, negative: negative, to: p)
        }
        let (d, e) = Schubfach.decimal(v)
        return layout(d, e, negative: negative, exponential: v.magnitude > 0x1p53, to: p)
    }

    /// Writes `v` to `p` (which must have room for `maxFloatBytes`) and returns the number of bytes written.
    @inline(__always)
    static func write(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let negative = v.sign == .minus
        if !v.isFinite || v == 0 {
            return writeSpecial(isFinite: v.isFinite, isZero: v == 0, negative: negative, to: p)
        }
        let (d, e) = Schubfach.decimal(v)
        return layout(d, e, negative: negative, exponential: v.magnitude > 0x1p24, to: p)
    }
}
