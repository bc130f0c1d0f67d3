/// The kind of the next JSON value, as reported by `JSONReader.peek()` without consuming it.
public enum JSONValueKind: Sendable, Hashable, CustomStringConvertible {
    /// `{ ... }`
    case object
    /// `[ ... ]`
    case array
    /// `"..."`
    case string
    /// A number token (`-1.5e3`).
    case number
    /// `true` or `false`.
    case bool
    /// `null`.
    case null

    /// The kind with its article, for messages: `an object`, `a number`, `null`.
    public var description: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}
