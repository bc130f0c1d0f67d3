import FastJSON
import Testing

@Suite struct JSONValueTests {
    @Test func parsingKeepsMemberOrderAndDuplicates() throws {
        let value = try JSONValue(parsing: Array(#"{"b": 1, "a": [true, null, "x"], "b": {"c": -2.5}}"#.utf8))
        let members = try #require(value.objectValue)
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(value["b"] == .number(1))  // the first of the duplicates
        #expect(value["a"] == .array([.bool(true), .null, .string("x")]))
        #expect(members[2].value["c"]?.doubleValue == -2.5)
        #expect(value["missing"] == nil)
    }

    @Test func equalityIsOrderSensitiveForObjects() {
        let ab = JSONValue.object([("a", .number(1)), ("b", .number(2))])
        let ba = JSONValue.object([("b", .number(2)), ("a", .number(1))])
        #expect(ab != ba)
        #expect(ab == .object([("a", .number(1)), ("b", .number(2))]))
        #expect(JSONValue.number(1) != .string("1"))
    }

    @Test func accessorsReturnNilForOtherKinds() {
        #expect(JSONValue.string("s").doubleValue == nil)
        #expect(JSONValue.number(1).stringValue == nil)
        #expect(JSONValue.null.boolValue == nil)
        #expect(JSONValue.null.isNull)
        #expect(JSONValue.bool(false).isNull == false)
        #expect(JSONValue.array([]).kind == .array)
        #expect(JSONValue.number(1)["a"] == nil)
    }

    @Test func randomValuesRoundTripThroughText() throws {
        var rng = SplitMix64(seed: 21)
        for _ in 0..<300 {
            let value = Self.randomValue(&rng, depth: 0)
            let parsed = try JSONValue(parsing: value.encoded())
            #expect(parsed == value)
        }
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 4 ? 4 : 6), using: &rng)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let d = Double(bitPattern: rng.next())
            return .number(d.isFinite ? d : 0.5)
        case 3:
            let scalars: [Character] = ["a", "\"", "\\", "\n", "\u{1}", "é", "😀", "/", " ", "\u{7F}"]
            return .string(
                String((0..<Int.random(in: 0...8, using: &rng)).map { _ in scalars.randomElement(using: &rng)! }))
        case 4:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            let keys = ["k", "k", "key", "é", ""]
            return .object(
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                    (keys.randomElement(using: &rng)!, randomValue(&rng, depth: depth + 1))
                })
        }
    }
}
