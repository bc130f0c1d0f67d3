/// Distance in units in the last place between two floats (0 = equal, so -0 and +0 are 0 apart;
/// `Int.max` when either is NaN).
public func ulpDistance(_ a: Float, _ b: Float) -> Int {
    if a == b { return 0 }
    if a.isNaN || b.isNaN { return Int.max }
    func ordered(_ x: Float) -> Int64 {
        let bits = Int64(Int32(bitPattern: x.bitPattern))
        return bits < 0 ? Int64(Int32.min) - bits : bits
    }
    return Int(abs(ordered(a) - ordered(b)))
}

/// Distance in units in the last place between two doubles (0 = equal; `Int.max` when either is NaN
/// or the distance does not fit).
public func ulpDistance(_ a: Double, _ b: Double) -> Int {
    if a == b { return 0 }
    if a.isNaN || b.isNaN { return Int.max }
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? Int64.min &- bits : bits
    }
    let d = ordered(a).subtractingReportingOverflow(ordered(b))
    return d.overflow
        ? Int.max : Int(d.partialValue.magnitude > UInt64(Int.max) ? UInt64(Int.max) : d.partialValue.magnitude)
}

/// `|a - b|` relative to the larger magnitude (0 when equal).
public func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b), 1e-300)
}
