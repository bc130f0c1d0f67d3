/// Shortest round-trip decimals for binary32 and binary64 (Giulietti's Schubfach algorithm).
///
/// For a finite, non-zero `v`, `decimal(v)` returns `(d, e)` such that `d * 10^e` is a decimal with the fewest
/// significant digits that rounds back to `v` (round to nearest, ties to even) and, among those, the one closest
/// to `v` (an exact tie picks the even `d`). `d` has no trailing zeros. This is the choice Swift's
/// `description` makes, which `ShortestDecimalTests` checks value by value.
///
/// Reference: R. Giulietti, "The Schubfach way to render doubles" (2020), as in OpenJDK's `DoubleToDecimal`,
/// without Java's two-digit minimum (`Double.MIN_VALUE` is `5e-324` here, not `4.9E-324`).
enum Schubfach {
    /// floor(q * log10(2)) for |q| <= 5_456_721.
    @inline(__always)
    static func floorLog10Pow2(_ q: Int) -> Int { (q &* 661_971_961_083) >> 41 }

    /// floor(log10(3/4 * 2^q)) for |q| <= 5_456_721.
    @inline(__always)
    static func floorLog10ThreeQuartersPow2(_ q: Int) -> Int { (q &* 661_971_961_083 &- 274_743_187_321) >> 41 }

    /// floor(e * log2(10)) for |e| <= 1_838_394.
    @inline(__always)
    static func floorLog2Pow10(_ e: Int) -> Int { (e &* 913_124_641_741) >> 38 }

    /// Removes trailing decimal zeros: `(d, e)` with `d * 10^e` unchanged.
    @inline(__always)
    static func stripZeros(_ d: UInt64, _ e: Int) -> (UInt64, Int) {
        var d = d
        var e = e
        var q = d / 10
        // Usually false, so the branch predicts well.
        while q &* 10 == d {
            d = q
            e &+= 1
            q = d / 10
        }
        return (d, e)
    }

    /// The final choice of Schubfach's skeleton, written without data-dependent branches (the outcomes are
    /// close to random for real data, so branches would mispredict often).
    ///
    /// - Parameters: `s = floor(vb / 4)`; `vb`, `vbl`, `vbr` the scaled value and interval bounds (times 4);
    ///   `out` 1 when the bounds are excluded (odd significand); `k` the decimal exponent of `s`.
    @inline(__always)
    static func choose(s: UInt64, vb: UInt64, vbl: UInt64, vbr: UInt64, out: UInt64, k: Int) -> (UInt64, Int) {
        let (d, e) = chooseUnstripped(s: s, vb: vb, vbl: vbl, vbr: vbr, out: out, k: k)
        return stripZeros(d, e)
    }

    /// `choose` before removing trailing zeros: the significand at precision 10^k or 10^(k+1).
    @inline(__always)
    static func chooseUnstripped(
        s: UInt64, vb: UInt64, vbl: UInt64, vbr: UInt64, out: UInt64, k: Int
    )
        -> (UInt64, Int)
    {
        // Flags are 0 or 1 and combined arithmetically so that the compiler emits no branches.
        @inline(__always) func flag(_ b: Bool) -> UInt64 { b ? 1 : 0 }
        // One digit shorter: at most one multiple of 10^(k+1) lies in the rounding interval; if exactly one
        // does (upin != wpin), it is s10 when upin, s10 + 1 when wpin.
        let s10 = s / 10
        let sp10 = 10 &* s10
        let upin = flag(vbl &+ out <= sp10 << 2)
        let wpin = flag(((sp10 &+ 10) << 2) &+ out <= vbr)
        let shorter = upin ^ wpin
        let short = s10 &+ wpin
        // Otherwise s or t = s + 1: the one in the interval if only one is, else the closer one to v (the even
        // one on a tie). At least one of them is always in the interval.
        let uin = flag(vbl &+ out <= s << 2)
        let win = flag(((s &+ 1) << 2) &+ out <= vbr)
        let mid = (2 &* s &+ 1) << 1
        let closerIsT = flag(vb > mid) | (flag(vb == mid) & s & 1)
        let onlyOne = uin ^ win
        let long = s &+ ((onlyOne & win) | ((onlyOne ^ 1) & closerIsT))
        let mask = 0 &- shorter
        return ((short & mask) | (long & ~mask), k &+ Int(truncatingIfNeeded: shorter))
    }

