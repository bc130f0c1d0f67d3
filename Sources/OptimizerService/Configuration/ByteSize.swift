/// Parses human-written byte sizes: a whole number of bytes, or one with a unit
/// (`KB`, `MB`, `GB`, `TB` = powers of 1000; `KiB`, `MiB`, `GiB`, `TiB` = powers of 1024).
public enum ByteSize {
    /// The number of bytes, or nil for anything else (negative, fractional, unknown unit, overflow).
    public static func parse(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let unit = text.dropFirst(digits.count).trimmingPrefixSpaces().lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}

extension Substring {
    fileprivate func trimmingPrefixSpaces() -> Substring { drop { $0 == " " } }
}
