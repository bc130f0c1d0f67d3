/// Writes `Float` and `Double` values as the shortest JSON number text that reads back to the same value.
///
/// The digits are Schubfach's (shortest, then closest). For `Float` they must also read back through the
/// nearest double (how FastJSON, numpy and torch read float32 JSON), which differs from direct rounding for one
/// float32 magnitude only (0x15AE43FD: `7.038531e-26` reads back as its neighbour; found by the exhaustive
/// check of all 2^32 floats in json-bench), written with 9 significant digits instead. The layout is the one
/// Swift's `description` and Python's `repr` use, so `writeDouble(x)` produces exactly the bytes of
/// `x.description`, and `writeFloat(x)` too except for that value:
/// - decimal notation when `10^-4 <= |v| <= 2^53` (binary64) or `2^24` (binary32), with at least one digit
///   after the point: `0.1`, `0.0001`, `123.0`, `16777216.0`, `-0.0`;
/// - otherwise exponential notation with a signed exponent of at least two digits: `1e-05`, `1.5e+300`,
///   `3.3554432e+07`, `5e-324`.
/// Non-finite values have no JSON form and are written as `null` (what JavaScript's `JSON.stringify` and
/// orjson do).
enum DecimalFormatter {
    /// The most bytes `write(_: Double, to:)` may store: 24 for the text plus 8 of scratch (`writeDigits`).
    static let maxDoubleBytes = 32
    /// The most bytes `write(_: Float, to:)` may store: 15 for the text plus 8 of scratch (`writeDigits`).
    static let maxFloatBytes = 23

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

    /// The 8 ASCII digits of `v < 10^8` (leading zeros included), first digit in the low byte, computed in
    /// parallel lanes: two 4-digit halves, then 2-digit pairs, then digits.
    @inline(__always)
    static func eightDigits(_ v: UInt64) -> UInt64 {
        let high = v / 10_000
        var x = high | ((v &- high &* 10_000) << 32)
        // Each 32-bit lane x < 10^4: x / 100 = (x * 5243) >> 19.
        let q = ((x &* 5243) >> 19) & 0x0000_007F_0000_007F
        x = ((x &- q &* 100) << 16) | q
        // Each 16-bit lane x < 100: x / 10 = (x * 103) >> 10.
        let t = ((x &* 103) >> 10) & 0x000F_000F_000F_000F
        x = ((x &- t &* 10) << 8) | t
        return x | 0x3030_3030_3030_3030
    }

