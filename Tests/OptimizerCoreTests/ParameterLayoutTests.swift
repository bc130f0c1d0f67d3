import OptimizerCore
import Testing

@Suite struct ParameterLayoutTests {
    @Test func offsetsAndCountsFollowTheGivenOrder() throws {
        let layout = try ParameterLayout([("w", [3, 5]), ("b", [5]), ("s", []), ("e", [4, 0])])
        #expect(layout.entries.map(\.offset) == [0, 15, 20, 21])
        #expect(layout.entries.map(\.count) == [15, 5, 1, 0])
        #expect(layout.totalCount == 21)
        #expect(layout.index(of: "s") == 2)
        #expect(layout.index(of: "x") == nil)
    }

    @Test func rejectsBadNamesAndShapes() {
        #expect(throws: OptimizerError.self) { try ParameterLayout([("w", [1]), ("w", [2])]) }
        #expect(throws: OptimizerError.self) { try ParameterLayout([("", [1])]) }
        #expect(throws: OptimizerError.self) { try ParameterLayout([(String(repeating: "é", count: 129), [1])]) }
        #expect(throws: OptimizerError.self) { try ParameterLayout([("w", [2, -1])]) }
        #expect(throws: OptimizerError.self) { try ParameterLayout([("w", [Int.max, 2])]) }
        #expect(throws: OptimizerError.self) {
            try ParameterLayout([("a", [Int.max / 2 + 1]), ("b", [Int.max / 2 + 1])])
        }
    }

    @Test func acceptsNamesOfExactly256Bytes() throws {
        let layout = try ParameterLayout([(String(repeating: "é", count: 128), [1])])
        #expect(layout.count == 1)
    }
}
