/// A small JSON-like value tree used to describe optimizer, schedule and clipping specifications.
///
/// `ConfigValue` is what the service hands to `OptimizerCore` after parsing a request body, and what the
/// core hands back when it describes a spec (`OptimizerSpec.config()`), so that the core stays free of any
/// JSON library. Object members keep their order, because the API echoes specs in a stable order.
/// Numbers are `Double`; integers are numbers with an integral value.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    /// A number (JSON numbers are parsed to the nearest `Double`).
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// A string.
    case string(String)
    /// An ordered list of values.
    case array([ConfigValue])
    /// An object whose members keep the order in which they were written.
    case object([(key: String, value: ConfigValue)])
    /// JSON `null`.
    case null

    /// Structural equality; object members are compared in order (two objects with the same members in a
    /// different order are different values).
    public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where x.key != y.key || x.value != y.value { return false }
            return true
        case (.null, .null): return true
        default: return false
        }
    }

    /// The member named `key` of an object (the first one if a key repeats), or `nil` for a missing member
    /// or a value that is not an object.
    public subscript(key: String) -> ConfigValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The number, if this is `.number`.
    public var numberValue: Double? {
        if case .number(let x) = self { return x }
        return nil
    }

    /// The boolean, if this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let x) = self { return x }
        return nil
    }

    /// The string, if this is `.string`.
    public var stringValue: String? {
        if case .string(let x) = self { return x }
        return nil
    }

    /// The elements, if this is `.array`.
    public var arrayValue: [ConfigValue]? {
        if case .array(let x) = self { return x }
        return nil
    }

    /// The members in order, if this is `.object`.
    public var objectValue: [(key: String, value: ConfigValue)]? {
        if case .object(let x) = self { return x }
        return nil
    }

    /// A compact JSON-like rendering used in error messages, e.g. `1.2`, `[0.9, 0.999]`, `"cos"`, `true`.
    ///
    /// Integral numbers print without a fraction (`5`), other numbers as Swift's shortest round-trip form
    /// (`0.001`, `1e-08`).
    public var description: String {
        switch self {
        case .number(let x): return ConfigValue.format(x)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return "\"\(s)\""
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { "\"\($0.key)\": \($0.value.description)" }.joined(separator: ", ") + "}"
        case .null: return "null"
        }
    }

    /// Formats a number as in `description`.
    static func format(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(describing: x)
    }
}
