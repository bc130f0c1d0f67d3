extension JSONReader {
    /// An array or object being built by `readValue`: where its elements (and, for an object, its keys) start in
    /// the flat stacks.
    private struct OpenContainer {
        var isObject: Bool
        var valuesStart: Int
        var keysStart: Int
    }

    /// Reads the next value, whatever it is, into a `JSONValue` (objects keep member order and duplicates).
    ///
    /// Meant for small generic parts of a document; read large number arrays with `readNumberArray`. Works
    /// with explicit stacks, so deep nesting (up to `maxDepth`) needs no thread stack. Time is linear in the
    /// value's length: finished values wait on one flat stack (keys on another) and each container is built
    /// once, from its slice of the stack, when it closes; a partial container is never copied.
    /// - Throws: `JSONError`: `.syntax` for malformed JSON, `.depthLimit` beyond `maxDepth`.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        // The finished elements and member values of the open containers, outermost first.
        var values: [JSONValue] = []
        // The keys of the open objects' members, outermost first; the last is the pending member's.
        var keys: [String] = []
        var open: [OpenContainer] = []
        while true {
            var value: JSONValue
            switch try peek() {
            case .object:
                try beginObject()
                if let key = try nextKey() {
                    open.append(OpenContainer(isObject: true, valuesStart: values.count, keysStart: keys.count))
                    keys.append(key)
                    continue
                }
                value = .object([])
            case .array:
                try beginArray()
                if try nextElement() {
                    open.append(OpenContainer(isObject: false, valuesStart: values.count, keysStart: keys.count))
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
            // Attach the finished value to its parent, closing every parent that ends here.
            while let parent = open.last {
                values.append(value)
                if parent.isObject {
                    if let key = try nextKey() {
                        keys.append(key)
                        break
                    }
                    value = .object(
                        zip(keys[parent.keysStart...], values[parent.valuesStart...]).map { (key: $0, value: $1) })
                    keys.removeSubrange(parent.keysStart...)
                } else {
                    if try nextElement() { break }
                    value = .array(Array(values[parent.valuesStart...]))
                }
                values.removeSubrange(parent.valuesStart...)
                open.removeLast()
            }
            if open.isEmpty { return value }
        }
    }

    /// Skips the next value, checking it as strictly as reading it would (grammar, escapes, UTF-8, depth).
    ///
    /// Works with an explicit stack, so deep nesting (up to `maxDepth`) needs no thread stack; time is linear in
    /// the value's length.
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
