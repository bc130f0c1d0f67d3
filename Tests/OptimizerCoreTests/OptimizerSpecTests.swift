import OptimizerCore
import Testing

@Suite struct OptimizerSpecTests {
    static func spec(_ members: [(String, ConfigValue)]) throws(OptimizerError) -> OptimizerSpec {
        try OptimizerSpec(.object(members.map { (key: $0.0, value: $0.1) }))
    }

    /// PyTorch 2.15's constructor defaults (docs/optimizer-math.md §1), written out independently of the catalogue.
    static let torchDefaults: [(OptimizerKind, [(String, ConfigValue)])] = [
        (
            .sgd,
            [
                ("lr", .number(1e-3)), ("momentum", .number(0)), ("dampening", .number(0)),
                ("weight_decay", .number(0)),
                ("nesterov", .bool(false)), ("maximize", .bool(false)),
            ]
        ),
        (
            .adam,
            [
                ("lr", .number(1e-3)), ("betas", .array([.number(0.9), .number(0.999)])), ("eps", .number(1e-8)),
                ("weight_decay", .number(0)), ("amsgrad", .bool(false)), ("maximize", .bool(false)),
                ("decoupled_weight_decay", .bool(false)),
            ]
        ),
        (
            .adamw,
            [
                ("lr", .number(1e-3)), ("betas", .array([.number(0.9), .number(0.999)])), ("eps", .number(1e-8)),
                ("weight_decay", .number(1e-2)), ("amsgrad", .bool(false)), ("maximize", .bool(false)),
            ]
        ),
        (
            .adagrad,
            [
                ("lr", .number(1e-2)), ("lr_decay", .number(0)), ("weight_decay", .number(0)),
                ("initial_accumulator_value", .number(0)), ("eps", .number(1e-10)), ("maximize", .bool(false)),
            ]
        ),
        (
            .rmsprop,
            [
                ("lr", .number(1e-2)), ("alpha", .number(0.99)), ("eps", .number(1e-8)), ("weight_decay", .number(0)),
                ("momentum", .number(0)), ("centered", .bool(false)), ("maximize", .bool(false)),
            ]
        ),
        (
            .adadelta,
            [
                ("lr", .number(1.0)), ("rho", .number(0.9)), ("eps", .number(1e-6)), ("weight_decay", .number(0)),
                ("maximize", .bool(false)),
            ]
        ),
        (
            .adamax,
            [
                ("lr", .number(2e-3)), ("betas", .array([.number(0.9), .number(0.999)])), ("eps", .number(1e-8)),
                ("weight_decay", .number(0)), ("maximize", .bool(false)),
            ]
        ),
        (
            .nadam,
            [
                ("lr", .number(2e-3)), ("betas", .array([.number(0.9), .number(0.999)])), ("eps", .number(1e-8)),
                ("weight_decay", .number(0)), ("momentum_decay", .number(4e-3)),
                ("decoupled_weight_decay", .bool(false)),
                ("maximize", .bool(false)),
            ]
        ),
        (
            .radam,
            [
                ("lr", .number(1e-3)), ("betas", .array([.number(0.9), .number(0.999)])), ("eps", .number(1e-8)),
                ("weight_decay", .number(0)), ("decoupled_weight_decay", .bool(false)), ("maximize", .bool(false)),
            ]
        ),
        (
            .rprop,
            [
                ("lr", .number(1e-2)), ("etas", .array([.number(0.5), .number(1.2)])),
                ("step_sizes", .array([.number(1e-6), .number(50)])), ("maximize", .bool(false)),
            ]
        ),
        (
            .lion,
            [
                ("lr", .number(1e-4)), ("betas", .array([.number(0.9), .number(0.99)])),
                ("weight_decay", .number(1e-3)),
                ("maximize", .bool(false)),
            ]
        ),
    ]

