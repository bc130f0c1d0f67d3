import FastJSON
import Foundation
import Testing

/// Shortest round-trip output: checked byte for byte against Swift's `description` (itself shortest and
/// closest, in the layout FastJSON documents) and by reading the text back.
@Suite struct DecimalFormatterTests {
    static func check(_ value: Float) {
        let text = written(value)
        #expect(text == value.description, "bits 0x\(String(value.bitPattern, radix: 16))")
        #expect(Float(text)?.bitPattern == value.bitPattern, "\(text) does not read back")
        #expect(text.utf8.count <= 15)
    }

    static func check(_ value: Double) {
        let text = written(value)
        #expect(text == value.description, "bits 0x\(String(value.bitPattern, radix: 16))")
        #expect(cStrtod(text).bitPattern == value.bitPattern, "\(text) does not read back")
        #expect(text.utf8.count <= 24)
    }

    @Test func randomFloatBitPatternsMatchDescription() {
        var rng = SplitMix64(seed: 11)
        var checked = 0
        while checked < 300_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard value.isFinite else { continue }
            Self.check(value)
            checked += 1
        }
    }

    @Test func randomGradientSizedFloatsMatchDescription() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<100_000 {
            Self.check(Float.random(in: -0.1...0.1, using: &rng))
        }
    }

    @Test func randomDoubleBitPatternsMatchDescription() {
        var rng = SplitMix64(seed: 13)
        var checked = 0
        while checked < 200_000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite else { continue }
            Self.check(value)
            checked += 1
        }
    }

    @Test func everyFloatSubnormalStepAndBinadeEdgeMatchesDescription() {
        // All subnormals with small significands, a stride through the rest, and both sides of every binade.
        for bits in UInt32(1)...70_000 { Self.check(Float(bitPattern: bits)) }
        for bits in stride(from: UInt32(70_000), to: 0x0080_0000, by: 97) { Self.check(Float(bitPattern: bits)) }
        for exponent in UInt32(0)...254 {
            for delta in UInt32(0)...4 {
                let low = (exponent << 23) | delta
                let high = (exponent << 23) | (0x7F_FFFF - delta)
                Self.check(Float(bitPattern: low))
                Self.check(Float(bitPattern: high))
                Self.check(-Float(bitPattern: low))
            }
        }
    }

    @Test func doubleBinadeEdgesMatchDescription() {
        for exponent in UInt64(0)...2046 {
            for delta in UInt64(0)...3 {
                Self.check(Double(bitPattern: (exponent << 52) | delta))
                Self.check(Double(bitPattern: (exponent << 52) | ((1 << 52) - 1 - delta)))
            }
        }
        for bits in UInt64(1)...5_000 { Self.check(Double(bitPattern: bits)) }
    }

    @Test func powersOfTenAndIntegersMatchDescription() {
        for e in -45...38 {
            let f = Float("1e\(e)")!
            Self.check(f)
            Self.check(f.nextUp)
            Self.check(f.nextDown)
        }
        for e in -323...308 {
            let d = Double("1e\(e)")!
            Self.check(d)
            Self.check(d.nextUp)
            Self.check(d.nextDown)
        }
        for i in 0...10_000 {
            Self.check(Float(i))
            Self.check(Double(i) * 1_000)
        }
        for f: Float in [16_777_215, 16_777_216, 16_777_218, 33_554_432, 1e7, 1e8, 0.0001, 0.00009999, 123456.79] {
            Self.check(f)
        }
        for d in [9007199254740991.0, 9007199254740992.0, 9007199254740994.0, 1e15, 1e16, 1e-4, 9.999e-5, 1e22, 1e23] {
            Self.check(d)
        }
    }

    @Test func documentedLayouts() {
        // Hand-written expectations: the format FastJSON documents (Python's repr style).
        #expect(written(Float(0.1)) == "0.1")
        #expect(written(0.1) == "0.1")
        #expect(written(Float(1)) == "1.0")
        #expect(written(-0.0) == "-0.0")
        #expect(written(Float(0)) == "0.0")
        #expect(written(Float(1e-5)) == "1e-05")
        #expect(written(0.0001) == "0.0001")
        #expect(written(1e16) == "1e+16")
        #expect(written(1.5e300) == "1.5e+300")
        #expect(written(Double.leastNonzeroMagnitude) == "5e-324")
        #expect(written(Float.leastNonzeroMagnitude) == "1e-45")
        #expect(written(Float.greatestFiniteMagnitude) == "3.4028235e+38")
        #expect(written(Float(-0.0123456)) == "-0.0123456")
        #expect(written(Float(16_777_216)) == "16777216.0")
        #expect(written(Float(33_554_432)) == "3.3554432e+07")
    }

    @Test func floatTextReadsBackThroughTheNearestDouble() throws {
        // 0x15AE43FD: its shortest decimal under direct rounding, 7.038531e-26, has a nearest double exactly
        // halfway between two floats, so reading it as a double and then a float (FastJSON, numpy, torch)
        // gives the even neighbour. FastJSON must write something that reads back.
        let v = Float(bitPattern: 0x15AE_43FD)
        #expect(v.description == "7.038531e-26")
        #expect(Float(cStrtod("7.038531e-26")).bitPattern != v.bitPattern)  // the trap, per glibc
        let text = written(v)
        #expect(try parseFloat(text).bitPattern == v.bitPattern, "\(text)")
        #expect(Float(cStrtod(text)).bitPattern == v.bitPattern, "\(text)")
        #expect(text == "7.03853069e-26")  // 9 significant digits of 7.0385306918512...e-26 (exact value)
    }

    @Test func nonFiniteValuesAreWrittenAsNull() {
        #expect(written(Double.infinity) == "null")
        #expect(written(-Double.infinity) == "null")
        #expect(written(Double.nan) == "null")
        #expect(written(Float.infinity) == "null")
        #expect(written(Float.nan) == "null")
    }
}
