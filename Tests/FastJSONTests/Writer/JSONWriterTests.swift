import FastJSON
import Foundation
import Testing

@Suite struct JSONWriterTests {
    static func text(_ build: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        build(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func commasAndColonsAreInserted() {
        let text = Self.text { w in
            w.beginObject()
            w.writeKey("a")
            w.writeInt(1)
            w.writeKey("b")
            w.beginArray()
            w.writeBool(true)
            w.writeNull()
            w.beginObject()
            w.endObject()
            w.beginArray()
            w.endArray()
            w.writeString("x")
            w.endArray()
            w.writeKey("c")
            w.writeDouble(0.5)
            w.endObject()
        }
        #expect(text == #"{"a":1,"b":[true,null,{},[],"x"],"c":0.5}"#)
    }

    @Test func stringsAreEscapedPerRFC8259() throws {
        let original = "q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}c\u{01}\u{1F}é😀\u{7F}"
        let text = Self.text { $0.writeString(original) }
        #expect(text == #""q\"b\\s/n\nr\rt\tb\bf\fc\u0001\u001fé😀"# + "\u{7F}\"")
        var reader = JSONReader(text)
        #expect(try reader.readString() == original)
        // Every control character reads back.
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        var reader2 = JSONReader(Self.text { $0.writeString(controls) })
        #expect(try reader2.readString() == controls)
    }

    @Test func integersAreExact() {
        #expect(Self.text { $0.writeInt(0) } == "0")
        #expect(Self.text { $0.writeInt(-5) } == "-5")
        #expect(Self.text { $0.writeInt(Int.max) } == "9223372036854775807")
        #expect(Self.text { $0.writeInt(Int.min) } == "-9223372036854775808")
    }

    @Test func numberArraysFollowTheShape() {
        let values: [Float] = [1, 2.5, -3, 0.1, 1e-5, 6]
        #expect(Self.text { $0.writeNumberArray(values) } == "[1.0,2.5,-3.0,0.1,1e-05,6.0]")
        #expect(Self.text { $0.writeNumberArray(values, shape: [2, 3]) } == "[[1.0,2.5,-3.0],[0.1,1e-05,6.0]]")
        #expect(
            Self.text { $0.writeNumberArray(values, shape: [3, 1, 2]) } == "[[[1.0,2.5]],[[-3.0,0.1]],[[1e-05,6.0]]]")
        #expect(Self.text { $0.writeNumberArray([Float(7)], shape: []) } == "7.0")
        #expect(Self.text { $0.writeNumberArray([Float](), shape: [0]) } == "[]")
        #expect(Self.text { $0.writeNumberArray([Float](), shape: [2, 0]) } == "[[],[]]")
        #expect(Self.text { $0.writeNumberArray([Float](), shape: [0, 3]) } == "[]")
        #expect(Self.text { $0.writeNumberArray([Float](), shape: [3, 2, 0]) } == "[[[],[]],[[],[]],[[],[]]]")
        #expect(Self.text { $0.writeNumberArray(values[2..<4], shape: [1, 2]) } == "[[-3.0,0.1]]")
        #expect(Self.text { $0.writeNumberArray([0.1, 1e300, -0.0] as [Double]) } == "[0.1,1e+300,-0.0]")
        #expect(Self.text { $0.writeNumberArray([Float.infinity, .nan, 1]) } == "[null,null,1.0]")
    }

    @Test func floatArraysAreWrittenShortestNotWidened() {
        // 0.1 as a float is 0.100000001490116...; written as a float it must be "0.1".
        #expect(Self.text { $0.writeNumberArray([Float(0.1), Float(0.2)]) } == "[0.1,0.2]")
        #expect(Self.text { $0.writeFloat(0.1) } == "0.1")
        #expect(Self.text { $0.writeDouble(Double(Float(0.1))) } == "0.10000000149011612")
    }

    @Test func arraysInsideObjectsGetSeparators() {
        let text = Self.text { w in
            w.beginObject()
            w.writeKey("w")
            w.writeNumberArray([Float(1), 2], shape: [1, 2])
            w.writeKey("b")
            w.writeNumberArray([0.5] as [Double], shape: [])
            w.endObject()
        }
        #expect(text == #"{"w":[[1.0,2.0]],"b":0.5}"#)
    }

    @Test func appendsToExistingBytesAndRawValues() {
        var writer = JSONWriter(bytes: Array("prefix:".utf8), reservingCapacity: 64)
        writer.beginArray()
        writer.writeRawValue(Array(#"{"x":1}"#.utf8))
        writer.writeRawValue(Array("2".utf8))
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"prefix:[{"x":1},2]"#)
    }

    @Test func valuesAreWrittenInMemberOrder() {
        let value = JSONValue.object([("z", .number(1)), ("a", .array([.null, .bool(false)])), ("z", .string("dup"))])
        #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"z":1.0,"a":[null,false],"z":"dup"}"#)
    }

    /// Random finite bit patterns written as arrays read back bit for bit, with the shape.
    @Test func randomFloatArraysRoundTripExactly() throws {
        var rng = SplitMix64(seed: 41)
        var values: [Float] = []
        while values.count < 600_000 {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            if f.isFinite { values.append(f) }
        }
        values += [
            .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 16_777_216,
            Float(16_777_216).nextUp, Float(bitPattern: 0x007F_FFFF), -0.0, 0, 1e38, 0.1, 1 / 3,
        ]
        for e in -45...38 { values.append(Float("1e\(e)")!) }
        if values.count % 2 == 1 { values.append(0.5) }
        var writer = JSONWriter()
        writer.writeNumberArray(values, shape: [2, values.count / 2])
        var reader = JSONReader(writer.bytes)
        var back: [Float] = []
        var shape: [Int] = []
        let info = try reader.readNumberArray(into: &back, shape: &shape)
        try reader.finish()
        #expect(shape == [2, values.count / 2])
        #expect(info.firstNonFiniteIndex == nil)
        #expect(back.count == values.count)
        let mismatches = zip(values, back).filter { $0.bitPattern != $1.bitPattern }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func randomDoubleArraysRoundTripExactly() throws {
        var rng = SplitMix64(seed: 42)
        var values: [Double] = []
        while values.count < 300_000 {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { values.append(d) }
        }
        values += [
            .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            Double(9_007_199_254_740_992).nextUp,
            Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), -0.0, 0.1, 1e23,
        ]
        var writer = JSONWriter()
        writer.writeNumberArray(values)
        var reader = JSONReader(writer.bytes)
        var back: [Double] = []
        var shape: [Int] = []
        _ = try reader.readNumberArray(into: &back, shape: &shape)
        #expect(shape == [values.count])
        let mismatches = zip(values, back).filter { $0.bitPattern != $1.bitPattern }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
