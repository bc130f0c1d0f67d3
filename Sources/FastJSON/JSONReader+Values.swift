extension JSONReader {
    /// Reads the next value, whatever it is, into a `JSONValue` (objects keep member order and duplicates).
    ///
    /// Meant for small generic parts of a document; read large number arrays with `readNumberArray`.
    /// - Throws: `JSONError`: `.syntax` for malformed JSON, `.depthLimit` beyond `maxDepth`.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        switch try peek() {
        case .object:
            try beginObject()
            var members: [(key: String, value: JSONValue)] = []
            while let key = try nextKey() {
                members.append((key, try readValue()))
            }
            return .object(members)
        case .array:
            try beginArray()
            var elements: [JSONValue] = []
            while try nextElement() {
                elements.append(try readValue())
            }
            return .array(elements)
        case .string:
            return .string(try scanString())
        case .number:
            return .number(try scanNumber())
        case .bool:
            return .bool(try readBool())
        case .null:
            try expectLiteral("null")
            return .null
        }
    }

    /// Skips the next value, checking it as strictly as reading it would (grammar, escapes, UTF-8, depth).
    /// - Throws: `JSONError`: `.syntax` for malformed JSON, `.depthLimit` beyond `maxDepth`.
    public mutating func skipValue() throws(JSONError) {
        switch try peek() {
        case .object:
            try beginObject()
            while try nextKey() != nil {
                try skipValue()
            }
        case .array:
            try beginArray()
            while try nextElement() {
                try skipValue()
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
    }
}
