extension JSONReader {
    /// A container being built by `readValue`.
    private enum PartialValue {
        case array([JSONValue])
        case object([(key: String, value: JSONValue)], pendingKey: String)
    }

    /// Reads the next value, whatever it is, into a `JSONValue` (objects keep member order and duplicates).
    ///
    /// Meant for small generic parts of a document; read large number arrays with `readNumberArray`. Works
    /// with an explicit stack, so deep nesting (up to `maxDepth`) needs no thread stack.
    /// - Throws: `JSONError`: `.syntax` for malformed JSON, `.depthLimit` beyond `maxDepth`.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        var stack: [PartialValue] = []
        while true {
            var value: JSONValue
            switch try peek() {
            case .object:
                try beginObject()
                if let key = try nextKey() {
                    stack.append(.object([], pendingKey: key))
                    continue
                }
                value = .object([])
            case .array:
                try beginArray()
                if try nextElement() {
                    stack.append(.array([]))
                    continue
                }
                value = .array([])
            case .string:
                value = .string(try scanString())
            case .number:
                value = .number(try scanNumber())
            case .bool:
                value = .bool(try readBool())
            case .null:
                try expectLiteral("null")
                value = .null
            }
            // Attach the finished value to its parents, closing every parent that ends here.
            attach: while true {
                guard let parent = stack.popLast() else { return value }
                switch parent {
                case .array(var elements):
                    elements.append(value)
                    if try nextElement() {
                        stack.append(.array(elements))
                        break attach
                    }
                    value = .array(elements)
                case .object(var members, let key):
                    members.append((key, value))
                    if let next = try nextKey() {
                        stack.append(.object(members, pendingKey: next))
                        break attach
                    }
                    value = .object(members)
                }
            }
        }
    }

    /// Skips the next value, checking it as strictly as reading it would (grammar, escapes, UTF-8, depth).
    ///
    /// Works with an explicit stack, so deep nesting (up to `maxDepth`) needs no thread stack.
    /// - Throws: `JSONError`: `.syntax` for malformed JSON, `.depthLimit` beyond `maxDepth`.
    public mutating func skipValue() throws(JSONError) {
        // true for an object, false for an array, per open container.
        var stack: [Bool] = []
        while true {
            switch try peek() {
            case .object:
                try beginObject()
                if try skipToNextMember() {
                    stack.append(true)
                    continue
                }
            case .array:
                try beginArray()
                if try nextElement() {
                    stack.append(false)
                    continue
                }
            case .string:
                try skipString()
            case .number:
                _ = try scanNumber()
            case .bool:
                _ = try readBool()
            case .null:
                try expectLiteral("null")
            }
            // A value is finished: advance its parents, closing every parent that ends here.
            advance: while let isObject = stack.last {
                if isObject ? try skipToNextMember() : try nextElement() { break advance }
                stack.removeLast()
            }
            if stack.isEmpty { return }
        }
    }

    /// `nextKey()` without building the key: `true` with the member's value next, `false` when the object ends.
    mutating func skipToNextMember() throws(JSONError) -> Bool {
        guard try moveToNextMember() else { return false }
        try skipString()
        try consumeColon()
        return true
    }
}
