import FastJSON
import Foundation
import Testing

/// Decimal-to-binary conversion: every result must be glibc strtod's (correctly rounded) result, and exact
/// halfway points built with big integers must round to even.
@Suite struct DecimalParserTests {
    /// A random JSON number text with `digits` significant digits and a random point and exponent.
    static func randomNumberText(_ rng: inout SplitMix64, digits: Int, exponentRange: ClosedRange<Int>) -> String {
        var s = Bool.random(using: &rng) ? "-" : ""
        var mantissa = String(Int.random(in: 1...9, using: &rng))
        for _ in 1..<digits { mantissa += String(Int.random(in: 0...9, using: &rng)) }
        let point = Int.random(in: 0...digits, using: &rng)
        if point == 0 {
            s += "0." + String(repeating: "0", count: Int.random(in: 0...3, using: &rng)) + mantissa
        } else if point == digits {
            s += mantissa
        } else {
            s += mantissa.prefix(point) + "." + mantissa.dropFirst(point)
        }
        if Bool.random(using: &rng) {
            let e = Int.random(in: exponentRange, using: &rng)
            s += (Bool.random(using: &rng) ? "e" : "E") + (e >= 0 && Bool.random(using: &rng) ? "+" : "") + String(e)
        }
        return s
    }

    @Test func randomShortDecimalsMatchStrtod() throws {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<100_000 {
            let text = Self.randomNumberText(
                &rng, digits: Int.random(in: 1...19, using: &rng), exponentRange: -330...310)
            let expected = cStrtod(text)
            let got = try parseDouble(text)
            #expect(got.bitPattern == expected.bitPattern, "\(text)")
            if got.bitPattern != expected.bitPattern { return }
        }
    }

    @Test func typicalGradientDecimalsMatchStrtod() throws {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<100_000 {
            let text = Self.randomNumberText(&rng, digits: Int.random(in: 1...17, using: &rng), exponentRange: -12...3)
            #expect(try parseDouble(text).bitPattern == cStrtod(text).bitPattern, "\(text)")
        }
    }

