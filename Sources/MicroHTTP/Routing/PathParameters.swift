/// The values captured by a route's `:name` segments, in pattern order.
public struct PathParameters: Sendable, Equatable, Sequence {
    /// `(name, value)` pairs; values are the raw path segments (no percent-decoding).
    public private(set) var pairs: [(name: String, value: String)]

    /// Creates an empty set.
    public init() { pairs = [] }

    /// Creates parameters from pairs.
    public init(_ pairs: [(name: String, value: String)]) { self.pairs = pairs }

    /// The value for `name`, or nil.
    public subscript(name: String) -> String? {
        for p in pairs where p.name == name { return p.value }
        return nil
    }

    /// The number of parameters.
    public var count: Int { pairs.count }

    /// Iterates the pairs.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }

    mutating func append(name: String, value: String) { pairs.append((name, value)) }

    /// Equal when the same names map to the same values in the same order.
    public static func == (lhs: PathParameters, rhs: PathParameters) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0 == $1 }
    }
}
