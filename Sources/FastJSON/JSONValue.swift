/// A generic JSON value, for the small, loosely structured parts of a document (optimizer specs).
///
/// Objects keep their members in document order, duplicates included: `{"a": 1, "a": 2}` is
/// `.object([("a", 1), ("a", 2)])`, and it is the caller's decision what a duplicate means. Numbers are the
/// nearest `Double` to the decimal text (integers above 2^53 lose precision; use `JSONReader.readInt()` where
/// exactness matters). Large number arrays should be read with `JSONReader.readNumberArray`, not as values.
///
/// Nesting: parsing, `==` and `encoded()` work with explicit stacks, so their thread stack use does not grow with
/// depth. Parsed values nest at most the reader's `maxDepth` (at most 1024) deep, which also bounds the
/// recursion of Swift's own destruction of a value; values built in code should stay within that too.
public enum JSONValue: Sendable, Equatable {
    /// `null`
    case null
    /// `true` or `false`
    case bool(Bool)
    /// A number, as the nearest double (may be infinite if the text's magnitude overflows, `1e999`).
    case number(Double)
    /// A string, unescaped.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object's members in document order, duplicate keys kept.
    case object([(key: String, value: JSONValue)])

    /// Structural equality; object members are compared in order, and numbers with `==` (so `0.0 == -0.0`).
    ///
    /// Iterative (a work list of pairs still to compare), so any nesting depth needs O(1) thread stack; time is
    /// linear in the size of the smaller value.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        var pending: [(JSONValue, JSONValue)] = [(lhs, rhs)]
        while let (l, r) = pending.popLast() {
            switch (l, r) {
            case (.null, .null): continue
            case (.bool(let a), .bool(let b)): if a != b { return false }
            case (.number(let a), .number(let b)): if a != b { return false }
            case (.string(let a), .string(let b)): if a != b { return false }
            case (.array(let a), .array(let b)):
                guard a.count == b.count else { return false }
                pending.append(contentsOf: zip(a, b))
            case (.object(let a), .object(let b)):
                guard a.count == b.count else { return false }
                for (x, y) in zip(a, b) {
                    guard x.key == y.key else { return false }
                    pending.append((x.value, y.value))
                }
            default: return false
            }
        }
        return true
    }

    /// Parses a complete document: one value, with only whitespace around it.
    /// - Parameters:
    ///   - bytes: the UTF-8 document.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted (default 64).
    /// - Throws: `JSONError` for anything that is not exactly one RFC 8259 value.
    public init(parsing bytes: [UInt8], maxDepth: Int = 64) throws(JSONError) {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        self = try reader.readValue()
        try reader.finish()
    }

    /// The kind of this value.
    public var kind: JSONValueKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// The value of the first member named `key` if this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The number, if this is `.number`.
    public var doubleValue: Double? {
        if case .number(let x) = self { return x }
        return nil
    }

    /// The string, if this is `.string`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean, if this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements, if this is `.array`.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members in document order, if this is `.object`.
    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this is `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The compact JSON text of this value (see `JSONWriter.writeValue(_:)`).
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.writeValue(self)
        return writer.bytes
    }
}