    /// Stores 8 bytes (little-endian) at `p`.
    @inline(__always)
    static func store8(_ x: UInt64, _ p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: x.littleEndian, as: UInt64.self)
    }

    /// Writes the `n` decimal digits of `d` (`n == digitCount(d)`, at most 20) to `p[0 ..< n]`.
    ///
    /// May store bytes up to `p[max(n, 8) - 1]`; bytes after the `n` digits are scratch.
    @inline(__always)
    static func writeDigits(_ d: UInt64, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
        if n <= 8 {
            store8(eightDigits(d) >> UInt64(8 &* (8 &- n)), p)
        } else if n <= 16 {
            let high = d / 100_000_000
            store8(eightDigits(high) >> UInt64(8 &* (16 &- n)), p)
            store8(eightDigits(d &- high &* 100_000_000), p + (n &- 8))
        } else {
            // 17 to 20 digits: a head of 1 to 4 digits, then two blocks of 8.
            let head = d / 10_000_000_000_000_000
            var rest = d &- head &* 10_000_000_000_000_000
            var h = head
            var j = n &- 16
            while j > 0 {
                j &-= 1
                p[j] = UInt8(truncatingIfNeeded: 0x30 &+ h % 10)
                h /= 10
            }
            let middle = rest / 100_000_000
            rest &-= middle &* 100_000_000
            store8(eightDigits(middle), p + (n &- 16))
            store8(eightDigits(rest), p + (n &- 8))
        }
    }

    /// Writes the `n` digits of `d < 10^9` (`n == digitCount(d)`) to `p[0 ..< n]` without branches on `n`;
    /// may store up to `p[8]`.
    @inline(__always)
    static func writeDigitsUpTo9(_ d: UInt64, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
        let first = d / 100_000_000
        let low = eightDigits(d &- first &* 100_000_000)
        // For n == 9 the first digit goes to p[0] and the eight others after it; for n <= 8 the store below
        // starts at p[0] and overwrites it.
        p[0] = UInt8(truncatingIfNeeded: 0x30 &+ first)
        let m = n &- (n > 8 ? 1 : 0)
        store8(low >> UInt64(8 &* (8 &- m)), p + (n &- m))
    }

    /// Writes the `n` digits of `d < 10^17` (`n == digitCount(d)`) to `p[0 ..< n]` without branches on `n`;
    /// may store up to `p[15]`.
    @inline(__always)
    static func writeDigitsUpTo17(_ d: UInt64, count n: Int, to p: UnsafeMutablePointer<UInt8>) {
        let head = d / 10_000_000_000_000_000
        let rest = d &- head &* 10_000_000_000_000_000
        let middle = rest / 100_000_000
        // The 16 digits of `rest` in memory order: the middle block in the low 8 bytes, then the low block.
        let block = UInt128(eightDigits(rest &- middle &* 100_000_000)) << 64 | UInt128(eightDigits(middle))
        p[0] = UInt8(truncatingIfNeeded: 0x30 &+ head)
        let m = n &- (n > 16 ? 1 : 0)
        UnsafeMutableRawPointer(p + (n &- m)).storeBytes(
            of: (block >> UInt128(8 &* (16 &- m))).littleEndian, as: UInt128.self)
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
        // Branch-free sign: the byte is overwritten when the value is positive.
        p[0] = UInt8(ascii: "-")
        var i = negative ? 1 : 0
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
            // "0.000000" in one store, then the digits after -dp (at most 3) zeros.
            store8(0x3030_3030_3030_2E30, p + i)
            i &+= 2 &- dp
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

    /// Schubfach's digits of a finite non-zero `v`, or `(0, 0)` for zero and non-finite values.
    @inline(__always)
    static func digits(_ v: Double) -> (significand: UInt64, exponent: Int) {
        v.isFinite && v != 0 ? Schubfach.decimal(v) : (0, 0)
    }

    /// Schubfach's digits of a finite non-zero `v`, or `(0, 0)` for zero and non-finite values; guaranteed to
    /// read back to `v` through the nearest double (see `Schubfach.decimal(_:readThroughDouble:)`).
    ///
    /// The rare values that need an exact check come back as `(0, Int.min)`; `write(_:digits:to:)` resolves
    /// them, which keeps the check's call out of the loop that computes digits.
    @inline(__always)
    static func digits(_ v: Float) -> (significand: UInt64, exponent: Int) {
        guard v.isFinite && v != 0 else { return (0, 0) }
        return Schubfach.decimalUnlessNearHalfway(v) ?? (0, Int.min)
    }

    /// Writes `v` to `p` (which must have room for `maxDoubleBytes`) and returns the number of bytes written.
    @inline(__always)
    static func write(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        write(v, digits: digits(v), to: p)
    }

    /// Writes `v` to `p` (which must have room for `maxFloatBytes`) and returns the number of bytes written.
    @inline(__always)
    static func write(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
        write(v, digits: digits(v), to: p)
    }

    /// Writes `v`, whose `digits(v)` are given, to `p` (room for `maxDoubleBytes`); returns the bytes written.
    @inline(__always)
    static func write(
        _ v: Double, digits: (significand: UInt64, exponent: Int), to p: UnsafeMutablePointer<UInt8>
    )
        -> Int
    {
        let negative = v.sign == .minus
        let (d, e) = digits
        if d == 0 {
            return writeSpecial(isFinite: v.isFinite, isZero: v == 0, negative: negative, to: p)
        }
        let n = digitCount(d)
        let dp = n &+ e
        if dp <= 0 && dp >= -3 {
            // 1e-4 <= |v| < 1: "0.000" then the digits, as for Float.
            p[0] = UInt8(ascii: "-")
            let i = negative ? 1 : 0
            store8(0x3030_3030_3030_2E30, p + i)
            let start = i &+ 2 &- dp
            writeDigitsUpTo17(d, count: n, to: p + start)
            return start &+ n
        }
        return layout(d, e, negative: negative, exponential: v.magnitude > 0x1p53, to: p)
    }

    /// Writes `v`, whose `digits(v)` are given, to `p` (room for `maxFloatBytes`); returns the bytes written.
    @inline(__always)
    static func write(
        _ v: Float, digits: (significand: UInt64, exponent: Int), to p: UnsafeMutablePointer<UInt8>
    )
        -> Int
    {
        let negative = v.sign == .minus
        var (d, e) = digits
        if e == Int.min {
            (d, e) = Schubfach.decimal(v, readThroughDouble: true)
        } else if d == 0 {
            return writeSpecial(isFinite: v.isFinite, isZero: v == 0, negative: negative, to: p)
        }
        let n = digitCount(d)
        let dp = n &+ e
        if dp <= 0 && dp >= -3 {
            // 1e-4 <= |v| < 1, the usual case for gradients and weights: "0.000" then the digits.
            p[0] = UInt8(ascii: "-")
            let i = negative ? 1 : 0
            store8(0x3030_3030_3030_2E30, p + i)
            let start = i &+ 2 &- dp
            writeDigitsUpTo9(d, count: n, to: p + start)
            return start &+ n
        }
        return layout(d, e, negative: negative, exponential: v.magnitude > 0x1p24, to: p)
    }
}
