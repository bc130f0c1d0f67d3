import FastJSON
import Foundation
import Testing

@Suite struct JSONReaderNumberArraysTests {
    static func readFloats(
        _ text: String, maxDepth: Int = 64
    ) throws(JSONError) -> (
        [Float], [Int], JSONNumberArrayInfo
    ) {
        var reader = JSONReader(text, maxDepth: maxDepth)
        var values: [Float] = []
        var shape: [Int] = [99]
        let info = try reader.readNumberArray(into: &values, shape: &shape)
        try reader.finish()
        return (values, shape, info)
    }

    @Test(
        arguments: [
            ("2.5", [], [2.5]),
            ("[]", [0], []),
            ("[1]", [1], [1]),
            ("[1, -2, 3e1]", [3], [1, -2, 30]),
            ("[[1, 2, 3], [4, 5, 6]]", [2, 3], [1, 2, 3, 4, 5, 6]),
            ("[[[1], [2]], [[3], [4]], [[5], [6]]]", [3, 2, 1], [1, 2, 3, 4, 5, 6]),
            ("[[], []]", [2, 0], []),
            ("[[]]", [1, 0], []),
            ("[[[]], [[]]]", [2, 1, 0], []),
            (" [ [ 1 ,\n2 ] ,\t[ 3 , 4 ] ] ", [2, 2], [1, 2, 3, 4]),
        ] as [(String, [Int], [Float])])
    func shapesAreInferred(text: String, shape: [Int], values: [Float]) throws {
        let (got, gotShape, info) = try Self.readFloats(text)
        #expect(gotShape == shape)
        #expect(got == values)
        #expect(info.count == values.count)
        #expect(info.firstNonFiniteIndex == nil)
    }

    @Test(arguments: [
        // (document, offset, a fragment of the message naming where)
        ("[[1, 2], [3]]", 11, "[1]"),
        ("[[1, 2], [3, 4, 5]]", 17, "[1]"),  // reported at the closing bracket of the offending array
        ("[[1], 2]", 6, "[1]"),
        ("[1, [2]]", 4, "[1]"),
        ("[[1], []]", 7, "[1]"),
        ("[[], [1]]", 7, "[1]"),
        ("[[[1]], [2]]", 9, "[1][0]"),
        ("[[[1, 2]], [[3, 4], [5, 6]]]", 26, "[1]"),
        ("[[[1, 2]], [[3, 4, 5]]]", 20, "[1][0]"),
    ])
    func raggedArraysAreRejectedNamingWhere(text: String, offset: Int, path: String) {
        let error = jsonError { _ = try Self.readFloats(text) }
        #expect(error?.kind == .raggedArray, "\(text): \(String(describing: error))")
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
        #expect(error?.message.contains(path) == true, "\(text): \(String(describing: error))")
    }

    @Test(arguments: [
        ("[1, \"a\"]", 4, JSONError.Kind.typeMismatch),
        ("[1, null]", 4, .typeMismatch),
        ("[[1], {}]", 6, .typeMismatch),
        ("\"1\"", 0, .typeMismatch),
        ("[1, NaN]", 4, .syntax),
        ("[1, Infinity]", 4, .syntax),
        ("[1, -Infinity]", 5, .syntax),
        ("[1, +1]", 4, .syntax),
        ("[1, .5]", 4, .syntax),
        ("[1, 1.]", 6, .syntax),
        ("[1, 01]", 5, .syntax),
        ("[1,]", 3, .syntax),
        ("[[1],]", 5, .syntax),
        ("[1 2]", 3, .syntax),
        ("[1;2]", 2, .syntax),
        ("[[1]", 4, .syntax),
        ("[1, 2", 5, .syntax),
        ("[", 1, .syntax),
        ("", 0, .syntax),
        ("[1]]", 3, .syntax),
    ])
    func malformedOrMistypedElementsAreRejected(text: String, offset: Int, kind: JSONError.Kind) {
        let error = jsonError { _ = try Self.readFloats(text) }
        #expect(error?.kind == kind, "\(text): \(String(describing: error))")
        #expect(error?.offset == offset, "\(text): \(String(describing: error))")
    }

