import FastJSON
import OptimizerCore
import Testing

@testable import OptimizerService

/// `TensorInput` on its own: gradients and parameter values read from JSON (nested or flat) and from
/// binary bodies into a flat buffer in layout order, and every way a tensor can be wrong.
@Suite struct TensorInputTests {
    /// `w` [2, 3] then `b` [3], and a scalar `s` [].
    static let layout = try! ParameterLayout([("w", [2, 3]), ("b", [3]), ("s", [])])

    static func readJSON(
        _ text: String, role: TensorInput<Float>.Role = .gradient
    ) throws(ServiceError) -> TensorInput<Float> {
        try readJSON(text, as: Float.self, role: role)
    }

    static func readJSON<S: WireScalar>(
        _ text: String, as _: S.Type, role: TensorInput<S>.Role = .gradient
    ) throws(ServiceError) -> TensorInput<S> {
        var input = TensorInput<S>(layout: layout, role: role)
        var reader = JSONReader(text)
        try input.readObject(&reader)
        return input
    }

    /// Expects `body` to throw `code` with `mentions` in the detail.
    static func expectError(
        _ code: String, mentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        expectServiceError(code, mentions: mentions, sourceLocation: sourceLocation, body)
    }

    @Test func nestedArraysOfTheShapeFillTheLayoutInOrder() throws {
        let input = try Self.readJSON(#"{"b": [7, 8, 9], "w": [[1, 2, 3], [4, 5, 6]], "s": 10}"#)
        #expect(input.values == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(input.present == [true, true, true])
    }

    @Test func flatArraysAndMissingParametersWork() throws {
        let input = try Self.readJSON(#"{"w": [1, 2, 3, 4, 5, 6], "s": [2.5]}"#)
        #expect(input.values == [1, 2, 3, 4, 5, 6, 0, 0, 0, 2.5], "a parameter not given stays zero")
        #expect(input.present == [true, false, true])
        let empty = try Self.readJSON("{}")
        #expect(empty.present == [false, false, false])
        #expect(empty.values == [Float](repeating: 0, count: 10))
    }

    @Test func float64ValuesKeepTheirDigits() throws {
        let input = try Self.readJSON(#"{"b": [0.1, 1e-300, -2.5e300]}"#, as: Double.self, role: .value)
        #expect(Array(input.values[6..<9]) == [0.1, 1e-300, -2.5e300])
        let float = try Self.readJSON(#"{"b": [0.1, 3.4028235e38, 1e-46]}"#)
        #expect(Array(float.values[6..<9]) == [Float(0.1), .greatestFiniteMagnitude, 0])
    }

    @Test func anUnknownNameIsNamedWithTheKnownOnes() {
        Self.expectError("unknown_parameter", mentions: ["\"x\"", "\"w\"", "\"b\"", "\"s\""]) {
            _ = try Self.readJSON(#"{"b": [1, 2, 3], "x": [1]}"#)
        }
    }

    @Test func aTensorGivenTwiceIsRefused() {
        Self.expectError("invalid_field", mentions: ["gradient \"b\"", "twice"]) {
            _ = try Self.readJSON(#"{"b": [1, 2, 3], "b": [1, 2, 3]}"#)
        }
        Self.expectError("invalid_field", mentions: ["value \"w\"", "twice"]) {
            _ = try Self.readJSON(#"{"w": [1, 2, 3, 4, 5, 6], "w": [[1, 2, 3], [4, 5, 6]]}"#, role: .value)
        }
    }

    @Test func wrongCountsAndShapesAreShapeMismatches() {
        Self.expectError("shape_mismatch", mentions: ["\"w\"", "5", "6"]) {
            _ = try Self.readJSON(#"{"w": [1, 2, 3, 4, 5]}"#)
        }
        Self.expectError("shape_mismatch", mentions: ["\"w\"", "7", "6"]) {
            _ = try Self.readJSON(#"{"w": [1, 2, 3, 4, 5, 6, 7]}"#)
        }
        Self.expectError("shape_mismatch", mentions: ["\"w\"", "[3, 2]", "[2, 3]", "flat array of 6"]) {
            _ = try Self.readJSON(#"{"w": [[1, 2], [3, 4], [5, 6]]}"#)
        }
        Self.expectError("shape_mismatch", mentions: ["\"w\""]) {
            _ = try Self.readJSON(#"{"w": [[1, 2, 3], [4, 5]]}"#)
        }
        Self.expectError("shape_mismatch", mentions: ["\"b\"", "1", "3"]) { _ = try Self.readJSON(#"{"b": 1}"#) }
    }

    @Test func nonFiniteNumbersAreRefusedByRole() {
        Self.expectError("non_finite_gradient", mentions: ["gradient \"b\"", "flat index 1", "float32"]) {
            _ = try Self.readJSON(#"{"b": [0, 1e39, 0]}"#)
        }
        Self.expectError("non_finite_value", mentions: ["value \"w\"", "flat index 4"]) {
            _ = try Self.readJSON(#"{"w": [[0, 0, 0], [0, -1e39, 0]]}"#, role: .value)
        }
        Self.expectError("non_finite_gradient", mentions: ["float64"]) {
            _ = try Self.readJSON(#"{"s": 1e309}"#, as: Double.self)
        }
    }

    @Test func malformedBodiesAreInvalid() {
        Self.expectError("invalid_field", mentions: ["\"gradients\"", "object"]) { _ = try Self.readJSON("[1, 2, 3]") }
        Self.expectError("invalid_field", mentions: ["\"parameters\""]) { _ = try Self.readJSON("1", role: .value) }
        Self.expectError("invalid_field", mentions: ["b"]) { _ = try Self.readJSON(#"{"b": "1,2,3"}"#) }
        Self.expectError("invalid_json") { _ = try Self.readJSON(#"{"b": [NaN, 1, 1]}"#) }
        Self.expectError("invalid_json") { _ = try Self.readJSON(#"{"b": [1, 2"#) }
    }

    static func littleEndian(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
    }

    @Test func aBinaryBodyHoldsEveryTensorInLayoutOrder() throws {
        var input = TensorInput<Float>(layout: Self.layout, role: .value)
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, -0.5]
        try input.readBinary(Self.littleEndian(values))
        #expect(input.values == values)
        #expect(input.present == [true, true, true])

        var double = TensorInput<Double>(layout: Self.layout, role: .gradient)
        let doubles: [Double] = [0.1, 2, 3, 4, 5, 6, 7, 8, 9, 1e300]
        try double.readBinary(doubles.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) })
        #expect(double.values == doubles)
    }

    @Test func aBinaryBodyOfTheWrongLengthIsAShapeMismatch() {
        for count in [0, 8, 39, 44] {
            Self.expectError("shape_mismatch", mentions: ["\(count) bytes", "40"]) {
                var input = TensorInput<Float>(layout: Self.layout, role: .gradient)
                try input.readBinary([UInt8](repeating: 0, count: count))
            }
        }
        Self.expectError("shape_mismatch", mentions: ["40 bytes", "80"]) {
            try TensorInput<Double>.checkBinaryLength(40, layout: Self.layout)
        }
    }

    @Test func binaryValuesMustBeFiniteButGradientsAreLeftToTheStep() throws {
        var bad: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        bad[7] = .nan
        Self.expectError("non_finite_value", mentions: ["value \"b\"", "flat index 1"]) {
            var input = TensorInput<Float>(layout: Self.layout, role: .value)
            try input.readBinary(Self.littleEndian(bad))
        }
        bad[7] = 8
        bad[9] = -.infinity
        Self.expectError("non_finite_value", mentions: ["value \"s\"", "flat index 0"]) {
            var input = TensorInput<Float>(layout: Self.layout, role: .value)
            try input.readBinary(Self.littleEndian(bad))
        }
        // Binary gradients are read as they are: the engine's step refuses non-finite ones
        // (`non_finite_gradient`, SessionErrorTests).
        var gradients = TensorInput<Float>(layout: Self.layout, role: .gradient)
        try gradients.readBinary(Self.littleEndian(bad))
        #expect(gradients.values[9] == -.infinity)
    }
}
