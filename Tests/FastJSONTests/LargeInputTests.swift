import FastJSON
import Testing

/// Inputs shaped to make a recursive or quadratic implementation crash or stall: deep shapes for the writer,
/// long arrays and objects for the generic reader. They assert results only (never elapsed time); the old
/// implementations overflowed the stack or took minutes on them.
@Suite struct LargeInputTests {
    static func text(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    // MARK: Writer

    @Test func deepShapesAreWrittenWithoutRecursion() {
        let rank = 100_000
        let ones = [Int](repeating: 1, count: rank)
        let open = String(repeating: "[", count: rank)
        let close = String(repeating: "]", count: rank)
        #expect(Self.text { $0.writeNumberArray([Float(1.5)], shape: ones) } == open + "1.5" + close)
        #expect(Self.text { $0.writeNumberArray([Double(-0.25)], shape: ones) } == open + "-0.25" + close)
        #expect(Self.text { $0.writeNumberArray([Float](), shape: ones + [0]) } == open + "[]" + close)
        #expect(Self.text { $0.writeNumberArray([Float](), shape: [0] + ones) } == "[]")
        // Inside an object: separators around the deep array stay right.
        let inObject = Self.text {
            $0.beginObject()
            $0.writeKey("w")
            $0.writeNumberArray([Float(2), 3], shape: ones + [2])
            $0.writeKey("x")
            $0.writeInt(1)
            $0.endObject()
        }
        #expect(inObject == #"{"w":"# + open + "[2.0,3.0]" + close + #","x":1}"#)
    }

    /// The nested arrays of `shape` over `values` from `level` on, written the obvious recursive way.
    static func reference(_ values: [Float], _ shape: [Int], level: Int, start: Int) -> String {
        if level == shape.count { return written(values[start]) }
        var stride = 1
        for d in shape[(level + 1)...] { stride *= d }
        let parts = (0..<shape[level]).map { reference(values, shape, level: level + 1, start: start + $0 * stride) }
        return "[" + parts.joined(separator: ",") + "]"
    }

    @Test func randomShapesMatchARecursiveReference() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let shape = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Int.random(in: 0...3, using: &rng) }
            let count = shape.reduce(1, *)
            let values = (0..<count).map { _ in Float(Int.random(in: -999...999, using: &rng)) / 8 }
            let expected = Self.reference(values, shape, level: 0, start: 0)
            #expect(Self.text { $0.writeNumberArray(values, shape: shape) } == expected, "shape \(shape)")
            let doubles = values.map(Double.init)
            let asDoubles = Self.text { $0.writeNumberArray(doubles, shape: shape) }
            #expect(try JSONValue(parsing: Array(asDoubles.utf8)) == JSONValue(parsing: Array(expected.utf8)))
        }
    }

    /// `leaf` inside `depth` containers, alternately arrays and objects (`[{"k":[...]}]`).
    static func nested(_ leaf: String, depth: Int) -> String {
        var text = ""
        for level in 0..<depth { text += level % 2 == 0 ? "[" : #"{"k":"# }
        text += leaf
        for level in (0..<depth).reversed() { text += level % 2 == 0 ? "]" : "}" }
        return text
    }

    @Test func deepValuesAreWrittenAndComparedIteratively() throws {
        // The deepest nesting a reader accepts (maxDepth is clamped to 1024).
        let text = Self.nested("null", depth: 1024)
        let value = try JSONValue(parsing: Array(text.utf8), maxDepth: 1024)
        #expect(String(decoding: value.encoded(), as: UTF8.self) == text)
        #expect(try JSONValue(parsing: value.encoded(), maxDepth: 1024) == value)
        #expect(try JSONValue(parsing: Array(Self.nested("true", depth: 1024).utf8), maxDepth: 1024) != value)
        #expect(throws: JSONError.self) {
            try JSONValue(parsing: Array(Self.nested("null", depth: 1025).utf8), maxDepth: 1024)
        }
    }

    // MARK: Generic reader

    @Test func longArraysAreReadInLinearTime() throws {
        let count = 1_000_000
        var text = "["
        text.reserveCapacity(8 * count)
        for i in 0..<count { text += i == 0 ? "\(i)" : ",\(i)" }
        text += "]"
        let bytes = Array(text.utf8)
        let elements = try #require(try JSONValue(parsing: bytes).arrayValue)
        #expect(elements.count == count)
        #expect(elements.enumerated().allSatisfy { $0.element == .number(Double($0.offset)) })
        var skipper = JSONReader(bytes)
        try skipper.skipValue()
        #expect(skipper.offset == bytes.count)
    }

    @Test func largeObjectsAreReadInLinearTime() throws {
        let count = 200_000
        var text = "{"
        for i in 0..<count { text += (i == 0 ? "" : ",") + #""k\#(i)":[\#(i),"v"]"# }
        text += "}"
        let members = try #require(try JSONValue(parsing: Array(text.utf8)).objectValue)
        #expect(members.count == count)
        var good = true
        for (i, member) in members.enumerated()
        where member.key != "k\(i)" || member.value != .array([.number(Double(i)), .string("v")]) {
            good = false
        }
        #expect(good)
    }

    @Test func wideAndNestedContainersKeepTheirStructure() throws {
        // 100 arrays of 100 objects, each with two members: every container closes into the right parent.
        var text = "["
        for i in 0..<100 {
            text += i == 0 ? "[" : ",["
            for j in 0..<100 { text += (j == 0 ? "" : ",") + #"{"i":\#(i),"j":[\#(j),{}]}"# }
            text += "]"
        }
        text += "]"
        let value = try JSONValue(parsing: Array(text.utf8))
        let rows = try #require(value.arrayValue)
        #expect(rows.count == 100)
        var good = true
        for (i, row) in rows.enumerated() {
            let cells = row.arrayValue ?? []
            if cells.count != 100 { good = false }
            for (j, cell) in cells.enumerated()
            where cell != .object([("i", .number(Double(i))), ("j", .array([.number(Double(j)), .object([])]))]) {
                good = false
            }
        }
        #expect(good)
        // Written with `.0` on the numbers, so compare as values; a Bool keeps a failure's message short.
        let same = try JSONValue(parsing: value.encoded()) == value
        #expect(same)
    }

    @Test func longStringsWithManyEscapesAreRead() throws {
        let count = 200_000
        let text = "\"" + String(repeating: #"a\n\u00e9\ud83d\ude00"#, count: count) + "\""
        let value = try JSONValue(parsing: Array(text.utf8))
        #expect(value == .string(String(repeating: "a\n\u{e9}\u{1F600}", count: count)))
    }
}
