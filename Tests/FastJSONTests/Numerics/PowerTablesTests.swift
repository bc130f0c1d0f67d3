import Testing

@testable import FastJSON

/// Re-derives both generated tables with exact big-integer arithmetic (independent of the Python generator).
@Suite struct PowerTablesTests {
    static func entry(_ table: [UInt64], _ index: Int, lowBits: Int) -> BigUInt {
        (BigUInt(table[2 * index]) << lowBits) + BigUInt(table[2 * index + 1])
    }

    @Test func powersOfFiveAreNormalizedTruncationsOfFiveToTheQ() {
        #expect(powersOfFive128.count == 2 * 651)
        for q in 0...308 {
            let t = Self.entry(powersOfFive128, q + 342, lowBits: 64)
            let p = BigUInt.pow(5, q)
            let expected = p.bitWidth <= 128 ? p << (128 - p.bitWidth) : p >> (p.bitWidth - 128)
            #expect(t == expected, "q = \(q)")
        }
    }

    @Test func powersOfFiveForNegativeQAreTruncatedReciprocalsRoundedUp() {
        for q in -342 ... -1 {
            let t = Self.entry(powersOfFive128, q + 342, lowBits: 64)
            #expect(t.bitWidth == 128, "q = \(q)")
            let p = BigUInt.pow(5, -q)
            let z = p.bitWidth  // 5^n is never a power of two, so 2^z > p >= 2^(z-1)
            let b = q >= -27 ? z + 127 : 2 * z + 128
            let twoB = BigUInt(1) << b
            // t = floor(c / 2^s) for c = floor(2^b / p) + 1 and the s that makes t 128 bits wide, which holds iff
            // (t * 2^s - 1) * p <= 2^b < ((t + 1) * 2^s - 1) * p.
            let matches = (max(0, b - z - 128)...b - z - 125).contains { s in
                let lo = ((t << s) - BigUInt(1)) * p
                let hi = (((t + BigUInt(1)) << s) - BigUInt(1)) * p
                return lo <= twoB && twoB < hi
            }
            #expect(matches, "q = \(q)")
            if q >= -27 {
                // No truncation: t is exactly floor(2^b / p) + 1.
                #expect((t - BigUInt(1)) * p <= twoB && twoB < t * p, "q = \(q)")
            }
        }
    }

    @Test func schubfachGIsTheRoundedUpPowerOfTen() {
        #expect(schubfachG.count == 2 * 617)
        for k in -324...292 {
            let g = Self.entry(schubfachG, k + 324, lowBits: 63)
            #expect(schubfachG[2 * (k + 324) + 1] < 1 << 63)
            #expect(g.bitWidth == 126, "k = \(k)")  // 2^125 <= g < 2^126
            // g = floor(10^-k * 2^-r) + 1 with r = floor(log2(10^-k)) - 125: (g - 1) <= 10^-k * 2^-r < g.
            let e = -k
            let r = Schubfach.floorLog2Pow10(e) - 125
            var num = e >= 0 ? BigUInt.pow(10, e) : BigUInt(1)
            var den = e >= 0 ? BigUInt(1) : BigUInt.pow(10, -e)
            if r <= 0 { num = num << -r } else { den = den << r }
            #expect((g - BigUInt(1)) * den <= num && num < g * den, "k = \(k)")
        }
    }

    @Test func logarithmApproximationsMatchExactFloors() {
        // floor(q log10 2) and floor(e log2 10) checked with exact integer comparisons over the used ranges.
        for q in -1200...1200 {
            let k = Schubfach.floorLog10Pow2(q)
            // 10^k <= 2^q < 10^(k+1)
            let (lhs, rhs) = (q >= 0 ? BigUInt(1) << q : BigUInt(1), q >= 0 ? BigUInt(1) : BigUInt(1) << -q)
            func pow10(_ n: Int) -> (BigUInt, BigUInt) {
                n >= 0 ? (BigUInt.pow(10, n), BigUInt(1)) : (BigUInt(1), BigUInt.pow(10, -n))
            }
            let (a, b) = pow10(k)
            let (c, d) = pow10(k + 1)
            #expect(a * rhs <= lhs * b && lhs * d < c * rhs, "q = \(q)")
        }
        for e in -400...400 {
            let f = Schubfach.floorLog2Pow10(e)
            let ten = e >= 0 ? BigUInt.pow(10, e) : BigUInt(1)
            let tenDen = e >= 0 ? BigUInt(1) : BigUInt.pow(10, -e)
            // 2^f <= 10^e < 2^(f+1)
            let twoF = f >= 0 ? (BigUInt(1) << f, BigUInt(1)) : (BigUInt(1), BigUInt(1) << -f)
            let twoF1 = f + 1 >= 0 ? (BigUInt(1) << (f + 1), BigUInt(1)) : (BigUInt(1), BigUInt(1) << -(f + 1))
            #expect(twoF.0 * tenDen <= ten * twoF.1 && ten * twoF1.1 < twoF1.0 * tenDen, "e = \(e)")
        }
    }
}