    @Test func longMantissasMatchStrtod() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<30_000 {
            let text = Self.randomNumberText(
                &rng, digits: Int.random(in: 20...80, using: &rng), exponentRange: -360...330)
            #expect(try parseDouble(text).bitPattern == cStrtod(text).bitPattern, "\(text)")
        }
    }

    @Test func zerosAfterTheDecimalPointDoNotCountAsSignificantDigits() throws {
        // "0.000ddd" with up to 21 significant digits behind 0 to 30 zeros: around the 19-digit boundary.
        var rng = SplitMix64(seed: 6)
        for zeros in 0...30 {
            for digits in 15...21 {
                var text = (Bool.random(using: &rng) ? "-" : "") + "0." + String(repeating: "0", count: zeros)
                text += String(Int.random(in: 1...9, using: &rng))
                for _ in 1..<digits { text += String(Int.random(in: 0...9, using: &rng)) }
                #expect(try parseDouble(text).bitPattern == cStrtod(text).bitPattern, "\(text)")
                let withExponent = text + "e" + String(Int.random(in: -300...300, using: &rng))
                #expect(try parseDouble(withExponent).bitPattern == cStrtod(withExponent).bitPattern, "\(withExponent)")
            }
        }
    }

    @Test func floatIsTheDoubleRoundedToFloat() throws {
        // api.md: parsed to the nearest double, then rounded to the session dtype.
        var rng = SplitMix64(seed: 4)
        for _ in 0..<50_000 {
            let text = Self.randomNumberText(&rng, digits: Int.random(in: 1...25, using: &rng), exponentRange: -50...40)
            #expect(try parseFloat(text).bitPattern == Float(cStrtod(text)).bitPattern, "\(text)")
        }
    }

    /// Exact decimal text of `m * 2^e`, as `digits` + `e-N`.
    static func exactDecimal(_ m: BigUInt, binaryExponent e: Int) -> (digits: BigUInt, exponent10: Int) {
        if e >= 0 { return (m << e, 0) }
        return (m * BigUInt.pow(5, -e), e)
    }

    static func checkHalfway(_ d: Double) throws {
        // d = m * 2^e with m the 53-bit (or subnormal) integer significand.
        let bits = d.bitPattern
        let biased = Int(bits >> 52) & 0x7FF
        let fraction = bits & ((1 << 52) - 1)
        let m = biased == 0 ? fraction : fraction | (1 << 52)
        let e = (biased == 0 ? 1 : biased) - 1075
        let up = d.nextUp
        guard up.isFinite else { return }
        // The midpoint (2m + 1) * 2^(e - 1), exactly.
        let (digits, e10) = exactDecimal(BigUInt(2 * m + 1), binaryExponent: e - 1)
        let exact = "\(digits)e\(e10)"
        let even = m % 2 == 0 ? d : up
        #expect(try parseDouble(exact).bitPattern == even.bitPattern, "tie \(exact)")
        let above = "\(digits)1e\(e10 - 1)"
        #expect(try parseDouble(above).bitPattern == up.bitPattern, "above \(above)")
        let below = "\(digits * BigUInt(10) - BigUInt(1))e\(e10 - 1)"
        #expect(try parseDouble(below).bitPattern == d.bitPattern, "below \(below)")
    }

    @Test func exactHalfwayPointsRoundToEven() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            // Exponents across the whole range, subnormals included.
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            try Self.checkHalfway(d)
        }
        for d in [
            1.0, 2.0, 9007199254740992.0, 0x1p-1022, Double(bitPattern: 1), Double(bitPattern: 0x000F_FFFF_FFFF_FFFF),
            1e23, 0.1, Double(bitPattern: 3),
        ] {
            try Self.checkHalfway(d)
        }
    }

    @Test func knownHardCases() throws {
        let cases: [(String, UInt64)] = [
            ("2.2250738585072011e-308", 0x000F_FFFF_FFFF_FFFF),  // largest subnormal, famous PHP/Java hang
            ("2.2250738585072012e-308", 0x0010_0000_0000_0000),  // smallest normal
            ("9007199254740993", 0x4340_0000_0000_0000),  // 2^53 + 1 ties to 2^53
            ("9007199254740995", 0x4340_0000_0000_0002),  // 2^53 + 3 ties to 2^53 + 4
            ("9007199254740993.0000000000000000000000000001", 0x4340_0000_0000_0001),  // just above the tie
            ("1e23", 0x44B5_2D02_C7E1_4AF6),
            ("1.7976931348623157e308", 0x7FEF_FFFF_FFFF_FFFF),
            ("1.7976931348623158e308", 0x7FEF_FFFF_FFFF_FFFF),
            ("1.7976931348623159e308", 0x7FF0_0000_0000_0000),  // beyond max + half an ulp: infinity
            ("4.9406564584124654e-324", 0x0000_0000_0000_0001),
            ("2.4703282292062327e-324", 0),  // just below half the smallest subnormal
            ("2.4703282292062328e-324", 1),  // just above it
            ("1e-400", 0),
            ("1e400", 0x7FF0_0000_0000_0000),
            ("0e999999999999999999999", 0),
            ("123456789012345678901234567890e-400", 0),
            ("0.000000000000000000000000000000000000000000001e45", 0x3FF0_0000_0000_0000),
            ("1" + String(repeating: "0", count: 40) + "e-39", 0x4024_0000_0000_0000),  // 10
            ("0.1", 0x3FB9_9999_9999_999A),
            ("-0", 0x8000_0000_0000_0000),
            ("-0.0e-5", 0x8000_0000_0000_0000),
        ]
        for (text, bits) in cases {
            let got = try parseDouble(text)
            #expect(got.bitPattern == bits, "\(text) gave \(String(got.bitPattern, radix: 16))")
            #expect(got.bitPattern == cStrtod(text).bitPattern, "\(text) differs from strtod")
        }
    }

    @Test func floatOverflowIsInfinite() throws {
        // Float.greatestFiniteMagnitude = 3.40282347e38; anything rounding beyond it is infinite.
        #expect(try parseFloat("3.4028235e38") == .greatestFiniteMagnitude)
        // max + half an ulp = 3.40282356779...e38
        #expect(try parseFloat("3.40282356e38") == .greatestFiniteMagnitude)
        #expect(try parseFloat("3.4028236e38") == .infinity)
        #expect(try parseFloat("3.5e38") == .infinity)
        #expect(try parseFloat("-1e39") == -.infinity)
        #expect(try parseFloat("1e-46") == 0)
        #expect(try parseFloat("1.4e-45") == .leastNonzeroMagnitude)
    }
}
