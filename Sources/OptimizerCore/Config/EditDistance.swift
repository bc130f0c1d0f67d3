/// Levenshtein distance and "did you mean" suggestions for unknown names.
enum EditDistance {
    /// The Levenshtein distance between `a` and `b`, over Unicode scalars.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// The candidate nearest to `name`, if it is close enough to be a plausible typo (distance at most
    /// max(2, length / 2)); ties go to the earlier candidate.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        var best: String?
        var bestDistance = Int.max
        for candidate in candidates {
            let d = distance(name.lowercased(), candidate)
            if d < bestDistance {
                best = candidate
                bestDistance = d
            }
        }
        guard let candidate = best else { return nil }
        let limit = max(2, min(name.count, candidate.count) / 2)
        return bestDistance <= limit ? candidate : nil
    }
}
