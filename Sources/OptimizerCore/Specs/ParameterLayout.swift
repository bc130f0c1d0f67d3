/// The parameters of a session: names, shapes and where each lives in the flat buffer, in the order given.
///
/// Flat buffers (parameters, gradients, state tensors) hold parameter `i` at
/// `entries[i].offset ..< entries[i].offset + entries[i].count`, row-major.
public struct ParameterLayout: Sendable, Equatable {
    /// One parameter tensor.
    public struct Entry: Sendable, Equatable {
        /// The unique name (non-empty, at most 256 bytes of UTF-8).
        public var name: String
        /// The shape; `[]` is a scalar (one element).
        public var shape: [Int]
        /// Index of the first element in flat buffers.
        public var offset: Int
        /// Number of elements (product of `shape`).
        public var count: Int
    }

    /// The parameters in layout order.
    public let entries: [Entry]
    /// The total number of elements of all parameters.
    public let totalCount: Int
    private let indexByName: [String: Int]

    /// Maximum UTF-8 length of a name.
    public static let maximumNameBytes = 256

    /// Maximum number of dimensions of a shape: 32 (NumPy 1's `NPY_MAXDIMS`), so that a parameter's
    /// values as nested JSON arrays, inside a request body's two enclosing objects, stay well within the
    /// JSON reader's nesting limit of 64, and no writer or reader recurses deeper than that
    /// (docs/limits.md, "The rules").
    public static let maximumRank = 32

    /// Builds a layout from names and shapes in order.
    ///
    /// - Throws: `invalidLayout` for an empty, too long or duplicate name, more than `maximumRank`
    ///   dimensions, a negative dimension, or an element count that overflows `Int`.
    public init(_ parameters: [(name: String, shape: [Int])]) throws(OptimizerError) {
        var entries: [Entry] = []
        entries.reserveCapacity(parameters.count)
        var index: [String: Int] = [:]
        var offset = 0
        for (name, shape) in parameters {
            if name.isEmpty { throw .invalidLayout("a parameter name is empty") }
            if name.utf8.count > ParameterLayout.maximumNameBytes {
                throw .invalidLayout("parameter name \"\(name.prefix(32))...\" is longer than 256 bytes of UTF-8")
            }
            if index[name] != nil { throw .invalidLayout("parameter \"\(name)\" appears twice") }
            if shape.count > ParameterLayout.maximumRank {
                throw .invalidLayout(
                    "parameter \"\(name)\" has \(shape.count) dimensions; at most \(ParameterLayout.maximumRank) are allowed"
                )
            }
            var count = 1
            for d in shape {
                if d < 0 { throw .invalidLayout("parameter \"\(name)\" has a negative dimension \(d)") }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                if overflow { throw .invalidLayout("parameter \"\(name)\" has too many elements") }
                count = product
            }
            let (end, overflow) = offset.addingReportingOverflow(count)
            if overflow { throw .invalidLayout("the parameters have too many elements in total") }
            index[name] = entries.count
            entries.append(Entry(name: name, shape: shape, offset: offset, count: count))
            offset = end
        }
        self.entries = entries
        self.totalCount = offset
        self.indexByName = index
    }

    /// The position of parameter `name` in `entries`, or nil.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// Number of parameter tensors.
    public var count: Int { entries.count }

    /// Layouts are equal when their entries are.
    public static func == (lhs: ParameterLayout, rhs: ParameterLayout) -> Bool { lhs.entries == rhs.entries }
}