    @Test(arguments: torchDefaults.map(\.0))
    func omittedHyperparametersTakeTorchDefaults(_ kind: OptimizerKind) throws {
        let expected = Self.torchDefaults.first { $0.0 == kind }?.1 ?? []
        let config = try Self.spec([("type", .string(kind.rawValue))]).config()
        #expect(
            config
                == .object([(key: "type", value: .string(kind.rawValue))] + expected.map { (key: $0.0, value: $0.1) }))
        #expect(kind.hyperparameters.map(\.name) == expected.map(\.0))
    }

    @Test func everyOptimizerIsInTheCatalogue() {
        #expect(Set(OptimizerKind.allCases) == Set(Self.torchDefaults.map(\.0)))
        #expect(
            OptimizerKind.allCases.map(\.rawValue) == [
                "sgd", "adam", "adamw", "adagrad", "rmsprop", "adadelta", "adamax", "nadam", "radam", "rprop", "lion",
            ])
    }

    @Test func givenValuesOverrideDefaults() throws {
        let s = try Self.spec([
            ("type", .string("adam")), ("lr", .number(0.01)), ("betas", .array([.number(0.8), .number(0.9)])),
            ("amsgrad", .bool(true)),
        ])
        #expect(s.kind == .adam)
        #expect(s.hyperparameters.lr == 0.01)
        #expect(s.hyperparameters.beta1 == 0.8 && s.hyperparameters.beta2 == 0.9)
        #expect(s.hyperparameters.amsgrad)
        #expect(try OptimizerSpec(s.config()) == s)
    }

    @Test func adamwAlwaysDecouplesWeightDecay() throws {
        #expect(try Self.spec([("type", .string("adamw"))]).hyperparameters.decoupledWeightDecay)
        #expect(try !Self.spec([("type", .string("adam"))]).hyperparameters.decoupledWeightDecay)
        #expect(throws: OptimizerError.self) {
            try Self.spec([("type", .string("adamw")), ("decoupled_weight_decay", .bool(true))])
        }
    }

    /// One row per validation rule: optimizer, member, bad value, expected error name and rule text.
    static let invalid: [(OptimizerKind, String, ConfigValue, String, String)] = [
        (.adam, "lr", .number(-0.1), "lr", "must be >= 0"),
        (.adam, "eps", .number(-1e-8), "eps", "must be >= 0"),
        (.adam, "betas", .array([.number(1.0), .number(0.999)]), "betas[0]", "must be in [0, 1)"),
        (.adam, "betas", .array([.number(0.9), .number(1.2)]), "betas[1]", "must be in [0, 1)"),
        (.adam, "betas", .array([.number(-0.1), .number(0.9)]), "betas[0]", "must be in [0, 1)"),
        (.adam, "weight_decay", .number(-1), "weight_decay", "must be >= 0"),
        (.adamw, "betas", .array([.number(0.9), .number(1)]), "betas[1]", "must be in [0, 1)"),
        (.sgd, "lr", .number(-1), "lr", "must be >= 0"),
        (.sgd, "momentum", .number(-0.5), "momentum", "must be >= 0"),
        (.sgd, "weight_decay", .number(-0.5), "weight_decay", "must be >= 0"),
        (.adagrad, "lr_decay", .number(-1), "lr_decay", "must be >= 0"),
        (.adagrad, "initial_accumulator_value", .number(-1), "initial_accumulator_value", "must be >= 0"),
        (.adagrad, "eps", .number(-1), "eps", "must be >= 0"),
        (.rmsprop, "alpha", .number(-0.1), "alpha", "must be >= 0"),
        (.rmsprop, "momentum", .number(-0.1), "momentum", "must be >= 0"),
        (.adadelta, "rho", .number(1.5), "rho", "must be in [0, 1]"),
        (.adadelta, "rho", .number(-0.5), "rho", "must be in [0, 1]"),
        (.adamax, "betas", .array([.number(0.9), .number(1.0)]), "betas[1]", "must be in [0, 1)"),
        (.nadam, "momentum_decay", .number(-1), "momentum_decay", "must be >= 0"),
        (.radam, "eps", .number(-1), "eps", "must be >= 0"),
        (.rprop, "etas", .array([.number(1.0), .number(1.2)]), "etas[0]", "must be in (0, 1)"),
        (.rprop, "etas", .array([.number(0), .number(1.2)]), "etas[0]", "must be in (0, 1)"),
        (.rprop, "etas", .array([.number(0.5), .number(1.0)]), "etas[1]", "must be > 1"),
        (.lion, "betas", .array([.number(0.9), .number(1.5)]), "betas[1]", "must be in [0, 1)"),
        (.lion, "weight_decay", .number(-1), "weight_decay", "must be >= 0"),
        (.adam, "amsgrad", .number(1), "amsgrad", "must be true or false"),
        (.adam, "lr", .string("0.1"), "lr", "must be a number"),
        (.adam, "betas", .number(0.9), "betas", "must be an array of 2 numbers"),
        (.adam, "betas", .array([.number(0.9)]), "betas", "must be an array of 2 numbers"),
        (.rprop, "step_sizes", .array([.number(1e-6), .string("x")]), "step_sizes", "must be an array of 2 numbers"),
        (.adam, "lr", .number(.infinity), "lr", "must be a finite number"),
    ]

    @Test(arguments: invalid.indices)
    func invalidValuesNameFieldValueAndRule(_ row: Int) {
        let (kind, key, value, name, rule) = Self.invalid[row]
        #expect {
            try Self.spec([("type", .string(kind.rawValue)), (key, value)])
        } throws: { error in
            guard case .invalidHyperparameter(let n, _, let r) = error as? OptimizerError else { return false }
            return n == name && r == rule
        }
    }

    @Test func invalidErrorDescriptionReadsAsARule() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "betas[1]", value: "1.2", rule: "must be in [0, 1)"))
        {
            try Self.spec([("type", .string("adam")), ("betas", .array([.number(0.9), .number(1.2)]))])
        }
        #expect(
            OptimizerError.invalidHyperparameter(name: "betas[1]", value: "1.2", rule: "must be in [0, 1)").description
                == "betas[1] = 1.2 must be in [0, 1)")
    }

    @Test func nesterovRequiresMomentumAndZeroDampening() throws {
        #expect(throws: OptimizerError.self) { try Self.spec([("type", .string("sgd")), ("nesterov", .bool(true))]) }
        #expect(throws: OptimizerError.self) {
            try Self.spec([
                ("type", .string("sgd")), ("nesterov", .bool(true)), ("momentum", .number(0.9)),
                ("dampening", .number(0.1)),
            ])
        }
        let ok = try Self.spec([("type", .string("sgd")), ("nesterov", .bool(true)), ("momentum", .number(0.9))])
        #expect(ok.hyperparameters.nesterov)
    }

    @Test func unknownNamesSuggestTheNearestValidName() {
        #expect(throws: OptimizerError.self) { try Self.spec([("type", .string("adam")), ("lrr", .number(0.1))]) }
        do {
            _ = try Self.spec([("type", .string("adam")), ("lrr", .number(0.1))])
        } catch {
            guard case .unknownHyperparameter(let name, let suggestion, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(name == "lrr")
            #expect(suggestion == "lr")
            #expect(error.description.contains("did you mean \"lr\""))
        }
    }

    @Test(arguments: ["foreach", "fused", "capturable", "differentiable"])
    func implementationSwitchesAreUnknownWithAReason(_ name: String) {
        do {
            _ = try Self.spec([("type", .string("adam")), (name, .bool(true))])
            Issue.record("\(name) was accepted")
        } catch {
            guard case .unknownHyperparameter(let n, _, let reason) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(n == name)
            #expect(reason?.contains("fused kernel") == true)
        }
    }

    @Test func unknownTypeIsUnknownOptimizerWithSuggestion() {
        #expect(throws: OptimizerError.unknownOptimizer("adamm", suggestion: "adam")) {
            try Self.spec([("type", .string("adamm"))])
        }
        #expect(throws: OptimizerError.self) { try Self.spec([("lr", .number(1))]) }
        #expect(throws: OptimizerError.self) { try OptimizerSpec(.array([])) }
    }

    @Test func mergingChangesOnlyGivenValuesAndKeepsType() throws {
        let s = try Self.spec([("type", .string("adam")), ("lr", .number(0.01)), ("weight_decay", .number(0.1))])
        let patched = try s.merging(.object([("lr", .number(0.005))]))
        #expect(patched.hyperparameters.lr == 0.005)
        #expect(patched.hyperparameters.weightDecay == 0.1)
        #expect(try s.merging(.object([("type", .string("adam"))])) == s)
        #expect(throws: OptimizerError.self) { try s.merging(.object([("type", .string("sgd"))])) }
        #expect(throws: OptimizerError.self) { try s.merging(.object([("betas", .array([.number(2), .number(0)]))])) }
    }
}
