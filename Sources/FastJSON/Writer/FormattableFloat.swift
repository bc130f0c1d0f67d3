/// An element type that `writeNumberArray` can format.
protocol FormattableFloat {
    /// The longest text `DecimalFormatter.write` produces for this type.
    static var maxTextBytes: Int { get }
    /// Writes the shortest round-trip text (or `null`) and returns its length.
    static func format(_ value: Self, to p: UnsafeMutablePointer<UInt8>) -> Int
}

extension Float: FormattableFloat {
    /// `-1.1754944e-38`, `-0.00012345678`: 15 bytes.
    static var maxTextBytes: Int { 15 }
    @inline(__always)
    static func format(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
        DecimalFormatter.write(value, to: p)
    }
}

extension Double: FormattableFloat {
    /// `-2.2250738585072014e-308`: 24 bytes.
    static var maxTextBytes: Int { 24 }
    @inline(__always)
    static func format(_ value: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        DecimalFormatter.write(value, to: p)
    }
}
