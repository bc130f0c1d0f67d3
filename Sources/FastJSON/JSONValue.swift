/// A generic JSON value, for the small, loosely structured parts of a document (optimizer specs).
///
/// Objects keep their members in document order, duplicates included: `{"a": 1, "a": 2}` is
/// `.object([("a", 1), ("a", 2)])`, and it is the caller's decision what a duplicate means. Numbers are the
/// nearest `Double` to the decimal text (integers above 2^53 lose precision; use `JSONReader.readInt()` where
/// exactness matters). Large number arrays should be read with `JSONReader.readNumberArray`, not as values.
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
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
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
