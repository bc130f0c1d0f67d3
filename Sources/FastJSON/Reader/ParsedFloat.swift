/// A destination element type for number arrays.
protocol ParsedFloat {
    /// The value for a parsed double (rounded to nearest for `Float`).
    static func fromParsed(_ value: Double) -> Self
    /// Whether the value is finite.
    var isFinite: Bool { get }
}

extension Float: ParsedFloat {
    @inline(__always)
    static func fromParsed(_ value: Double) -> Float { Float(value) }
}

extension Double: ParsedFloat {
    @inline(__always)
    static func fromParsed(_ value: Double) -> Double { value }
}