    // MARK: binary64

    /// The shortest decimal of a finite non-zero double's magnitude.
    @inline(__always)
    static func decimal(_ v: Double) -> (significand: UInt64, exponent: Int) {
        let bits = v.bitPattern
        let t = bits & ((1 << 52) &- 1)
        let bq = Int(truncatingIfNeeded: bits >> 52) & 0x7FF
        if bq != 0 {
            let mq = 1075 &- bq
            let c = (1 << 52) | t
            // Integers below 2^53: the integer itself is the shortest decimal.
            if mq > 0 && mq < 53 {
                let f = c >> UInt64(mq)
                if f << UInt64(mq) == c { return stripZeros(f, 0) }
            }
            return decimal64(q: -mq, c: c)
        }
        return decimal64(q: -1074, c: t)
    }

    /// Rounds `cp * g * 2^-127` to odd, with `g = g1 * 2^63 + g0` (Schubfach §9.9).
    @inline(__always)
    static func roundToOdd(_ g1: UInt64, _ g0: UInt64, _ cp: UInt64) -> UInt64 {
        let x1 = g0.multipliedFullWidth(by: cp).high
        let y = g1.multipliedFullWidth(by: cp)
        let z = (y.low >> 1) &+ x1
        let vbp = y.high &+ (z >> 63)
        return vbp | (((z & ((1 << 63) &- 1)) &+ ((1 << 63) &- 1)) >> 63)
    }

    @inline(__always)
    static func decimal64(q: Int, c: UInt64) -> (significand: UInt64, exponent: Int) {
        let out: UInt64 = c & 1
        let cb = c << 2
        let cbr = cb &+ 2
        let cbl: UInt64
        let k: Int
        if c != 1 << 52 || q == -1074 {
            cbl = cb &- 2
            k = floorLog10Pow2(q)
        } else {
            // At a power of two the lower neighbour is half as far away.
            cbl = cb &- 1
            k = floorLog10ThreeQuartersPow2(q)
        }
        let h = UInt64(q &+ floorLog2Pow10(-k) &+ 2)
        let index = 2 &* (k &+ 324)
        let g1 = schubfachG[index]
        let g0 = schubfachG[index &+ 1]
        let vb = roundToOdd(g1, g0, cb << h)
        let vbl = roundToOdd(g1, g0, cbl << h)
        let vbr = roundToOdd(g1, g0, cbr << h)
        return choose(s: vb >> 2, vb: vb, vbl: vbl, vbr: vbr, out: out, k: k)
    }

    // MARK: binary32

    /// The shortest decimal of a finite non-zero float's magnitude.
    ///
    /// - Parameter readThroughDouble: when `true`, the decimal is guaranteed to read back to `v` when it is
    ///   first rounded to the nearest double and then to the nearest float (how FastJSON, numpy and torch read
    ///   a float32 from JSON), not only when rounded directly to the nearest float. The two differ only when
    ///   the decimal's nearest double is exactly halfway between two floats, which an exhaustive check of all
    ///   2^32 floats (json-bench --verify-all-floats) finds for one magnitude only, 0x15AE43FD
    ///   (`7.038531e-26` reads back as its neighbour); that value gets 9 significant digits instead.
    @inline(__always)
    static func decimal(_ v: Float, readThroughDouble: Bool = false) -> (significand: UInt64, exponent: Int) {
        let bits = v.bitPattern
        let t = UInt64(bits & ((1 << 23) &- 1))
        let bq = Int(truncatingIfNeeded: bits >> 23) & 0xFF
        // Normal: c = 2^23 + t, q = bq - 150; subnormal: c = t, q = -149. One call site keeps it inlined.
        let c = bq != 0 ? (1 << 23) | t : t
        let q = bq != 0 ? bq &- 150 : -149
        if q < 0 && q > -24 {
            // Integers below 2^24: the integer itself is the shortest decimal.
            let f = c >> UInt64(-q)
            if f << UInt64(-q) == c { return stripZeros(f, 0) }
        }
        let r = decimal32(q: q, c: c, readThroughDouble: readThroughDouble)
        return r.needsCheck ? checkedThroughDouble(v, (r.significand, r.exponent)) : (r.significand, r.exponent)
    }

