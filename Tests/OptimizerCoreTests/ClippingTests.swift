import OptimizerCore
import Testing

@Suite struct ClippingTests {
    @Test func parsesNormWithDefaultAndExplicitNormTypes() throws {
        #expect(
            try Clipping.parse(clipGradNorm: .object([("max_norm", .number(1))]), clipGradValue: nil)
                == .norm(maxNorm: 1, normType: .l2))
        #expect(
            try Clipping.parse(
                clipGradNorm: .object([("max_norm", .number(2)), ("norm_type", .number(1))]), clipGradValue: nil)
                == .norm(maxNorm: 2, normType: .l1))
        #expect(
            try Clipping.parse(
                clipGradNorm: .object([("max_norm", .number(2)), ("norm_type", .string("inf"))]), clipGradValue: nil)
                == .norm(maxNorm: 2, normType: .infinity))
        #expect(try Clipping.parse(clipGradNorm: nil, clipGradValue: .number(0.5)) == .value(0.5))
        #expect(try Clipping.parse(clipGradNorm: nil, clipGradValue: nil) == nil)
    }

    @Test func rejectsBothNegativeAndMalformedValues() {
        #expect(throws: OptimizerError.self) {
            try Clipping.parse(clipGradNorm: .object([("max_norm", .number(1))]), clipGradValue: .number(1))
        }
        #expect(throws: OptimizerError.self) {
            try Clipping.parse(clipGradNorm: .object([("max_norm", .number(-1))]), clipGradValue: nil)
        }
        #expect(throws: OptimizerError.self) { try Clipping.parse(clipGradNorm: .object([:]), clipGradValue: nil) }
        #expect(throws: OptimizerError.self) {
            try Clipping.parse(
                clipGradNorm: .object([("max_norm", .number(1)), ("norm_type", .number(3))]), clipGradValue: nil)
        }
        #expect(throws: OptimizerError.self) { try Clipping.parse(clipGradNorm: nil, clipGradValue: .number(-0.5)) }
        #expect(throws: OptimizerError.self) { try Clipping.parse(clipGradNorm: nil, clipGradValue: .string("1")) }
        #expect {
            try Clipping.parse(
                clipGradNorm: .object([("max_norm", .number(1)), ("max_nrom", .number(1))]), clipGradValue: nil)
        } throws: { error in
            guard case .unknownHyperparameter(_, let suggestion, _) = error as? OptimizerError else { return false }
            return suggestion == "max_norm"
        }
    }

    @Test func configRoundTrips() throws {
        let c = Clipping.norm(maxNorm: 1.5, normType: .infinity)
        #expect(c.config.key == "clip_grad_norm")
        #expect(try Clipping.parse(clipGradNorm: c.config.value, clipGradValue: nil) == c)
        #expect(Clipping.value(0.25).config.key == "clip_grad_value")
    }
}

extension ConfigValue {
    /// An empty object (tests).
    static func object(_ empty: [String: ConfigValue]) -> ConfigValue {
        .object(empty.map { (key: $0.key, value: $0.value) })
    }
}
