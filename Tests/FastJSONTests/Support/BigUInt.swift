/// A minimal arbitrary-precision unsigned integer (32-bit limbs, little-endian), used only as an independent
/// exact oracle in tests: it re-derives the power tables and builds exact decimal expansions of halfway points.
struct BigUInt: Comparable, CustomStringConvertible {
    var limbs: [UInt32]  // no trailing zero limbs; zero is []

    init(_ v: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: v), UInt32(truncatingIfNeeded: v >> 32)]
        normalize()
    }

    init(limbs: [UInt32]) {
        self.limbs = limbs
        normalize()
    }

    mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    var isZero: Bool { limbs.isEmpty }

    var bitWidth: Int {
        guard let last = limbs.last else { return 0 }
        return limbs.count * 32 - last.leadingZeroBitCount
    }

    static func pow(_ base: UInt32, _ exponent: Int) -> BigUInt {
        var r = BigUInt(1)
        for _ in 0..<exponent { r = r.multiplied(by: base) }
        return r
    }

    func multiplied(by m: UInt32) -> BigUInt {
        var out: [UInt32] = []
        out.reserveCapacity(limbs.count + 1)
        var carry: UInt64 = 0
        for l in limbs {
            let p = UInt64(l) * UInt64(m) + carry
            out.append(UInt32(truncatingIfNeeded: p))
            carry = p >> 32
        }
        out.append(UInt32(carry))
        return BigUInt(limbs: out)
    }

    static func * (a: BigUInt, b: BigUInt) -> BigUInt {
        if a.isZero || b.isZero { return BigUInt(0) }
        var out = [UInt32](repeating: 0, count: a.limbs.count + b.limbs.count)
        for i in 0..<a.limbs.count {
            var carry: UInt64 = 0
            let ai = UInt64(a.limbs[i])
            for j in 0..<b.limbs.count {
                let t = ai * UInt64(b.limbs[j]) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            out[i + b.limbs.count] = UInt32(carry)
        }
        return BigUInt(limbs: out)
    }

    static func + (a: BigUInt, b: BigUInt) -> BigUInt {
        var out: [UInt32] = []
        var carry: UInt64 = 0
        for i in 0..<max(a.limbs.count, b.limbs.count) {
            let s = UInt64(i < a.limbs.count ? a.limbs[i] : 0) + UInt64(i < b.limbs.count ? b.limbs[i] : 0) + carry
            out.append(UInt32(truncatingIfNeeded: s))
            carry = s >> 32
        }
        out.append(UInt32(carry))
        return BigUInt(limbs: out)
    }

    /// a - b, requires a >= b.
    static func - (a: BigUInt, b: BigUInt) -> BigUInt {
        precondition(a >= b)
        var out = a.limbs
        var borrow: Int64 = 0
        for i in 0..<out.count {
            var d = Int64(out[i]) - Int64(i < b.limbs.count ? b.limbs[i] : 0) - borrow
            borrow = 0
            if d < 0 {
                d += 1 << 32
                borrow = 1
            }
            out[i] = UInt32(d)
        }
        return BigUInt(limbs: out)
    }

    static func << (a: BigUInt, s: Int) -> BigUInt {
        if a.isZero { return a }
        let whole = s / 32
        let bits = UInt32(s % 32)
        var out = [UInt32](repeating: 0, count: whole)
        var carry: UInt32 = 0
        for l in a.limbs {
            out.append(bits == 0 ? l : (l << bits) | carry)
            carry = bits == 0 ? 0 : l >> (32 - bits)
        }
        out.append(carry)
        return BigUInt(limbs: out)
    }

    static func >> (a: BigUInt, s: Int) -> BigUInt {
        let whole = s / 32
        if whole >= a.limbs.count { return BigUInt(0) }
        let bits = UInt32(s % 32)
        var out: [UInt32] = []
        for i in whole..<a.limbs.count {
            let lo = a.limbs[i] >> bits
            let hi: UInt32 = (bits == 0 || i + 1 >= a.limbs.count) ? 0 : a.limbs[i + 1] << (32 - bits)
            out.append(lo | hi)
        }
        return BigUInt(limbs: out)
    }

    static func < (a: BigUInt, b: BigUInt) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
            return a.limbs[i] < b.limbs[i]
        }
        return false
    }

    /// The low 64 bits.
    var low64: UInt64 {
        (limbs.count > 0 ? UInt64(limbs[0]) : 0) | (limbs.count > 1 ? UInt64(limbs[1]) << 32 : 0)
    }

    /// Divides by a small divisor, returning (quotient, remainder).
    func divided(by d: UInt32) -> (BigUInt, UInt32) {
        var out = [UInt32](repeating: 0, count: limbs.count)
        var rem: UInt64 = 0
        for i in stride(from: limbs.count - 1, through: 0, by: -1) {
            let cur = (rem << 32) | UInt64(limbs[i])
            out[i] = UInt32(cur / UInt64(d))
            rem = cur % UInt64(d)
        }
        return (BigUInt(limbs: out), UInt32(rem))
    }

    /// Decimal digits.
    var description: String {
        if isZero { return "0" }
        var chunks: [UInt32] = []
        var v = self
        while !v.isZero {
            let (q, r) = v.divided(by: 1_000_000_000)
            chunks.append(r)
            v = q
        }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let t = String(c)
            s += String(repeating: "0", count: 9 - t.count) + t
        }
        return s
    }
}