    /// `decimal(v, readThroughDouble: true)` for a finite non-zero `v`, except that the rare values that need
    /// the exact check of `checkedThroughDouble` come back as `nil` (so that hot loops contain no call).
    @inline(__always)
    static func decimalUnlessNearHalfway(_ v: Float) -> (significand: UInt64, exponent: Int)? {
        let bits = v.bitPattern
        let t = UInt64(bits & ((1 << 23) &- 1))
        let bq = Int(truncatingIfNeeded: bits >> 23) & 0xFF
        let c = bq != 0 ? (1 << 23) | t : t
        let q = bq != 0 ? bq &- 150 : -149
        if q < 0 && q > -24 {
            let f = c >> UInt64(-q)
            if f << UInt64(-q) == c { return stripZeros(f, 0) }
        }
        let r = decimal32(q: q, c: c, readThroughDouble: true)
        return r.needsCheck ? nil : (r.significand, r.exponent)
    }

    /// Rounds `x1 * 2^-31` (x1 = the high word of `cp * g`, so `cp * g * 2^-95`) to odd.
    @inline(__always)
    static func roundToOdd32(_ x1: UInt64) -> UInt64 {
        (x1 >> 31) | (((x1 & 0xFFFF_FFFF) &+ 0xFFFF_FFFF) >> 32)
    }

    /// Schubfach for binary32; `needsCheck` when `readThroughDouble` and the result may read back as a
    /// neighbour through the nearest double (see `checkedThroughDouble`).
    @inline(__always)
    static func decimal32(
        q: Int, c: UInt64, readThroughDouble: Bool
    )
        -> (significand: UInt64, exponent: Int, needsCheck: Bool)
    {
        let out: UInt64 = c & 1
        let cb = c << 2
        let cbr = cb &+ 2
        let cbl: UInt64
        let k: Int
        if c != 1 << 23 || q == -149 {
            cbl = cb &- 2
            k = floorLog10Pow2(q)
        } else {
            cbl = cb &- 1
            k = floorLog10ThreeQuartersPow2(q)
        }
        let h = UInt64(q &+ floorLog2Pow10(-k) &+ 33)
        // The 63-bit head of the 126-bit g, rounded up.
        let g = schubfachG[2 &* (k &+ 324)] &+ 1
        // v and the interval bounds, times 4 / 10^k, with 31 more fractional bits.
        let x = g.multipliedFullWidth(by: cb << h).high
        let xl = g.multipliedFullWidth(by: cbl << h).high
        let xr = g.multipliedFullWidth(by: cbr << h).high
        let vb = roundToOdd32(x)
        let (d, e) = chooseUnstripped(
            s: vb >> 2, vb: vb, vbl: roundToOdd32(xl), vbr: roundToOdd32(xr), out: out, k: k)
        if readThroughDouble && out == 1 {
            // Only an odd significand excludes the interval bounds, and only a decimal within half a double ulp
            // of a bound (8 to 80 units of x here) can have a nearest double exactly on it. Flag anything within
            // 1024 units (about 2^-22 of all values), then check exactly.
            let dx = (e == k ? d : d &* 10) << 33
            let near: UInt64 = 1 << 10
            if dx &- xl &+ near < 2 &* near || xr &- dx &+ near < 2 &* near {
                let (ds, es) = stripZeros(d, e)
                return (ds, es, true)
            }
        }
        let (ds, es) = stripZeros(d, e)
        return (ds, es, false)
    }

    /// `digits` if they read back to `v` through the nearest double; otherwise `v` to 9 significant digits,
    /// which always does: it is within 5e-9 relative of `v`, far inside `v`'s rounding interval (at least
    /// 2^-25 relative wide on each side), so its nearest double is too.
    static func checkedThroughDouble(_ v: Float, _ digits: (UInt64, Int)) -> (significand: UInt64, exponent: Int) {
        let x = DecimalParser.double(significand: digits.0, exponent: digits.1)
        if Float(x).bitPattern == v.magnitude.bitPattern { return digits }
        // The shortest digits of the double v (exact), rounded to 9 significant digits.
        var (d, e) = decimal(Double(v.magnitude))
        let n = DecimalFormatter.digitCount(d)
        if n > 9 {
            let p = DecimalFormatter.powersOfTen[n &- 9]
            d = (d &+ p / 2) / p
            e &+= n &- 9
            if d >= 1_000_000_000 {
                d /= 10
                e &+= 1
            }
        }
        return stripZeros(d, e)
    }
}
