import Testing

@testable import OptimizerCore

@Suite struct TrainingSpecTests {
    static func layout() throws -> ParameterLayout { try ParameterLayout([("w", [2, 2]), ("b", [2])]) }

    static func spec(_ members: [(String, ConfigValue)]) throws(OptimizerError) -> TrainingSpec {
        try TrainingSpec(.object(members.map { (key: $0.0, value: $0.1) }))
    }

    static let adam: ConfigValue = .object([("type", .string("adam")), ("lr", .number(0.01))])

    @Test func groupsOverrideOnlyTheirValues() throws {
        let s = try Self.spec([
            ("optimizer", Self.adam),
            ("param_groups", .array([.object([("params", .array([.string("b")])), ("lr", .number(0.1))])])),
        ])
        #expect(s.groupHyperparameters.count == 2)
        #expect(s.groupHyperparameters[0].lr == 0.01)
        #expect(s.groupHyperparameters[1].lr == 0.1)
        #expect(s.groupHyperparameters[1].beta2 == 0.999)
        #expect(try s.groupIndices(for: Self.layout()) == [0, 1])
        let patched = try s.updatingOptimizer(.object([("eps", .number(1e-6)), ("lr", .number(0.02))]))
        #expect(patched.groupHyperparameters[1].eps == 1e-6)
        #expect(patched.groupHyperparameters[1].lr == 0.1)
        #expect(patched.groupHyperparameters[0].lr == 0.02)
        #expect(try TrainingSpec(s.config()) == s)
    }

    @Test func groupErrorsNameTheGroup() {
        #expect {
            try Self.spec([
                ("optimizer", Self.adam),
                ("param_groups", .array([.object([("params", .array([.string("b")])), ("lrr", .number(0.1))])])),
            ])
        } throws: { error in
            guard case .unknownHyperparameter(let name, let suggestion, _) = error as? OptimizerError else {
                return false
            }
            return name == "param_groups[0].lrr" && suggestion == "lr"
        }
        #expect {
            try Self.spec([
                ("optimizer", Self.adam),
                ("param_groups", .array([.object([("params", .array([.string("b")])), ("eps", .number(-1))])])),
            ])
        } throws: { error in
            guard case .invalidHyperparameter(let name, _, _) = error as? OptimizerError else { return false }
            return name == "param_groups[0].eps"
        }
        #expect(throws: OptimizerError.self) {
            try Self.spec([("optimizer", Self.adam), ("param_groups", .array([.object([("lr", .number(0.1))])]))])
        }
    }

    @Test func unknownOrRepeatedParametersInGroupsAreErrors() throws {
        let unknown = try Self.spec([
            ("optimizer", Self.adam), ("param_groups", .array([.object([("params", .array([.string("x")]))])])),
        ])
        let layout = try Self.layout()
        #expect(throws: OptimizerError.unknownParameter("x")) { try unknown.groupIndices(for: layout) }
        let twice = try Self.spec([
            ("optimizer", Self.adam),
            (
                "param_groups",
                .array([
                    .object([("params", .array([.string("b")]))]), .object([("params", .array([.string("b")]))]),
                ])
            ),
        ])
        #expect(throws: OptimizerError.self) { try twice.groupIndices(for: layout) }
    }

    @Test func oneCycleMomentumNeedsMomentumOrBetas() throws {
        let cycle: ConfigValue = .object([
            ("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(10)),
        ])
        #expect(throws: OptimizerError.self) {
            try Self.spec([("optimizer", .object([("type", .string("adagrad"))])), ("schedule", cycle)])
        }
        #expect(throws: OptimizerError.self) {
            try Self.spec([("optimizer", .object([("type", .string("rprop"))])), ("schedule", cycle)])
        }
        _ = try Self.spec([("optimizer", .object([("type", .string("sgd"))])), ("schedule", cycle)])
        let noCycle: ConfigValue = .object([
            ("type", .string("one_cycle")), ("max_lr", .number(1)), ("total_steps", .number(10)),
            ("cycle_momentum", .bool(false)),
        ])
        _ = try Self.spec([("optimizer", .object([("type", .string("adagrad"))])), ("schedule", noCycle)])
    }

    @Test func missingOptimizerIsAnError() {
        #expect(throws: OptimizerError.self) { try Self.spec([("schedule", .null)]) }
    }

    @Test func stateBytesCountTheStateTensorsTheSpecNeeds() throws {
        let n = 1000
        #expect(try Self.spec([("optimizer", Self.adam)]).stateBytes(parameterCount: n, dtype: .float32) == 3 * n * 4)
        #expect(
            try Self.spec([("optimizer", .object([("type", .string("adam")), ("amsgrad", .bool(true))]))])
                .stateBytes(parameterCount: n, dtype: .float64) == 4 * n * 8)
        #expect(
            try Self.spec([("optimizer", .object([("type", .string("sgd"))]))]).stateBytes(
                parameterCount: n, dtype: .float32) == n * 4)
        #expect(
            try Self.spec([("optimizer", .object([("type", .string("sgd")), ("momentum", .number(0.9))]))])
                .stateBytes(parameterCount: n, dtype: .float32) == 2 * n * 4)
        #expect(
            try Self.spec([
                (
                    "optimizer",
                    .object([("type", .string("rmsprop")), ("centered", .bool(true)), ("momentum", .number(0.5))])
                )
            ])
            .stateBytes(parameterCount: n, dtype: .float32) == 4 * n * 4)
        // A group that enables AMSGrad makes the whole session need the tensor.
        #expect(
            try Self.spec([
                ("optimizer", Self.adam),
                ("param_groups", .array([.object([("params", .array([.string("b")])), ("amsgrad", .bool(true))])])),
            ])
            .stateBytes(parameterCount: n, dtype: .float32) == 4 * n * 4)
        #expect(
            try Self.spec([("optimizer", Self.adam)]).stateBytes(parameterCount: Int.max / 2, dtype: .float64)
                == Int.max)
    }
}

@Suite struct StateSlotsTests {
    @Test(arguments: OptimizerKind.allCases)
    func slotCountMatchesNames(_ kind: OptimizerKind) {
        #expect(StateSlots.count(kind) == StateSlots.names(kind).count)
    }
}
