public import OptimizerCore

extension JSON {
    /// The core's spec tree for this value (numbers parsed to the nearest double, as the service does).
    public var config: ConfigValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let t): .number(Double(t) ?? .nan)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(\.config))
        case .object(let members): .object(members.map { (key: $0.key, value: $0.value.config) })
        }
    }
}