    @Test func nestingIsLimitedByMaxDepthIncludingEnclosingContainers() throws {
        #expect(try Self.readFloats("[[[1]]]", maxDepth: 3).1 == [1, 1, 1])
        #expect(jsonError { _ = try Self.readFloats("[[[[1]]]]", maxDepth: 3) }?.kind == .depthLimit)
        var reader = JSONReader(#"{"a": [[1]]}"#, maxDepth: 2)
        try reader.beginObject()
        _ = try reader.nextKey()
        var values: [Float] = []
        var shape: [Int] = []
        let error = jsonError { _ = try reader.readNumberArray(into: &values, shape: &shape) }
        #expect(error?.kind == .depthLimit)
        #expect(error?.offset == 7)
    }

    @Test func valuesAreTheNearestDoubleRoundedToFloat() throws {
        var rng = SplitMix64(seed: 31)
        var texts: [String] = []
        for _ in 0..<2_000 {
            texts.append(
                DecimalParserTests.randomNumberText(
                    &rng, digits: Int.random(in: 1...24, using: &rng), exponentRange: -50...40))
        }
        let document = "[" + texts.joined(separator: ",") + "]"
        let (floats, shape, _) = try Self.readFloats(document)
        #expect(shape == [texts.count])
        var reader = JSONReader(document)
        var doubles: [Double] = []
        var doubleShape: [Int] = []
        _ = try reader.readNumberArray(into: &doubles, shape: &doubleShape)
        for (k, text) in texts.enumerated() {
            let exact = cStrtod(text)
            #expect(doubles[k].bitPattern == exact.bitPattern, "\(text)")
            #expect(floats[k].bitPattern == Float(exact).bitPattern, "\(text)")
        }
    }

    @Test func overflowIsReportedAsTheFirstNonFiniteIndex() throws {
        #expect(try Self.readFloats("[1, 2, 1e39, 3, -1e40]").2.firstNonFiniteIndex == 2)
        #expect(try Self.readFloats("[[1, 2], [3, -4e38]]").2.firstNonFiniteIndex == 3)
        #expect(try Self.readFloats("[1e38, -3.4e38, 1e-50]").2.firstNonFiniteIndex == nil)
        #expect(try Self.readFloats("1e39").2.firstNonFiniteIndex == 0)
        var reader = JSONReader("[1e39, 1e308, 1e309]")
        var doubles: [Double] = []
        var shape: [Int] = []
        let info = try reader.readNumberArray(into: &doubles, shape: &shape)
        #expect(info.firstNonFiniteIndex == 2)
        #expect(doubles[0] == 1e39)
        #expect(doubles[2] == .infinity)
    }

    @Test func appendingKeepsExistingElementsAndRestoresThemOnError() throws {
        var reader = JSONReader("[[1, 2], [3, 4]]")
        var values: [Float] = [9]
        var shape: [Int] = []
        _ = try reader.readNumberArray(into: &values, shape: &shape)
        #expect(values == [9, 1, 2, 3, 4])
        var bad = JSONReader("[[1, 2], [3]]")
        let error = jsonError { _ = try bad.readNumberArray(into: &values, shape: &shape) }
        #expect(error != nil)
        #expect(values == [9, 1, 2, 3, 4])
    }

    @Test func readingAtAnOffsetNeverWritesOutsideTheRange() throws {
        var values = [Float](repeating: -1, count: 8)
        var shape: [Int] = []
        var reader = JSONReader("[[1, 2], [3, 4]]")
        var info = try reader.readNumberArray(into: &values, at: 2, maxCount: 4, shape: &shape)
        #expect(info.count == 4)
        #expect(shape == [2, 2])
        #expect(values == [-1, -1, 1, 2, 3, 4, -1, -1])
        // Too many: all are counted, only maxCount stored.
        values = [Float](repeating: -1, count: 8)
        reader = JSONReader("[1, 2, 3, 4, 5, 6, 7]")
        info = try reader.readNumberArray(into: &values, at: 3, maxCount: 2, shape: &shape)
        #expect(info.count == 7)
        #expect(shape == [7])
        #expect(values == [-1, -1, -1, 1, 2, -1, -1, -1])
        // Too few.
        reader = JSONReader("[5]")
        info = try reader.readNumberArray(into: &values, at: 0, maxCount: 8, shape: &shape)
        #expect(info.count == 1)
        #expect(values[0] == 5)
        #expect(values[1] == -1)
        // Doubles.
        var doubles = [Double](repeating: 0, count: 3)
        reader = JSONReader("0.1")
        info = try reader.readNumberArray(into: &doubles, at: 2, maxCount: 1, shape: &shape)
        #expect(doubles == [0, 0, 0.1])
        #expect(shape == [])
    }

    @Test func readingContinuesAfterTheArrayInsideAnObject() throws {
        var reader = JSONReader(#"{"w": [[0.5, -1], [2, 3]], "b": 7, "c": [1]}"#)
        var values: [Float] = []
        var shape: [Int] = []
        var shapes: [String: [Int]] = [:]
        try reader.beginObject()
        while let key = try reader.nextKey() {
            _ = try reader.readNumberArray(into: &values, shape: &shape)
            shapes[key] = shape
        }
        try reader.finish()
        #expect(values == [0.5, -1, 2, 3, 7, 1])
        #expect(shapes == ["w": [2, 2], "b": [], "c": [1]])
    }
}
