/// What one `JSONReader.readNumberArray` call read.
///
/// The shape is reported through the call's `shape` argument; `count` is the product of its entries
/// (1 for a bare number, whose shape is `[]`).
public struct JSONNumberArrayInfo: Sendable, Hashable {
    /// Number of numbers in the JSON value, whether or not they all fitted in the destination.
    public var count: Int
    /// Index, counted from the value's first number in row-major order, of the first number that is infinite
    /// in the destination type (its magnitude overflowed: `1e39` for `Float`, `1e309` for `Double`), or `nil`
    /// when all are finite. JSON has no NaN, so infinity is the only non-finite outcome.
    public var firstNonFiniteIndex: Int?

    /// Creates a result.
    /// - Parameters:
    ///   - count: number of numbers in the value.
    ///   - firstNonFiniteIndex: index of the first number that overflowed to infinity, or `nil`.
    public init(count: Int, firstNonFiniteIndex: Int?) {
        self.count = count
        self.firstNonFiniteIndex = firstNonFiniteIndex
    }
}
