import FastJSON
import OptimizerCore

extension ConfigValue {
    /// The spec-tree form of a JSON value (key order and duplicates kept).
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(ConfigValue.init))
        case .object(let members): self = .object(members.map { (key: $0.key, value: ConfigValue($0.value)) })
        }
    }
}

extension JSONWriter {
    /// Writes a spec tree as JSON.
    mutating func writeConfig(_ value: ConfigValue) {
        switch value {
        case .null: writeNull()
        case .bool(let b): writeBool(b)
        case .number(let n):
            if n == n.rounded(.towardZero), abs(n) < 9e15 { writeInt(Int(n)) } else { writeDouble(n) }
        case .string(let s): writeString(s)
        case .array(let items):
            beginArray()
            for item in items { writeConfig(item) }
            endArray()
        case .object(let members):
            beginObject()
            for (key, member) in members {
                writeKey(key)
                writeConfig(member)
            }
            endObject()
        }
    }
}
