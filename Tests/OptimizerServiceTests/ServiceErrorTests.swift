import FastJSON
import OptimizerCore
@testable import OptimizerService
import Testing

/// The service owns the API's error codes: every kind of optimizer-core failure maps to one code
/// and status, with the core's description as the detail.
@Suite struct ServiceErrorTests {
    @Test func everyOptimizerErrorHasItsCodeAndStatus() {
        let errors: [(OptimizerError, String)] = [
            (.unknownOptimizer("x", suggestion: nil), "unknown_optimizer"),
            (.unknownSchedule("x", suggestion: nil), "unknown_schedule"),
            (.unknownHyperparameter(name: "x", suggestion: nil, reason: nil), "unknown_hyperparameter"),
            (.invalidHyperparameter(name: "x", value: "1", rule: "r"), "invalid_hyperparameter"),
            (.unknownParameter("x"), "unknown_parameter"),
            (.shapeMismatch(parameter: "x", expected: 1, actual: 2), "shape_mismatch"),
            (.nonFiniteGradient(parameter: "x", index: 0), "non_finite_gradient"), (.emptyStep, "empty_step"),
            (.scheduleExhausted(step: 2, totalSteps: 1), "schedule_exhausted"),
            (.invalidCheckpoint("why"), "invalid_checkpoint"),
            (.invalidLayout("why"), "invalid_parameters"),
        ]
        for (error, code) in errors {
            let mapped = ServiceError(error)
            #expect(mapped.code == code)
            #expect(mapped.statusCode == 422)
            #expect(mapped.detail == error.description)
            #expect(mapped.problemType == "https://optd.dev/problems/\(code)")
        }
    }

    @Test func bridgingReportsCoreFailuresAsTheAPIDoes() throws {
        #expect(throws: ServiceError(OptimizerError.emptyStep)) {
            try ServiceError.bridging { () throws(OptimizerError) in throw .emptyStep }
        }
        #expect(try ServiceError.bridging { () throws(OptimizerError) in 7 } == 7)
    }
}
