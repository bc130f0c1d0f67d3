import OptimizerCore
import Testing

@Suite struct ConfigValueTests {
    @Test func objectEqualityRespectsMemberOrder() {
        let a = ConfigValue.object([("lr", .number(1)), ("eps", .number(2))])
        let b = ConfigValue.object([("eps", .number(2)), ("lr", .number(1))])
        #expect(a != b)
        #expect(a == .object([("lr", .number(1)), ("eps", .number(2))]))
    }

    @Test func descriptionRendersJSONLikeText() {
        #expect(ConfigValue.number(1.2).description == "1.2")
        #expect(ConfigValue.number(5).description == "5")
        #expect(ConfigValue.number(1e-8).description == "1e-08")
        #expect(ConfigValue.array([.number(0.9), .bool(true), .string("cos"), .null]).description == "[0.9, true, \"cos\", null]")
    }

    @Test func subscriptFindsMembersOfObjectsOnly() {
        let v = ConfigValue.object([("type", .string("adam"))])
        #expect(v["type"] == .string("adam"))
        #expect(v["lr"] == nil)
        #expect(ConfigValue.number(1)["type"] == nil)
    }

    @Test func accessorsReturnNilForOtherCases() {
        #expect(ConfigValue.bool(true).numberValue == nil)
        #expect(ConfigValue.number(3).boolValue == nil)
        #expect(ConfigValue.string("x").stringValue == "x")
        #expect(ConfigValue.array([]).arrayValue?.isEmpty == true)
    }
}
