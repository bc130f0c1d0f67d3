/// An element type that `writeNumberArray` can format.
protocol FormattableFloat {
    /// The longest text `DecimalFormatter.write` produces for this type.
    static var maxTextBytes: Int { get }
    /// The shortest decimal digits of a finite non-zero value, `(0, 0)` otherwise.
    static func digits(_ value: Self) -> (significand: UInt64, exponent: Int)
    /// Writes the shortest round-trip text (or `null`) of a value whose `digits` are given; returns its length.
    static func format(
        _ value: Self,
        digits: (significand: UInt64, exponent: Int),
        to p: UnsafeMutablePointer<UInt8>
    ) -> Int
}

extension Float: FormattableFloat {
    /// `-1.1754944e-38`, `-0.00012345678`: 15 bytes.
    static var maxTextBytes: Int { 15 }

    @inline(__always)
    static func digits(_ value: Float) -> (significand: UInt64, exponent: Int) {
        DecimalFormatter.digits(value)
    }

    @inline(__always)
    static func format(
        _ value: Float,
        digits: (significand: UInt64, exponent: Int),
        to p: UnsafeMutablePointer<UInt8>
    ) -> Int {
        DecimalFormatter.write(value, digits: digits, to: p)
    }
}

extension Double: FormattableFloat {
    /// `-2.2250738585072014e-308`: 24 bytes.
    static var maxTextBytes: Int { 24 }

    @inline(__always)
    static func digits(_ value: Double) -> (significand: UInt64, exponent: Int) {
        DecimalFormatter.digits(value)
    }

    @inline(__always)
    static func format(
        _ value: Double,
        digits: (significand: UInt64, exponent: Int),
        to p: UnsafeMutablePointer<UInt8>
    ) -> Int {
        DecimalFormatter.write(value, digits: digits, to: p)
    }
}
