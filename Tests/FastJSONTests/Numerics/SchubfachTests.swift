import Foundation
import Testing

@testable import FastJSON

/// The definition of "shortest", checked with the C library's correctly rounded strtof/strtod and no reference
/// to Swift's own formatting: `d * 10^e` reads back to `v`, `d` has no trailing zeros, and neither multiple of
/// 10^(e+1) around `v` (the only candidates with fewer digits) reads back to `v`.
@Suite struct SchubfachTests {
    static func readsBack(_ d: UInt64, _ e: Int, as v: Float) -> Bool {
        "\(d)e\(e)".withCString { strtof($0, nil) }.bitPattern == v.bitPattern
    }

    static func readsBack(_ d: UInt64, _ e: Int, as v: Double) -> Bool {
        "\(d)e\(e)".withCString { strtod($0, nil) }.bitPattern == v.bitPattern
    }

    @Test func floatDigitsAreShortestAndReadBack() {
        var rng = SplitMix64(seed: 51)
        var checked = 0
        while checked < 100_000 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7FFF_FFFF)
            guard v.isFinite && v > 0 else { continue }
            let (d, e) = Schubfach.decimal(v)
            #expect(Self.readsBack(d, e, as: v), "\(v): \(d)e\(e)")
            #expect(d % 10 != 0, "\(v): \(d)e\(e) has a trailing zero")
            #expect(
                !Self.readsBack(d / 10, e + 1, as: v) && !Self.readsBack(d / 10 + 1, e + 1, as: v),
                "\(v): \(d)e\(e) is not shortest")
            checked += 1
        }
    }

    @Test func doubleDigitsAreShortestAndReadBack() {
        var rng = SplitMix64(seed: 52)
        var checked = 0
        while checked < 100_000 {
            let v = Double(bitPattern: rng.next() & 0x7FFF_FFFF_FFFF_FFFF)
            guard v.isFinite && v > 0 else { continue }
            let (d, e) = Schubfach.decimal(v)
            #expect(Self.readsBack(d, e, as: v), "\(v): \(d)e\(e)")
            #expect(d % 10 != 0, "\(v): \(d)e\(e) has a trailing zero")
            #expect(
                !Self.readsBack(d / 10, e + 1, as: v) && !Self.readsBack(d / 10 + 1, e + 1, as: v),
                "\(v): \(d)e\(e) is not shortest")
            checked += 1
        }
    }

    @Test func readThroughDoubleDigitsReadBackThroughTheNearestDouble() {
        var rng = SplitMix64(seed: 53)
        var checked = 0
        while checked < 100_000 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7FFF_FFFF)
            guard v.isFinite && v > 0 else { continue }
            let (d, e) = Schubfach.decimal(v, readThroughDouble: true)
            #expect(Float("\(d)e\(e)".withCString { strtod($0, nil) }).bitPattern == v.bitPattern, "\(v): \(d)e\(e)")
            checked += 1
        }
        // The known trap gets 9 digits.
        #expect(Schubfach.decimal(Float(bitPattern: 0x15AE_43FD)) == (7_038_531, -32))
        #expect(Schubfach.decimal(Float(bitPattern: 0x15AE_43FD), readThroughDouble: true) == (703_853_069, -34))
    }

    @Test func extremesAreShortest() {
        // Hand-known shortest forms.
        #expect(Schubfach.decimal(Double.leastNonzeroMagnitude) == (5, -324))
        #expect(Schubfach.decimal(Float.leastNonzeroMagnitude) == (1, -45))
        #expect(Schubfach.decimal(Double.greatestFiniteMagnitude) == (17_976_931_348_623_157, 292))
        #expect(Schubfach.decimal(Float.greatestFiniteMagnitude) == (34_028_235, 31))
        #expect(Schubfach.decimal(Float(0.1)) == (1, -1))
        #expect(Schubfach.decimal(1e23) == (1, 23))
        #expect(Schubfach.decimal(Float(16_777_216)) == (16_777_216, 0))
        #expect(Schubfach.decimal(Double(1 << 53)) == (9_007_199_254_740_992, 0))
    }
}
